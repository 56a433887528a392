"""Rows written during one transaction, handed to Celery in one message once it commits (SPEC §6:
nothing is queued for a change that rolls back). The outbox's emails and the webhooks' deliveries use it."""

from django.db import transaction


class AfterCommitBatch:
    """The ids gathered for `send` in one transaction; `send(ids)` runs once, after the commit."""

    def __init__(self, send):
        self.send = send
        self.ids = []

    def __call__(self):
        self.send(self.ids)


def queue_after_commit(ids, send) -> None:
    """Add `ids` to this transaction's batch for `send`, opening one if there is none yet.

    A transaction that writes several times (a decision, then its reminders) publishes once. Rows of a
    rolled-back savepoint may ride along: the task skips a row that is not there."""
    connection = transaction.get_connection()
    for _savepoints, func, _robust in getattr(connection, "run_on_commit", ()):
        if isinstance(func, AfterCommitBatch) and func.send is send:
            func.ids.extend(ids)
            return
    batch = AfterCommitBatch(send)
    batch.ids.extend(ids)
    transaction.on_commit(batch, robust=True)
