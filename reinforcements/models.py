from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.countries import country_code
from core.lifecycle import Lifecycle
from core.text import multiline, single_line
from reinforcements.rules import default_rules, rules_with_defaults, validate_rules


class Language(models.TextChoices):
    FR = "fr", _("French")
    EN = "en", _("English")


class User(AbstractUser):
    """Ministry staff and liaison officers; the role comes from groups or a LiaisonProfile."""

    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN,
        help_text=_("Language of the pages and of the notifications this user receives."),
    )  # fmt: skip


class Operation(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    host_country = models.CharField(_("host country"), max_length=2, validators=[country_code])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    # Some hosts ask dogs for a tapeworm treatment before entry (SPEC §3, K9 border readiness).
    requires_echinococcus = models.BooleanField(
        _("requires echinococcus treatment"), default=False,
        help_text=_("K9 teams must record an echinococcus (tapeworm) treatment to be ready."),
    )  # fmt: skip
    # SPEC §10: the placement rules and each one's mode (reinforcements.rules says the shape).
    rules = models.JSONField(_("rules"), default=default_rules, blank=True)
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        indexes = [
            models.Index(fields=["updated_at", "id"], name="operation_updated"),
        ]
        ordering = ["-starts_on", "code"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")),
                name="reinforcements_operation_dates_ordered",
                violation_error_message=_("An operation cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError({"timezone": _("Unknown time zone.")}) from exc
        try:
            self.rules = validate_rules(self.rules or {})
        except ValidationError as exc:
            named = [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()] if hasattr(exc, "error_dict") else None
            raise ValidationError({"rules": named or exc.messages}) from exc

    @property
    def rule_set(self) -> dict:
        """The rules with every key present (reinforcements.rules)."""
        return rules_with_defaults(self.rules)


class Specialty(models.Model):
    """Reference data, seeded by migration 0002."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, validators=[single_line])
    name_fr = models.CharField(_("name (French)"), max_length=100, validators=[single_line])
    is_canine = models.BooleanField(_("canine"), default=False)

    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["updated_at", "id"], name="specialty_updated"),
        ]
        ordering = ["is_canine", "code"]
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_fr if translation.get_language() == "fr" else self.name_en


class ReinforcementRequest(Lifecycle, models.Model):
    class Authority(models.TextChoices):
        INTERIOR = "interior", _("Interior (police)")
        DEFENCE = "defence", _("Defence (military specialists)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        CLOSED = "closed", _("Closed")

    # Sent to the country and awaiting its answer: pledges can be made on it.
    OPEN_STATUSES = frozenset({Status.SENT, Status.ACKNOWLEDGED})
    # SPEC §4, what hangs from a request follows it: once ended, nothing more is pledged, submitted,
    # decided or placed on it (pledges.transitions.require_request_live) ...
    ENDED_STATUSES = frozenset({Status.DECLINED, Status.CANCELLED, Status.CLOSED})
    # ... and these endings also cancel the open assignments of its pledges (a closed request keeps them).
    STAND_DOWN_STATUSES = frozenset({Status.DECLINED, Status.CANCELLED})
    # SPEC §4: each move and the states it may start from ("pledge": a pledge made on the request).
    MOVES = {
        "amend": frozenset({Status.DRAFT, *OPEN_STATUSES}),
        "send": frozenset({Status.DRAFT}),
        "acknowledge": frozenset({Status.SENT}),
        "decline": OPEN_STATUSES,
        "cancel": frozenset({Status.DRAFT, *OPEN_STATUSES}),
        "close": OPEN_STATUSES,
        "pledge": OPEN_STATUSES,
    }

    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="requests", verbose_name=_("operation")
    )
    country = models.CharField(_("country"), max_length=2, validators=[country_code])
    authority = models.CharField(_("authority"), max_length=10, choices=Authority.choices, default=Authority.INTERIOR)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    response_due = models.DateField(_("response due"), null=True, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    message = models.TextField(_("message to the country"), blank=True, validators=[multiline])
    internal_notes = models.TextField(_("internal notes"), blank=True, validators=[multiline])
    status_reason = models.TextField(_("reason"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])

    class Meta:
        ordering = ["operation", "country", "authority"]
        verbose_name = _("reinforcement request")
        verbose_name_plural = _("reinforcement requests")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="request_updated"),
            models.Index(fields=["operation", "status"]),
            models.Index(fields=["country", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "country", "authority"],
                name="reinforcements_request_one_per_country_authority",
                violation_error_message=_("This operation already has a request to this country from this authority."),
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")),
                name="reinforcements_request_period_ordered",
                violation_error_message=_("The period cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.operation.code} / {self.country} / {self.authority}"

    @property
    def is_draft(self) -> bool:
        """Not sent yet: edited freely, nobody told. Once sent its addressee is fixed and its liaisons are told."""
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def has_ended(self) -> bool:
        return self.status in self.ENDED_STATUSES

    def clean(self):
        if self.operation_id and self.period_start and self.period_end:
            op = self.operation
            if self.period_start < op.starts_on or self.period_end > op.ends_on:
                raise ValidationError(
                    {"period_end": _("The period must lie within the operation's dates (%(s)s to %(e)s).")
                     % {"s": op.starts_on, "e": op.ends_on}}
                )  # fmt: skip


class RequestLine(models.Model):
    """Officers asked for, or teams where the specialty is canine."""

    request = models.ForeignKey(
        ReinforcementRequest, on_delete=models.CASCADE, related_name="lines", verbose_name=_("request")
    )
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+", verbose_name=_("specialty"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        indexes = [
            models.Index(fields=["updated_at", "id"], name="requestline_updated"),
        ]
        ordering = ["id"]
        verbose_name = _("request line")
        verbose_name_plural = _("request lines")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "specialty"],
                name="reinforcements_requestline_one_per_specialty",
                violation_error_message=_("A request has one line per specialty."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1),
                name="reinforcements_requestline_quantity_positive",
                violation_error_message=_("Ask for at least one."),
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.specialty.name}"


class LiaisonProfile(models.Model):
    """Makes a user the liaison officer of exactly one country."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="liaison_profile", verbose_name=_("user")
    )
    country = models.CharField(_("country"), max_length=2, validators=[country_code], db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[single_line])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("liaison profile")
        verbose_name_plural = _("liaison profiles")

    def __str__(self):
        return f"{self.user} ({self.country})"

    @property
    def language(self) -> str:
        # One place for a person's language: the user's own field (pages and notifications).
        return self.user.language
