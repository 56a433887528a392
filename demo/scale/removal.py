"""Dropping a seeded operation, and fresh planner statistics after a load."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from deployments.models import Assignment
from pledges.models import Pledge
from reinforcements.models import ReinforcementRequest

_DROP_SQL = """
CREATE TEMP TABLE _scale_requests ON COMMIT DROP AS
    SELECT id FROM reinforcements_reinforcementrequest WHERE operation_id = %(op)s;
CREATE TEMP TABLE _scale_pledges ON COMMIT DROP AS
    SELECT id FROM pledges_pledge WHERE request_id IN (SELECT id FROM _scale_requests);
CREATE TEMP TABLE _scale_venues ON COMMIT DROP AS
    SELECT id FROM deployments_venue WHERE operation_id = %(op)s;
CREATE TEMP TABLE _scale_assignments ON COMMIT DROP AS
    SELECT id FROM deployments_assignment
    WHERE venue_id IN (SELECT id FROM _scale_venues) OR pledge_id IN (SELECT id FROM _scale_pledges);
DELETE FROM notifications_notification
    WHERE (content_type_id = %(ct_assignment)s AND object_id IN (SELECT id FROM _scale_assignments))
       OR (content_type_id = %(ct_pledge)s AND object_id IN (SELECT id FROM _scale_pledges))
       OR (content_type_id = %(ct_request)s AND object_id IN (SELECT id FROM _scale_requests));
DELETE FROM deployments_historicalassignment WHERE id IN (SELECT id FROM _scale_assignments);
DELETE FROM deployments_assignment WHERE id IN (SELECT id FROM _scale_assignments);
DELETE FROM deployments_historicalvenueneed WHERE venue_id IN (SELECT id FROM _scale_venues);
DELETE FROM deployments_venueneed WHERE venue_id IN (SELECT id FROM _scale_venues);
DELETE FROM deployments_historicalvenue WHERE operation_id = %(op)s;
DELETE FROM deployments_venue WHERE operation_id = %(op)s;
DELETE FROM pledges_historicalk9team WHERE pledge_id IN (SELECT id FROM _scale_pledges);
DELETE FROM pledges_k9team WHERE pledge_id IN (SELECT id FROM _scale_pledges);
DELETE FROM pledges_historicalpledgeline WHERE pledge_id IN (SELECT id FROM _scale_pledges);
DELETE FROM pledges_pledgeline WHERE pledge_id IN (SELECT id FROM _scale_pledges);
DELETE FROM pledges_historicalpledge WHERE request_id IN (SELECT id FROM _scale_requests);
DELETE FROM pledges_pledge WHERE id IN (SELECT id FROM _scale_pledges);
DELETE FROM reinforcements_historicalrequestline WHERE request_id IN (SELECT id FROM _scale_requests);
DELETE FROM reinforcements_requestline WHERE request_id IN (SELECT id FROM _scale_requests);
DELETE FROM reinforcements_historicalreinforcementrequest WHERE operation_id = %(op)s;
DELETE FROM reinforcements_reinforcementrequest WHERE operation_id = %(op)s;
DELETE FROM reinforcements_historicaloperation WHERE id = %(op)s;
DELETE FROM reinforcements_operation WHERE id = %(op)s;
"""


def drop_operation(operation_id: int) -> None:
    """Remove an operation and everything under it, history and notifications included, in SQL.

    The ORM's cascade would load every row and write a history row per deletion.
    The seeded users stay: they are reused by the next load.
    """
    params = {
        "op": operation_id,
        "ct_assignment": ContentType.objects.get_for_model(Assignment).pk,
        "ct_pledge": ContentType.objects.get_for_model(Pledge).pk,
        "ct_request": ContentType.objects.get_for_model(ReinforcementRequest).pk,
    }
    with connection.cursor() as cur:
        cur.execute(_DROP_SQL, params)


SCALE_TABLES = [
    "reinforcements_reinforcementrequest", "reinforcements_requestline", "pledges_pledge", "pledges_pledgeline",
    "pledges_k9team", "deployments_venue", "deployments_venueneed", "deployments_assignment",
    "deployments_historicalassignment", "notifications_notification",
]  # fmt: skip


def analyze() -> None:
    """Fresh planner statistics, and outside a transaction a visibility map too (index-only scans).

    After a bulk load the estimates would otherwise be for empty tables.
    """
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cur:
        for table in SCALE_TABLES:
            cur.execute(f"{command} {table}")
