"""SPEC §3: a liaison whose K9 team is not ready hears so 30 and 7 days before its first assignment, once each."""

import datetime as dt

import pytest

from notifications.models import Notification
from notifications.reminders import send_all
from tests.factories import AssignmentFactory, LiaisonFactory, accepted_team, at

pytestmark = pytest.mark.django_db

FIRST = at(26, 8)  # the team's first assignment: Friday 26 July 2024, 08:00 Paris


@pytest.fixture
def liaison(db):
    return LiaisonFactory(country="PL", language="en")


def placed(**team):
    team = accepted_team(**team)
    AssignmentFactory(
        pledge_line=None, quantity=None, k9_team=team, starts_at=FIRST, ends_at=FIRST + dt.timedelta(hours=6)
    )
    AssignmentFactory(pledge_line=None, quantity=None, k9_team=team, starts_at=at(28, 8), ends_at=at(28, 14))
    return team


def reminded(now) -> list[str]:
    return [row.body for row in send_all(now) if row.event == "reminder_k9_not_ready" and row.channel == "in_app"]


def test_a_team_missing_papers_is_told_to_its_liaisons_30_days_before_its_first_assignment(liaison):
    placed(rabies_vaccinated_on=None)

    bodies = reminded(FIRST - dt.timedelta(days=29))

    assert len(bodies) == 1
    assert "Still missing: Rabies vaccination." in bodies[0]


def test_a_team_is_told_again_7_days_before_and_then_no_more(liaison):
    placed(rabies_vaccinated_on=None)

    first = reminded(FIRST - dt.timedelta(days=29))
    same_stage = reminded(FIRST - dt.timedelta(days=20))
    second = reminded(FIRST - dt.timedelta(days=6))
    after = reminded(FIRST - dt.timedelta(days=2))

    assert (len(first), len(same_stage), len(second), len(after)) == (1, 0, 1, 0)
    assert Notification.objects.filter(event="reminder_k9_not_ready", channel="email").count() == 2


def test_a_team_vaccinated_too_late_for_its_first_assignment_is_told_the_day_it_may_cross(liaison):
    placed(rabies_vaccinated_on=dt.date(2024, 7, 10))

    bodies = reminded(FIRST - dt.timedelta(days=10))

    assert len(bodies) == 1
    assert "The dog may cross from 31 July 2024 only" in bodies[0]


def test_a_team_ready_by_its_first_assignment_is_not_told(liaison):
    placed(rabies_vaccinated_on=dt.date(2024, 7, 5))

    assert reminded(FIRST - dt.timedelta(days=29)) == []


def test_a_team_whose_first_assignment_is_more_than_30_days_away_is_not_told_yet(liaison):
    placed(rabies_vaccinated_on=None)

    assert reminded(FIRST - dt.timedelta(days=31)) == []


def test_the_reminder_reads_in_the_liaisons_language(liaison):
    liaison.language = "fr"
    liaison.save()
    placed(rabies_vaccinated_on=None)

    bodies = reminded(FIRST - dt.timedelta(days=29))

    assert "Il manque encore : Vaccination antirabique." in bodies[0]
