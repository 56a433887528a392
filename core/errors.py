"""The domain's refusals. core/api/errors.py turns them into 409, the pages into a message."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The moves `InvalidTransition` names, keyed as in the models' MOVES tables (core.lifecycle). English reads them as
# verbs ("Cannot withdraw this pledge"); French words the refusal as a noun ("Retrait impossible"),
# hence a context of its own rather than the buttons' labels.
MOVES = {
    "send": pgettext_lazy("refused move", "send"),
    "amend": pgettext_lazy("refused move", "amend"),
    "acknowledge": pgettext_lazy("refused move", "acknowledge"),
    "decline": pgettext_lazy("refused move", "decline"),
    "cancel": pgettext_lazy("refused move", "cancel"),
    "close": pgettext_lazy("refused move", "close"),
    "pledge": pgettext_lazy("refused move", "pledge on"),
    "edit": pgettext_lazy("refused move", "edit"),
    "submit": pgettext_lazy("refused move", "submit"),
    "request_changes": pgettext_lazy("refused move", "request changes to"),
    "decide": pgettext_lazy("refused move", "decide"),
    "withdraw": pgettext_lazy("refused move", "withdraw"),
    "move": pgettext_lazy("refused move", "move"),
    "confirm": pgettext_lazy("refused move", "confirm"),
    "start": pgettext_lazy("refused move", "start"),
    "complete": pgettext_lazy("refused move", "complete"),
    "no_show": pgettext_lazy("refused move", "record a no-show for"),
    "apply": pgettext_lazy("refused move", "apply"),
    "finish": pgettext_lazy("refused move", "finish"),
}


class DomainError(Exception):
    code = "conflict"

    def __init__(self, message, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidTransition(DomainError):
    code = "invalid_transition"

    def __init__(self, obj, move: str, *, message=None):
        """`message`: a refusal that the object's own state does not explain (e.g. its request has ended)."""
        status = obj.get_status_display() if hasattr(obj, "get_status_display") else obj.status
        super().__init__(
            message
            or _("Cannot %(move)s this %(thing)s: it is %(status)s.")
            % {
                "move": MOVES.get(move, move.replace("_", " ")),
                "thing": obj._meta.verbose_name,
                "status": str(status).lower(),
            }
        )
        self.move = move


class RuleViolation(DomainError):
    """A SPEC §5 or §10 rule: capacity, overlap, availability, certification, K9 readiness, accepted capacity,
    duty, rest, travel, and what the needs a placement covers ask (language, legal status and arms)."""

    CAPACITY = "capacity_exceeded"
    OVERLAP = "k9_overlap"
    AVAILABILITY = "outside_availability"
    OPERATION_DATES = "outside_operation"
    CERTIFICATION = "certification_expired"
    K9_NOT_READY = "k9_not_ready"
    NOT_ACCEPTED = "not_accepted"
    VENUE = "venue_operation_mismatch"
    LANGUAGE = "language_mismatch"
    LEGAL_STATUS = "legal_status_mismatch"
    # SPEC §10: an operation's own rules (reinforcements.rules), refused or only warned.
    DUTY = "duty_exceeded"
    REST = "rest_too_short"
    TRAVEL = "travel_too_short"

    def __init__(self, message, *, code: str):
        super().__init__(message, code=code)
