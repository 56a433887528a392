"""What each caller may see of accounts: staff see invitations and people; liaisons nothing."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from accounts.models import INVITATION_DAYS, Invitation
from core.roles import COORDINATORS, VIEWERS, is_staff_reader


def visible_invitations(user):
    if not is_staff_reader(user):
        return Invitation.objects.none()
    return Invitation.objects.select_related("user", "invited_by")


def with_status(invitations, status: str):
    """pending (still usable), expired (pending past its 7 days), accepted, revoked."""
    open_ = Q(accepted_at__isnull=True, revoked_at__isnull=True)
    cutoff = timezone.now() - dt.timedelta(days=INVITATION_DAYS)
    return {
        "pending": invitations.filter(open_, sent_at__gt=cutoff),
        "expired": invitations.filter(open_, sent_at__lte=cutoff),
        "accepted": invitations.filter(accepted_at__isnull=False),
        "revoked": invitations.filter(revoked_at__isnull=False),
    }[status]


def people():
    """Everyone with a role, for the People page: staff and each country's liaisons."""
    users = get_user_model().objects.select_related("liaison_profile").prefetch_related("groups")
    return users.filter(Q(groups__name__in=[COORDINATORS, VIEWERS]) | Q(liaison_profile__isnull=False)).distinct()
