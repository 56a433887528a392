"""`manage.py seed_scale` at a small size: the counts asked for, and every SPEC §5 rule held.

The rules are checked here with the app's own capacity query and plain Python over the rows,
not with the SQL checks that ship beside the seeder.
"""

import datetime as dt
import itertools
import zoneinfo
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from demo.scale.checks import rule_violations
from deployments.models import Assignment, Venue, VenueNeed
from deployments.queries import line_peak_load
from notifications.models import Notification
from pledges.models import K9Team, Pledge, PledgeLine
from reinforcements.models import Operation, ReinforcementRequest

pytestmark = pytest.mark.django_db

SMALL = {"countries": 5, "venues": 3, "officers": 200, "k9_teams": 20, "assignments": 500, "needs": 30,
         "notifications": 300}  # fmt: skip
ACCEPTED = ("accepted", "partially_accepted")


def seed(**options):
    call_command("seed_scale", operation="games-small", verbosity=0, **{**SMALL, **options})
    return Operation.objects.get(code="games-small")


def day_bounds(first, last, tz):
    zone = zoneinfo.ZoneInfo(tz)
    return dt.datetime.combine(first, dt.time.min, zone), dt.datetime.combine(
        last + dt.timedelta(days=1), dt.time.min, zone
    )


def test_it_loads_the_sizes_asked_for():
    op = seed()

    assert ReinforcementRequest.objects.filter(operation=op).values("country").distinct().count() == 5
    assert Venue.objects.filter(operation=op).count() == 3
    assert VenueNeed.objects.filter(venue__operation=op).count() == 30
    accepted = PledgeLine.objects.filter(pledge__request__operation=op, pledge__status__in=ACCEPTED)
    assert accepted.aggregate(n=Sum("officers_accepted"))["n"] == 200
    assert K9Team.objects.filter(pledge__request__operation=op).count() == 20
    assert Assignment.objects.filter(venue__operation=op).count() == 500
    assert Notification.objects.filter(recipient__username__startswith="games-small-").count() == 300


def test_requests_and_pledges_come_in_mixed_statuses_with_history():
    op = seed(countries=40, officers=2000, k9_teams=100, assignments=3000)

    pledge_statuses = set(Pledge.objects.filter(request__operation=op).values_list("status", flat=True))
    assignment_statuses = set(Assignment.objects.filter(venue__operation=op).values_list("status", flat=True))
    request_statuses = set(ReinforcementRequest.objects.filter(operation=op).values_list("status", flat=True))
    assert {"accepted", "partially_accepted", "submitted"} <= pledge_statuses
    assert {"planned", "confirmed", "active", "completed", "cancelled"} == assignment_statuses
    assert {"acknowledged", "sent"} <= request_statuses
    some = Assignment.objects.filter(venue__operation=op, status="confirmed").first()
    assert [h.history_type for h in some.history.order_by("history_date")] == ["+", "~"]


def test_no_line_has_more_officers_on_duty_than_accepted_at_any_instant():
    op = seed()
    lo, hi = day_bounds(op.starts_on, op.ends_on, op.timezone)

    lines = PledgeLine.objects.filter(assignments__venue__operation=op).distinct()

    assert lines.exists()
    for line in lines:
        assert line_peak_load(line.pk, lo, hi) <= line.officers_accepted


def test_no_k9_team_is_in_two_overlapping_live_assignments():
    op = seed()
    by_team = defaultdict(list)
    for a in Assignment.objects.filter(venue__operation=op, k9_team__isnull=False).exclude(status="cancelled"):
        by_team[a.k9_team_id].append((a.starts_at, a.ends_at))

    assert by_team
    for spans in by_team.values():
        spans.sort()
        assert all(prev_end <= start for (_s, prev_end), (start, _e) in itertools.pairwise(spans))


def test_every_assignment_uses_accepted_capacity_within_availability_dates_and_certification():
    op = seed()
    op_start, op_end = day_bounds(op.starts_on, op.ends_on, op.timezone)

    assignments = Assignment.objects.filter(venue__operation=op).select_related(
        "pledge__request", "pledge_line", "k9_team", "venue"
    )

    for a in assignments:
        source = a.pledge_line or a.k9_team
        assert a.pledge.status in ACCEPTED and source.pledge_id == a.pledge_id
        assert a.pledge.request.operation_id == op.pk == a.venue.operation_id
        assert (a.pledge_line.officers_accepted > 0) if a.pledge_line else a.k9_team.accepted
        av_start, av_end = day_bounds(source.available_from, source.available_to, op.timezone)
        assert op_start <= av_start <= a.starts_at < a.ends_at <= av_end <= op_end
        if a.k9_team and a.status != "cancelled":
            assert a.ends_at <= day_bounds(a.k9_team.certification_expires_on, a.k9_team.certification_expires_on,
                                           op.timezone)[1]  # fmt: skip


def test_the_shipped_sql_checks_find_nothing_wrong():
    op = seed()

    assert set(rule_violations(op.pk).values()) == {0}


def test_it_refuses_to_load_an_operation_that_exists():
    seed()

    with pytest.raises(CommandError, match=r"already exists.*--replace"):
        seed()


def test_replace_drops_the_operation_and_loads_the_same_data_again():
    def fingerprint(op):
        return sorted(
            Assignment.objects.filter(venue__operation=op).values_list(
                "venue__code", "pledge__request__country", "starts_at", "ends_at", "quantity", "status"
            ),
            key=repr,
        )

    first = fingerprint(seed())

    second = fingerprint(seed(replace=True))

    assert first == second
    assert Operation.objects.filter(code="games-small").count() == 1
    assert Assignment.objects.count() == 500
