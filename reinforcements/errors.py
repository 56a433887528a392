"""The domain's refusals. config/api.py turns them into 409, the pages into a message."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "conflict"

    def __init__(self, message, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidTransition(DomainError):
    code = "invalid_transition"

    def __init__(self, obj, move: str):
        status = obj.get_status_display() if hasattr(obj, "get_status_display") else obj.status
        super().__init__(
            _("Cannot %(move)s a %(thing)s that is %(status)s.")
            % {"move": move.replace("_", " "), "thing": obj._meta.verbose_name, "status": str(status).lower()}
        )
        self.move = move


class RuleViolation(DomainError):
    """A SPEC §5 rule: capacity, overlap, availability, certification, accepted capacity."""

    CAPACITY = "capacity_exceeded"
    OVERLAP = "k9_overlap"
    AVAILABILITY = "outside_availability"
    OPERATION_DATES = "outside_operation"
    CERTIFICATION = "certification_expired"
    NOT_ACCEPTED = "not_accepted"
    VENUE = "venue_operation_mismatch"

    def __init__(self, message, *, code: str):
        super().__init__(message, code=code)
