"""Every change to an account: invite, resend, revoke, accept, deactivate, reactivate, unlock.
Pages, the API and the admin call these; each checks who may, and records who did it and when."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import lockout, mail
from accounts.models import AccountEvent, Invitation, secret_hash
from accounts.tokens import revoke_all
from core.countries import is_country
from core.errors import DomainError
from core.history import save_by
from core.roles import COORDINATORS, VIEWERS, require_coordinator
from reinforcements.models import LiaisonProfile

User = get_user_model()
STAFF_GROUPS = {Invitation.Role.COORDINATOR: COORDINATORS, Invitation.Role.VIEWER: VIEWERS}


class InvitationRefused(Exception):
    """A link that opens nothing: unknown (or altered), used, revoked, expired, or its account deactivated."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _clean(email: str, role: str, country: str, language: str) -> tuple[str, str]:
    email = (email or "").strip().lower()
    errors = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid email address.")
    if role not in Invitation.Role.values:
        errors["role"] = _("Choose liaison, coordinator or viewer.")
    country = (country or "").strip().upper()
    if role == Invitation.Role.LIAISON:
        if not country or not is_country(country):
            errors["country"] = _("A liaison officer needs a country: an ISO 3166-1 alpha-2 code such as PL.")
    elif country:
        errors["country"] = _("Only liaison officers belong to a country.")
    if language not in ("en", "fr"):
        errors["language"] = _("Choose English or French.")
    if errors:
        raise ValidationError(errors)
    return email, country


def _account_for(email: str) -> User:
    """The account an invitation opens: a new one, or one whose earlier invitation lapsed unused."""
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is None:
        user = User.objects.select_for_update().filter(username__iexact=email).first()
    if user is None:
        return User(username=email, email=email)
    if user.has_usable_password() or user.last_login is not None:
        raise ValidationError({"email": _("This address already has an account.")})
    if user.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).exists():
        raise ValidationError({"email": _("This address already has a pending invitation: resend it instead.")})
    return user


def _give_role(user, role: str, country: str, actor) -> None:
    user.groups.remove(*Group.objects.filter(name__in=STAFF_GROUPS.values()))
    profile = LiaisonProfile.objects.filter(user=user).first()
    if role == Invitation.Role.LIAISON:
        profile = profile or LiaisonProfile(user=user)
        profile.country = country
        save_by(profile, actor)
    else:
        if profile is not None:
            profile._history_user = actor
            profile.delete()
        user.groups.add(Group.objects.get(name=STAFF_GROUPS[role]))


@transaction.atomic
def invite(*, email: str, role: str, country: str = "", language: str = "en", actor) -> Invitation:
    """Coordinators only: makes the account (no usable password) and emails its one-time link."""
    require_coordinator(actor)
    email, country = _clean(email, role, country, language)
    user = _account_for(email)
    user.email, user.language, user.is_active = email, language, True
    user.set_unusable_password()
    user.save()
    _give_role(user, role, country, actor)
    secret = secrets.token_urlsafe(32)
    invitation = Invitation(
        user=user, email=email, role=role, country=country, language=language, invited_by=actor,
        secret_hash=secret_hash(secret),
    )  # fmt: skip
    save_by(invitation, actor)
    mail.send_invitation(invitation, secret)
    return invitation


def _pending(invitation_id: int) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation_id)
    if not invitation.is_pending:
        raise DomainError(_("This invitation was already accepted or revoked."), code="invitation_closed")
    return invitation


@transaction.atomic
def resend(invitation_id: int, *, actor) -> Invitation:
    """A pending invitation, expired or not, gets a new link for 7 more days; the old link stops working."""
    require_coordinator(actor)
    invitation = _pending(invitation_id)
    secret = secrets.token_urlsafe(32)
    invitation.secret_hash, invitation.sent_at = secret_hash(secret), timezone.now()
    save_by(invitation, actor)
    mail.send_invitation(invitation, secret)
    return invitation


@transaction.atomic
def revoke(invitation_id: int, *, actor) -> Invitation:
    """A pending invitation ends; its unused account is deactivated."""
    require_coordinator(actor)
    invitation = _pending(invitation_id)
    invitation.revoked_at = timezone.now()
    save_by(invitation, actor)
    User.objects.filter(pk=invitation.user_id).update(is_active=False)
    return invitation


def invitation_for(secret: str) -> Invitation:
    """The invitation a link opens, or InvitationRefused saying why, without naming anyone."""
    invitation = Invitation.objects.select_related("user").filter(secret_hash=secret_hash(secret or "")).first()
    if invitation is None:
        raise InvitationRefused(_("This invitation link is not valid. Ask a coordinator for a new invitation."))
    if invitation.accepted_at is not None:
        raise InvitationRefused(_("This invitation link was already used. Log in, or reset your password."))
    if invitation.revoked_at is not None or not invitation.user.is_active:
        raise InvitationRefused(_("This invitation was withdrawn. Ask a coordinator if you think this is wrong."))
    if invitation.is_expired:
        raise InvitationRefused(_("This invitation link has expired. Ask a coordinator to send it again."))
    return invitation


@transaction.atomic
def accept(secret: str, *, password: str) -> User:
    """The invitee chooses a password (validated by the form): the link is spent."""
    invitation = invitation_for(secret)
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    invitation_for(secret)  # again under the lock: two tabs cannot both spend it
    user = invitation.user
    user.set_password(password)
    user.save()
    invitation.accepted_at = timezone.now()
    save_by(invitation, user)
    return user


@transaction.atomic
def deactivate(user_id: int, *, actor) -> User:
    """Coordinators only, not themselves: sessions stop at the next request (an inactive user is
    nobody to the auth backends), tokens are deleted now, pending invitations revoked."""
    require_coordinator(actor)
    if user_id == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    user = User.objects.select_for_update().get(pk=user_id)
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoke_all(user)
    user.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), updated_at=Now()
    )
    AccountEvent.objects.create(user=user, actor=actor, action=AccountEvent.Action.DEACTIVATED)
    return user


@transaction.atomic
def reactivate(user_id: int, *, actor) -> User:
    require_coordinator(actor)
    user = User.objects.select_for_update().get(pk=user_id)
    user.is_active = True
    user.save(update_fields=["is_active"])
    AccountEvent.objects.create(user=user, actor=actor, action=AccountEvent.Action.REACTIVATED)
    return user


@transaction.atomic
def unlock(user_id: int, *, actor) -> User:
    """Forget the user's failed sign-ins, so a locked-out user may try again at once."""
    require_coordinator(actor)
    user = User.objects.get(pk=user_id)
    lockout.unlock(user.get_username())
    AccountEvent.objects.create(user=user, actor=actor, action=AccountEvent.Action.UNLOCKED)
    return user
