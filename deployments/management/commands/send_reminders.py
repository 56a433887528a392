"""`manage.py send_reminders [--dry-run] [--at ISO-INSTANT | --operation CODE]`: the SPEC §6 reminders, now.

It lives in deployments, not notifications, because a preview reads the operation's reference
instant (deployments.clock); the reminders themselves are the registry's (notifications.reminders)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from deployments import clock
from notifications.reminders import send_all
from reinforcements.models import Operation


class Command(BaseCommand):
    help = "Send the reminders that are due (at most once a day per person and object) and print them."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; send nothing.")
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--at", help="Act as if it were this instant (ISO 8601), e.g. 2024-07-24T09:00+02:00.")
        when.add_argument(
            "--operation",
            help="With --dry-run: preview at this operation's reference instant, the demo clock's or, when "
            "today is outside the operation, its first day with needs (as its pages do).",
        )

    def handle(self, *args, dry_run=False, at=None, operation=None, **options):
        now = None
        if at:
            try:
                now = dt.datetime.fromisoformat(at)
            except ValueError as exc:
                raise CommandError(f"--at: not an ISO 8601 instant: {at}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        elif dry_run:
            now = self._preview_instant(operation)
        elif operation:
            raise CommandError("--operation previews only: add --dry-run.")
        rows = send_all(now, dry_run=dry_run)
        verb = "would be sent" if dry_run else "sent"
        for row in rows:
            self.stdout.write(f"{verb}\t{row.event}\t{row.recipient.username}\t{row.subject}")
        self.stdout.write(f"{len(rows)} reminder(s) {verb}.")

    def _preview_instant(self, code):
        """A preview follows the pages' clock (deployments/clock.py); real sends keep the real time."""
        if not code:
            return clock.now()
        operation = Operation.objects.filter(code=code).first()
        if operation is None:
            raise CommandError(f"--operation: no operation with the code {code!r}.")
        reference = clock.reference_instant(operation)
        if reference.note:
            self.stdout.write(reference.note)
        self.stdout.write(f"as of {reference.instant.isoformat()}")
        return reference.instant
