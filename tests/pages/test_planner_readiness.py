"""The planner's "Who" list marks a K9 team that may not yet cross the border (SPEC §3), and refuses it."""

import datetime as dt

from django.urls import reverse

from tests.factories import VenueFactory, accepted_team


def who(client, operation) -> dict[str, str]:
    response = client.get(reverse("planner", args=[operation.code]), {"venue": "stade", "day": "2024-07-26"})
    return {value: str(label) for _group, options in response.context["form"].fields["source"].widget.choices[1:]
            for value, label in options}  # fmt: skip


def test_the_who_list_marks_a_team_missing_papers_as_not_ready(client, coordinator):
    team = accepted_team(rabies_vaccinated_on=None)
    VenueFactory(operation=team.pledge.request.operation, code="stade")
    client.force_login(coordinator)

    labels = who(client, team.pledge.request.operation)

    assert labels[f"team:{team.pk}"].endswith("NOT READY: missing Rabies vaccination")


def test_the_who_list_marks_a_team_not_ready_until_its_day(client, coordinator):
    team = accepted_team(rabies_vaccinated_on=dt.date(2024, 7, 10))
    VenueFactory(operation=team.pledge.request.operation, code="stade")
    client.force_login(coordinator)

    labels = who(client, team.pledge.request.operation)

    assert labels[f"team:{team.pk}"].endswith("NOT READY until 2024-07-31")


def test_the_who_list_leaves_a_ready_team_unmarked(client, coordinator):
    team = accepted_team()
    VenueFactory(operation=team.pledge.request.operation, code="stade")
    client.force_login(coordinator)

    labels = who(client, team.pledge.request.operation)

    assert "NOT READY" not in labels[f"team:{team.pk}"]


def test_planning_a_team_that_is_not_ready_is_refused_in_words(client, coordinator):
    team = accepted_team(rabies_vaccinated_on=dt.date(2024, 7, 10))
    venue = VenueFactory(operation=team.pledge.request.operation, code="stade")
    client.force_login(coordinator)

    response = client.post(
        reverse("assignment_create", args=[venue.operation.code]),
        {"venue": venue.code, "day": "2024-07-26", "role": "", "source": f"team:{team.pk}",
         "starts_at": "2024-07-26T12:00", "ends_at": "2024-07-26T18:00"},
    )  # fmt: skip

    assert "may cross the border from 2024-07-31 only" in response.content.decode()
    assert not team.assignments.exists()
