from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.countries import language_code
from core.lifecycle import Lifecycle
from core.text import single_line
from pledges.models import K9Team, LegalStatus, Pledge, PledgeLine
from reinforcements.models import Operation, Specialty


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Venue(models.Model):
    class Kind(models.TextChoices):
        STADIUM = "stadium", _("Stadium")
        ARENA = "arena", _("Arena")
        RIVER_SEGMENT = "river_segment", _("River segment")
        FAN_ZONE = "fan_zone", _("Fan zone")
        TRANSPORT_HUB = "transport_hub", _("Transport hub")
        VILLAGE = "village", _("Village")
        OTHER = "other", _("Other")

    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="venues", verbose_name=_("operation")
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200, validators=[single_line])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    address = models.CharField(_("address"), max_length=300, blank=True, validators=[single_line])
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        indexes = [
            models.Index(fields=["updated_at", "id"], name="venue_updated"),
        ]
        ordering = ["operation", "code"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "code"],
                name="deployments_venue_code_unique_per_operation",
                violation_error_message=_("This operation already has a venue with this code."),
            ),
        ]

    def __str__(self):
        return self.name


class VenuePair(models.Model):
    """A travel time between two venues that overrides the straight-line estimate (SPEC §10): a river
    between them, a closed road. Unordered: (A, B) and (B, A) are the same pair."""

    venue_a = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+", verbose_name=_("venue"))
    venue_b = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+", verbose_name=_("other venue"))
    minutes = models.PositiveIntegerField(
        _("travel minutes"), validators=[MinValueValidator(0), MaxValueValidator(1440)]
    )
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        indexes = [
            models.Index(fields=["updated_at", "id"], name="venuepair_updated"),
        ]
        ordering = ["venue_a", "venue_b"]
        verbose_name = _("venue pair")
        verbose_name_plural = _("venue pairs")
        constraints = [
            models.UniqueConstraint(
                Least("venue_a", "venue_b"),
                Greatest("venue_a", "venue_b"),
                name="deployments_venuepair_unique_unordered",
                violation_error_message=_("These two venues already have a travel time."),
            ),
            models.CheckConstraint(
                condition=~Q(venue_a=F("venue_b")),
                name="deployments_venuepair_two_venues",
                violation_error_message=_("A travel time is between two different venues."),
            ),
            models.CheckConstraint(
                condition=Q(minutes__lte=1440),
                name="deployments_venuepair_minutes_in_a_day",
                violation_error_message=_("A travel time is at most 1440 minutes."),
            ),
        ]

    def __str__(self):
        return f"{self.venue_a.code} ↔ {self.venue_b.code}: {self.minutes} min"

    def clean(self):
        if self.venue_a_id and self.venue_b_id and self.venue_a.operation_id != self.venue_b.operation_id:
            raise ValidationError({"venue_b": _("Both venues must belong to the same operation.")})


class VenueNeed(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="needs", verbose_name=_("venue"))
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+", verbose_name=_("specialty"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    # What those who cover it must be (SPEC §3, §10: language_mismatch, legal_status_mismatch); empty or
    # null asks nothing.
    languages = ArrayField(
        models.CharField(max_length=2, validators=[language_code]), default=list, blank=True,
        verbose_name=_("languages"), help_text=_("At least one of these must be spoken by those who cover it."),
    )  # fmt: skip
    legal_status = models.CharField(
        _("legal status"), max_length=20, choices=LegalStatus.choices, null=True, blank=True
    )
    armed = models.BooleanField(_("armed"), null=True, blank=True)
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["venue", "starts_at", "specialty"]
        verbose_name = _("venue need")
        verbose_name_plural = _("venue needs")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="venueneed_updated"),
            models.Index(fields=["venue", "specialty", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")),
                name="deployments_venueneed_starts_before_end",
                violation_error_message=_("A need must start before it ends."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1),
                name="deployments_venueneed_quantity_positive",
                violation_error_message=_("A need is for at least one."),
            ),
            models.CheckConstraint(
                condition=Q(legal_status__isnull=True) | Q(legal_status__in=LegalStatus.values),
                name="deployments_venueneed_legal_status_known",
                violation_error_message=_("Choose civil police, gendarmerie or military."),
            ),
        ]

    def __str__(self):
        return f"{self.venue.code}: {self.quantity} × {self.specialty.name}"

    def clean(self):
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValidationError({"ends_at": _("A need must start before it ends.")})

    @property
    def requirements_text(self) -> str:
        """What it asks of those who cover it, e.g. "speaks es / en · Gendarmerie · armed"; "" for nothing."""
        parts = []
        if self.languages:
            parts.append(_("speaks %(languages)s") % {"languages": " / ".join(self.languages)})
        if self.legal_status:
            parts.append(str(LegalStatus(self.legal_status).label))
        if self.armed is not None:
            parts.append(str(_("armed") if self.armed else _("unarmed")))
        return " · ".join(parts)


