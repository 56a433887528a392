"""Read helpers for deployments: capacity in SQL."""

from django.db import connection

from deployments.models import Assignment, Venue, VenueNeed
from reinforcements.queries import visible_operations
from reinforcements.roles import is_staff_reader, liaison_country

# The peak number of officers of one line on duty at any instant of [starts_at, ends_at):
# the load only rises at an assignment's start, so it is enough to sum at the window's
# start and at every live assignment's start inside the window.
_LINE_PEAK_SQL = """
WITH live AS (
    SELECT starts_at, ends_at, quantity FROM deployments_assignment
    WHERE pledge_line_id = %(line)s AND status <> 'cancelled' AND id <> %(exclude)s
      AND starts_at < %(ends)s AND ends_at > %(starts)s
), instants AS (
    SELECT %(starts)s::timestamptz AS t UNION SELECT starts_at FROM live WHERE starts_at > %(starts)s
)
SELECT COALESCE(MAX(load), 0) FROM (
    SELECT i.t, SUM(l.quantity) AS load FROM instants i
    JOIN live l ON l.starts_at <= i.t AND l.ends_at > i.t
    GROUP BY i.t
) loads
"""


def line_peak_load(line_id: int, starts_at, ends_at, *, exclude_id: int | None = None) -> int:
    with connection.cursor() as cur:
        cur.execute(_LINE_PEAK_SQL, {"line": line_id, "starts": starts_at, "ends": ends_at, "exclude": exclude_id or 0})
        return cur.fetchone()[0]


def visible_venues(user):
    return Venue.objects.filter(operation__in=visible_operations(user))


def visible_needs(user):
    return VenueNeed.objects.filter(venue__in=visible_venues(user))


def visible_assignments(user):
    qs = Assignment.objects.all()
    if is_staff_reader(user):
        return qs
    country = liaison_country(user)
    return qs.filter(pledge__request__country=country) if country else qs.none()
