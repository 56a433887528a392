"""K9 border readiness (SPEC §3), the one place it is decided: what the border asks of a dog, whether a
team has it, and the first day it may cross. Plain values, so lists read as values (the planner) use it too."""

import datetime as dt

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# ISO 11784: the dog's transponder code is 15 decimal digits.
microchip_number = RegexValidator(
    r"^[0-9]{15}\Z", _("A microchip number (ISO 11784) is exactly 15 digits."), code="microchip"
)


# EU Regulation 576/2013: a dog may cross 21 days after its primary rabies vaccination.
RABIES_WAIT = dt.timedelta(days=21)


def border_checklist(
    *, microchip, pet_passport, rabies_vaccinated_on, echinococcus_treated_on, requires_echinococcus
) -> list[tuple[str, bool]]:
    """K9 border readiness (SPEC §3), the one place it is decided: what the border asks for, in order,
    and whether it is recorded. Plain values, so lists read as values (the planner) use it too."""
    items = [
        (_("Microchip"), bool(microchip)),
        (_("Pet passport or health certificate"), bool(pet_passport)),
        (_("Rabies vaccination"), rabies_vaccinated_on is not None),
    ]
    if requires_echinococcus:
        items.append((_("Echinococcus treatment"), echinococcus_treated_on is not None))
    return items


def border_missing(checklist) -> list[str]:
    return [str(label) for label, ok in checklist if not ok]


def border_ready_from(checklist, rabies_vaccinated_on) -> dt.date | None:
    """The first day the dog may cross, or None while something is missing."""
    if not all(ok for _label, ok in checklist):
        return None
    return rabies_vaccinated_on + RABIES_WAIT
