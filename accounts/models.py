import datetime as dt
import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.countries import country_code
from reinforcements.models import Language

INVITATION_DAYS = 7


def secret_hash(secret: str) -> str:
    """Links carry the secret, the table only its SHA-256: a leaked table opens no account."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Invitation(models.Model):
    """A coordinator's invitation: the account exists from the start (no usable password), the
    link in the email lets its owner choose one, once, within INVITATION_DAYS."""

    class Role(models.TextChoices):
        LIAISON = "liaison", _("Liaison officer")
        COORDINATOR = "coordinator", _("Coordinator")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("user")
    )
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    country = models.CharField(_("country"), max_length=2, blank=True, validators=[country_code])
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.EN)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "secret_hash"])

    class Meta:
        indexes = [
            models.Index(fields=["updated_at", "id"], name="invitation_updated"),
        ]
        ordering = ["-sent_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(role="liaison", country__regex=r"^[A-Z]{2}$") | (~Q(role="liaison") & Q(country="")),
                name="accounts_invitation_country_for_liaisons",
                violation_error_message=_("A liaison officer needs a country; staff have none."),
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="accounts_invitation_one_pending_per_user",
                violation_error_message=_("This person already has a pending invitation."),
            ),
        ]

    def __str__(self):
        return self.email

    @property
    def expires_at(self) -> dt.datetime:
        return self.sent_at + dt.timedelta(days=INVITATION_DAYS)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        return self.is_pending and timezone.now() >= self.expires_at


class AccountEvent(models.Model):
    """Who deactivated, reactivated or unlocked whom, and when (the user table keeps no history)."""

    class Action(models.TextChoices):
        DEACTIVATED = "deactivated", _("Deactivated")
        REACTIVATED = "reactivated", _("Reactivated")
        UNLOCKED = "unlocked", _("Unlocked")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_events", verbose_name=_("user")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("account event")
        verbose_name_plural = _("account events")

    def __str__(self):
        return f"{self.user} {self.action}"