class Assignment(Lifecycle, models.Model):
    """Officers of an accepted pledge line, or one accepted K9 team, at a venue for a time."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CONFIRMED = "confirmed", _("Confirmed")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    # Not over yet: a withdrawal of its pledge cancels it.
    OPEN_STATUSES = frozenset({Status.PLANNED, Status.CONFIRMED, Status.ACTIVE})
    # SPEC §4: each move and the states it may start from ("move": another venue, time or quantity).
    MOVES = {
        "move": frozenset({Status.PLANNED, Status.CONFIRMED}),
        "confirm": frozenset({Status.PLANNED}),
        "start": frozenset({Status.PLANNED, Status.CONFIRMED}),
        "complete": frozenset({Status.ACTIVE}),
        "cancel": OPEN_STATUSES,
        # Nobody reported for duty: a cancellation with its own reason (deployments.transitions.record_no_show).
        "no_show": frozenset({Status.PLANNED, Status.CONFIRMED}),
    }

    # Derived from the line or team when created, never changed: scoping and withdrawal read it.
    pledge = models.ForeignKey(
        Pledge, on_delete=models.PROTECT, related_name="assignments", editable=False, verbose_name=_("pledge")
    )
    pledge_line = models.ForeignKey(
        PledgeLine, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments",
        verbose_name=_("officer line"),
    )  # fmt: skip
    quantity = models.PositiveIntegerField(_("officers"), null=True, blank=True)
    k9_team = models.ForeignKey(
        K9Team, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments", verbose_name=_("K9 team")
    )
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("venue"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    role = models.CharField(_("role"), max_length=200, blank=True, validators=[single_line])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    status_reason = models.TextField(_("reason"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False,
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="assignment_updated"),
            models.Index(fields=["venue", "starts_at"]),
            models.Index(
                fields=["pledge_line", "starts_at"], condition=~Q(status="cancelled"), name="assign_line_open"
            ),
            models.Index(fields=["status", "starts_at"]),
            # Who is on duty at a venue during a window (coverage of a need, the planner): an overlap
            # search, index-only thanks to INCLUDE (EXPLAIN on the games-scale data: 2.4 s -> 0.6 s).
            GistIndex(
                F("venue"),
                TsTzRange("starts_at", "ends_at", RangeBoundary()),
                name="assign_venue_span_open",
                condition=~Q(status="cancelled"),
                include=["starts_at", "ends_at", "quantity", "pledge_line", "k9_team"],
            ),
            # A line's assignments overlapping a window (a placement's timeline, read by capacity and duty:
            # deployments/rules/timeline.py; line_peak_load; the planner's
            # free officers of every line on a day): an overlap search, not a scan of every assignment
            # the line ever had (EXPLAIN on the games-scale data, biggest line, 10,500 assignments:
            # 2.3 ms -> 0.2 ms; a planner day across 567 lines: 35 ms -> 4 ms).
            GistIndex(
                F("pledge_line"),
                TsTzRange("starts_at", "ends_at", RangeBoundary()),
                name="assign_line_span_open",
                condition=Q(pledge_line__isnull=False) & ~Q(status="cancelled"),
                include=["starts_at", "ends_at", "quantity"],
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(pledge_line__isnull=False, quantity__gte=1, k9_team__isnull=True)
                    | Q(pledge_line__isnull=True, quantity__isnull=True, k9_team__isnull=False)
                ),
                name="deployments_assignment_line_xor_team",
                violation_error_message=_("Assign either officers of a pledge line (with a quantity) or one K9 team."),
            ),
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")),
                name="deployments_assignment_starts_before_end",
                violation_error_message=_("An assignment must start before it ends."),
            ),
            # SPEC §5: a K9 team is never in two overlapping live assignments, even under concurrency.
            ExclusionConstraint(
                name="deployments_assignment_k9_no_overlap",
                expressions=[
                    ("k9_team", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=Q(k9_team__isnull=False) & ~Q(status="cancelled"),
                violation_error_message=_("This K9 team is already assigned at an overlapping time."),
            ),
        ]

    def __str__(self):
        who = self.k9_team if self.k9_team_id else f"{self.quantity} × {self.pledge_line}"
        return f"{who} @ {self.venue.code}"

    @property
    def country(self) -> str:
        return self.pledge.request.country

    @property
    def source(self):
        """The officer line or the K9 team placed."""
        return self.k9_team if self.k9_team_id else self.pledge_line

    @property
    def has_started(self) -> bool:
        """Its start has passed (the real clock, not the demo's): from then on a no-show may be recorded
        (deployments.transitions.record_no_show); pages offer the button on the same test."""
        return self.start_passed(self.starts_at)

    @staticmethod
    def start_passed(starts_at) -> bool:
        """has_started's test, for pages that hold an assignment's values rather than the instance."""
        return starts_at <= timezone.now()


class Proposal(models.Model):
    """A solver's answer to "who, from the accepted capacity not used, can fill these gaps?" (SPEC §10):
    computed by a Celery task, shown, then applied in one transaction (deployments.proposals)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        APPLIED = "applied", _("Applied")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("operation")
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("venue")
    )
    specialty = models.ForeignKey(
        Specialty, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("specialty")
    )
    from_date = models.DateField(_("from"), null=True, blank=True)
    to_date = models.DateField(_("to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RUNNING, editable=False
    )
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, validators=[MaxValueValidator(100)], editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False,
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    # assignments, coverage_before, coverage_after, uncovered, fingerprint, stats (deployments.proposals)
    result = models.JSONField(_("result"), default=dict, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["updated_at", "id"], name="proposal_updated")]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="deployments_proposal_progress_at_most_100",
                violation_error_message=_("Progress is at most 100."),
            ),
            models.CheckConstraint(
                condition=Q(from_date__isnull=True) | Q(to_date__isnull=True) | Q(from_date__lte=F("to_date")),
                name="deployments_proposal_dates_in_order",
                violation_error_message=_("The last day comes before the first."),
            ),
        ]

    def __str__(self):
        return f"{self.operation.code} proposal {self.pk}"

    @property
    def is_running(self) -> bool:
        return self.status == self.Status.RUNNING

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def has_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def has_result(self) -> bool:
        return self.status in (self.Status.READY, self.Status.APPLIED)
