"""Who may do what (SPEC §2). Role checks sit beside the moves that call them."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

COORDINATORS = "coordinators"
VIEWERS = "viewers"


def _groups(user) -> set[str]:
    """The user's group names: read with the user by core.auth, else queried once."""
    if not hasattr(user, "_group_names"):
        names = getattr(user, "group_names", None)
        if names is None:
            names = user.groups.values_list("name", flat=True) if user.is_authenticated else ()
        user._group_names = set(names)
    return user._group_names


def liaison_country(user) -> str | None:
    """The liaison's country, or None for everyone else."""
    if not user.is_authenticated:
        return None
    profile = getattr(user, "liaison_profile", None)
    return profile.country if profile else None


def is_coordinator(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or COORDINATORS in _groups(user))


def is_staff_reader(user) -> bool:
    """Ministry staff who see every country: coordinators and viewers."""
    return is_coordinator(user) or (user.is_authenticated and VIEWERS in _groups(user))


def role_of(user) -> str | None:
    if is_coordinator(user):
        return "coordinator"
    if is_staff_reader(user):
        return "viewer"
    if liaison_country(user):
        return "liaison"
    return None


def require_coordinator(actor) -> None:
    if not is_coordinator(actor):
        raise PermissionDenied(_("Only a coordinator may do this."))


def require_liaison_of(actor, country: str) -> None:
    if liaison_country(actor) != country:
        raise PermissionDenied(_("Only a liaison officer of this country may do this."))


def require_coordinator_or_liaison_of(actor, country: str) -> None:
    if not (is_coordinator(actor) or liaison_country(actor) == country):
        raise PermissionDenied(_("Only a coordinator or a liaison officer of this country may do this."))
