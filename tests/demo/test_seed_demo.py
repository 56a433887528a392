"""`manage.py seed_demo` loads the Paris 2024 reference case (SPEC §9), once."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test.utils import override_settings

from deployments.conflicts import conflicts
from deployments.models import Assignment
from notifications.models import Notification
from pledges.models import Amendment, K9Team, Pledge
from reinforcements.models import Operation, ReinforcementRequest, RequestLine, User

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _loaded(django_db_setup, django_db_blocker):
    """Load the demo once for the module (a few seconds), inside a transaction rolled back at the end;
    each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            call_command("seed_demo", "--demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_loaded, db):
    return Operation.objects.get(code="paris-2024")


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_it_asks_46_countries_for_2185_officers(demo):
    interior = ReinforcementRequest.objects.filter(operation=demo, authority="interior")

    officers = RequestLine.objects.filter(request__in=interior).aggregate(total=Sum("quantity"))["total"]

    assert interior.values("country").distinct().count() == 46
    assert officers == 2185
    assert not RequestLine.objects.filter(request__in=interior, specialty__is_canine=True).exists()


def test_the_operation_is_paris_2024(demo):
    assert (demo.name, demo.host_country, str(demo.starts_on), str(demo.ends_on), demo.timezone) == (
        "Paris 2024 Olympic and Paralympic Games", "FR", "2024-07-01", "2024-09-15", "Europe/Paris",
    )  # fmt: skip


def test_poland_pledges_named_explosives_dog_teams_to_the_defence_request(demo):
    request = ReinforcementRequest.objects.get(operation=demo, country="PL", authority="defence")

    teams = K9Team.objects.filter(pledge__request=request)

    assert request.lines.get().specialty.code == "k9_explosives"
    assert teams.count() == 8
    assert teams.filter(accepted=True).count() == 7
    assert set(teams.values_list("detection", flat=True)) == {"explosives"}
    assert {"Belgian Malinois", "German Shepherd", "Labrador Retriever"} == set(
        teams.values_list("dog_breed", flat=True)
    )
    assert all(" " in name for name in teams.values_list("handler_name", flat=True))


def test_every_demo_dog_is_ready_for_the_border_but_polands_tosca(demo):
    teams = K9Team.objects.select_related("pledge__request__operation")

    not_ready = [(t.pledge.request.country, t.dog_name, t.readiness) for t in teams if t.ready_from is None]

    assert not_ready == [("PL", "Tosca", ["Rabies vaccination"])]
    assert not Assignment.objects.filter(k9_team__dog_name="Tosca").exists()


def test_it_shows_a_mix_of_statuses(demo):
    requests = set(ReinforcementRequest.objects.filter(operation=demo).values_list("status", flat=True))
    pledges = set(Pledge.objects.values_list("status", flat=True))
    assignments = set(Assignment.objects.values_list("status", flat=True))

    assert {"sent", "acknowledged", "declined"} <= requests
    assert {"submitted", "accepted", "partially_accepted", "changes_requested"} <= pledges
    assert {"planned", "confirmed"} <= assignments
    assert Assignment.objects.filter(k9_team__isnull=False).exists()
    assert Assignment.objects.filter(pledge_line__isnull=False).exists()


def test_venues_cover_the_seine_stadiums_fan_zones_and_transport_hubs_with_needs(demo):
    kinds = set(demo.venues.values_list("kind", flat=True))

    assert {"river_segment", "stadium", "fan_zone", "transport_hub"} <= kinds
    assert demo.venues.filter(name="Stade de France").exists()
    assert demo.venues.filter(needs__specialty__code="k9_explosives", kind="transport_hub").exists()


def test_statuses_come_with_their_history_and_notifications(demo):
    pledge = Pledge.objects.get(request__country="PL", request__authority="defence")

    assert [h.status for h in pledge.history.order_by("history_date")] == ["draft", "submitted", "partially_accepted"]
    assert pledge.history.first().history_user.username == "coordinator"
    assert Notification.objects.filter(recipient__username="liaison-pl", event="pledge_decided").exists()


def test_the_demo_users_log_in_with_the_demo_password(demo):
    for username in ("coordinator", "viewer", "liaison-pl", "liaison-de", "admin"):
        assert User.objects.get(username=username).check_password("demo-pass-2024"), username

    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="liaison-de").liaison_profile.country == "DE"


def test_a_second_run_changes_and_duplicates_nothing(demo):
    before = row_counts()
    passwords = dict(User.objects.values_list("username", "password"))

    call_command("seed_demo", "--demo", stdout=io.StringIO())

    assert row_counts() == before
    assert dict(User.objects.values_list("username", "password")) == passwords


def test_the_admin_logs_in_to_the_django_admin(demo, client):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": "demo-pass-2024"}, follow=True
    )

    assert response.status_code == 200
    assert response.context["user"].username == "admin"
    assert response.request["PATH_INFO"] == "/admin/"


def test_the_demo_warns_on_duty_and_leaves_a_conflict_for_the_conflicts_page(demo):
    found = conflicts(demo)

    assert demo.rule_set["modes"]["duty_exceeded"] == "warn"
    assert {c.rule for c in found} == {"duty_exceeded"}
    assert {c.assignment["country"] for c in found} == {"PL"}


def test_poland_has_substituted_a_dog_and_the_amendment_awaits_the_ministry(demo):
    amendment = Amendment.objects.get(status="submitted")

    change = amendment.changes.get()
    assert amendment.pledge.request.country == "PL"
    assert (change.kind, change.before["dog_name"], change.after["dog_name"]) == ("change_team", "Bruno", "Max")
    assert Notification.objects.filter(recipient__username="coordinator", event="pledge_amended").exists()


def test_the_fan_zones_visitor_assistance_asks_for_languages_and_polands_patrol_speaks_one(demo):
    from deployments.models import VenueNeed

    asked = {
        need.venue.code: need.languages
        for need in VenueNeed.objects.filter(venue__kind="fan_zone", specialty__code="community_patrol")
    }
    placed = Assignment.objects.get(venue__code="fan-zone-trocadero", pledge_line__specialty__code="community_patrol")

    assert asked["fan-zone-trocadero"] == ["en", "es"]
    assert set(asked) == {"fan-zone-trocadero", "fan-zone-hotel-de-ville", "fan-zone-villette"}
    assert "en" in placed.pledge_line.languages
