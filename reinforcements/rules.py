"""The rules of an operation (SPEC §10): their defaults, their bounds, and the one validation of
`Operation.rules` that the API, the settings page and the admin share.

Stored shape (every key always present once validated):
    {"max_duty_hours": 12, "max_break_minutes": 90, "min_rest_hours": 11, "travel_kmh": 30,
     "travel_buffer_minutes": 15, "modes": {"duty_exceeded": "refuse", ...}}
A rule's mode is looked up by its code (deployments.rules): `refuse` (409) or `warn` (placed, and
listed as a conflict)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

REFUSE, WARN = "refuse", "warn"
MODE_CHOICES = [(REFUSE, gettext_lazy("refuse (409)")), (WARN, gettext_lazy("warn (placed, listed as a conflict)"))]

# name -> (default, lowest, highest, whole numbers only, label, explanation)
VALUES = {
    "max_duty_hours": (12, 1, 24, False, gettext_lazy("Maximum duty hours in any 24 hours"),
                       gettext_lazy("Per K9 team exactly; per officer line as officer-hours: officers × hours may not "
                                    "exceed the line's accepted officers × this.")),
    "max_break_minutes": (90, 0, 720, True, gettext_lazy("Longest break within one duty (minutes)"),
                          gettext_lazy("Two consecutive assignments of a K9 team at most this far apart are one duty.")),
    "min_rest_hours": (11, 0, 48, False, gettext_lazy("Minimum rest between duties (hours)"),
                       gettext_lazy("Two consecutive assignments of a K9 team further apart than the longest break "
                                    "must be separated by at least this rest.")),
    "travel_kmh": (30, 1, 300, False, gettext_lazy("Travel speed (km/h)"),
                   gettext_lazy("A K9 team moving between venues needs the straight-line distance at this speed…")),
    "travel_buffer_minutes": (15, 0, 600, True, gettext_lazy("Travel buffer (minutes)"),
                              gettext_lazy("…plus this, unless the two venues have their own travel time below.")),
}  # fmt: skip

# The rule codes whose mode an operation sets (SPEC §10). The §5 rules (capacity, overlap, availability,
# accepted capacity) always refuse.
MODE_RULES = {
    "duty_exceeded": gettext_lazy("Duty hours"),
    "rest_too_short": gettext_lazy("Rest between duties"),
    "travel_too_short": gettext_lazy("Travel time between venues"),
    "certification_expired": gettext_lazy("Certification valid until the end"),
    "k9_not_ready": gettext_lazy("K9 readiness"),
    "language_mismatch": gettext_lazy("Languages a need asks for"),
    "legal_status_mismatch": gettext_lazy("Legal status a need asks for"),
}


def default_rules() -> dict:
    """A new operation's rules (the model field's default, hence importable by migrations)."""
    return {name: spec[0] for name, spec in VALUES.items()} | {"modes": dict.fromkeys(MODE_RULES, REFUSE)}


def _number(raw, *, whole: bool):
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise ValueError
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise ValueError from exc
    if not value.is_finite() or (whole and value != value.to_integral_value()):
        raise ValueError
    return int(value) if value == value.to_integral_value() else float(value)


def validate_rules(data, *, base: dict | None = None) -> dict:
    """`data` laid over `base` (the current rules, else the defaults): every key filled, each value
    in bounds. Raises ValidationError({key: message}) naming every bad or unknown key."""
    if not isinstance(data, dict):
        raise ValidationError(_("The rules are an object of rule names and values."))
    current = rules_with_defaults(base)
    errors = {}
    out = {name: current[name] for name in VALUES} | {"modes": dict(current["modes"])}
    for key, raw in data.items():
        if key == "modes":
            if not isinstance(raw, dict):
                errors["modes"] = _("The modes are an object of rule codes and 'refuse' or 'warn'.")
                continue
            for code, mode in raw.items():
                if code not in MODE_RULES:
                    errors[f"modes.{code}"] = _("Unknown rule code. Known: %(codes)s.") % {
                        "codes": ", ".join(MODE_RULES)
                    }
                elif mode not in (REFUSE, WARN):
                    errors[f"modes.{code}"] = _("A mode is 'refuse' or 'warn'.")
                else:
                    out["modes"][code] = mode
        elif key in VALUES:
            _default, low, high, whole, _label, _help = VALUES[key]
            try:
                value = _number(raw, whole=whole)
            except ValueError:
                errors[key] = _("A whole number is needed.") if whole else _("A number is needed.")
                continue
            if not low <= value <= high:
                errors[key] = _("Between %(low)s and %(high)s.") % {"low": low, "high": high}
            else:
                out[key] = value
        else:
            errors[key] = _("Unknown rule. Known: %(names)s.") % {"names": ", ".join([*VALUES, "modes"])}
    if errors:
        raise ValidationError(errors)
    return out


def rules_with_defaults(stored) -> dict:
    """The stored rules with any missing key (a row older than a new rule) at its default."""
    rules = default_rules()
    if isinstance(stored, dict):
        rules.update({k: v for k, v in stored.items() if k in VALUES})
        rules["modes"].update({k: v for k, v in (stored.get("modes") or {}).items() if k in MODE_RULES})
    return rules
