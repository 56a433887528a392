import datetime as dt
import functools

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.countries import language_code
from core.lifecycle import Lifecycle
from core.text import multiline, single_line
from pledges.readiness import RABIES_WAIT, border_checklist, border_missing, border_ready_from, microchip_number
from reinforcements.models import ReinforcementRequest, Specialty


class Pledge(Lifecycle, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        ACCEPTED = "accepted", _("Accepted")
        PARTIALLY_ACCEPTED = "partially_accepted", _("Partially accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Still the country's to change: its lines and teams can be edited (SPEC §4).
    EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.CHANGES_REQUESTED})
    # Capacity that can be placed at venues.
    ACCEPTED_STATUSES = frozenset({Status.ACCEPTED, Status.PARTIALLY_ACCEPTED})
    # The country's answer to its request (a draft or a withdrawn pledge is not one).
    ANSWER_STATUSES = frozenset({Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.REJECTED, *ACCEPTED_STATUSES})
    # SPEC §4: each move and the states it may start from ("edit": its header, lines and teams).
    MOVES = {
        "edit": EDITABLE_STATUSES,
        "submit": EDITABLE_STATUSES,
        "request_changes": frozenset({Status.SUBMITTED}),
        "decide": frozenset({Status.SUBMITTED}),
        "withdraw": frozenset({Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED, *ACCEPTED_STATUSES}),
        # Single lines or teams (SPEC §4, amendments): once the pledge is with the ministry. Before, the
        # country edits its lines and teams instead.
        "withdraw_part": frozenset({Status.SUBMITTED, *ACCEPTED_STATUSES}),
        # A change set for the coordinators (SPEC §4, amendments), once the pledge is with the ministry.
        "amend": frozenset({Status.SUBMITTED, *ACCEPTED_STATUSES}),
    }

    request = models.ForeignKey(
        ReinforcementRequest, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("request")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    commander_name = models.CharField(_("commander's name"), max_length=200, validators=[single_line])
    commander_contact = models.CharField(_("commander's contact"), max_length=200, validators=[single_line])
    notes = models.TextField(_("notes"), blank=True, validators=[multiline])
    decision_note = models.TextField(_("decision note"), blank=True, editable=False)
    changes_note = models.TextField(_("changes requested"), blank=True, editable=False)
    withdraw_reason = models.TextField(_("withdrawal reason"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False,
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("submitted by"),
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="pledge_updated"),
            models.Index(fields=["status", "submitted_at"]),
            # Lists are newest first (Meta.ordering): a page is read off this index and stops after its
            # rows, instead of sorting every pledge of the operation (3 ms at Games scale, 0.5 ms with it).
            models.Index(fields=["-created_at", "-id"], name="pledges_pledge_newest"),
        ]

    def __str__(self):
        return _("Pledge #%(id)s (%(country)s)") % {"id": self.pk, "country": self.country}

    @property
    def country(self) -> str:
        return self.request.country

    @property
    def awaits_changes(self) -> bool:
        """Sent back by a coordinator: the country reads `changes_note` and submits again."""
        return self.status == self.Status.CHANGES_REQUESTED


class LegalStatus(models.TextChoices):
    """What a contingent is at home (SPEC §3): it decides where the host's decree lets it serve."""

    CIVIL_POLICE = "civil_police", _("Civil police")
    GENDARMERIE = "gendarmerie", _("Gendarmerie")
    MILITARY = "military", _("Military")


class Powers(models.TextChoices):
    """What the host's decree lets a contingent do (SPEC §3)."""

    OBSERVER = "observer", _("Observer")
    JOINT_PATROL = "joint_patrol", _("Joint patrol")
    FULL = "full", _("Full powers")


def legal_status_text(legal_status, armed, powers) -> str:
    """The one wording of a line's or a team's legal status, in the active language, on every page, roster
    and export: "Gendarmerie · armed · joint patrol" (pledges/templatetags/legal.py hands it to templates)."""
    return _legal_status_text(legal_status, bool(armed), powers, translation.get_language())


@functools.lru_cache(maxsize=256)
def _legal_status_text(legal_status, armed, powers, language) -> str:
    # A planner day labels thousands of teams with a dozen distinct texts: each is worded once per language.
    parts = [str(LegalStatus(legal_status).label) if legal_status in LegalStatus.values else legal_status or ""]
    parts.append(str(_("armed") if armed else _("unarmed")))
    if powers in Powers.values:
        parts.append(str(Powers(powers).label).lower())
    return " · ".join(part for part in parts if part)


class _LegalStatus(models.Model):
    legal_status = models.CharField(
        _("legal status"), max_length=20, choices=LegalStatus.choices, default=LegalStatus.CIVIL_POLICE
    )
    armed = models.BooleanField(_("armed"), default=False)
    powers = models.CharField(_("powers"), max_length=20, choices=Powers.choices, default=Powers.JOINT_PATROL)

    class Meta:
        abstract = True

    @property
    def legal_status_text(self) -> str:
        return legal_status_text(self.legal_status, self.armed, self.powers)


def _legal_constraints(model: str) -> list:
    return [
        models.CheckConstraint(
            condition=Q(legal_status__in=LegalStatus.values),
            name=f"pledges_{model}_legal_status_known",
            violation_error_message=_("Choose civil police, gendarmerie or military."),
        ),
        models.CheckConstraint(
            condition=Q(powers__in=Powers.values),
            name=f"pledges_{model}_powers_known",
            violation_error_message=_("Choose observer, joint patrol or full powers."),
        ),
    ]


class _Availability(models.Model):
    available_from = models.DateField(_("available from"))
    available_to = models.DateField(_("available to"))

    class Meta:
        abstract = True

    def clean(self):
        if self.available_from and self.available_to and self.available_from > self.available_to:
            raise ValidationError({"available_to": _("Availability cannot end before it starts.")})
        request = self.pledge.request if self.pledge_id else None
        if (
            request
            and self.available_from
            and self.available_to
            and (self.available_from < request.period_start or self.available_to > request.period_end)
        ):
            raise ValidationError(
                    {"available_to": _("Availability must lie within the request's period (%(s)s to %(e)s).")
                     % {"s": request.period_start, "e": request.period_end}}
                )  # fmt: skip


class _Withdrawable(models.Model):
    """A line or team its country withdrew from a pledge that stays (SPEC §4): kept, with who, when and why,
    but no longer decided, counted or placed."""

    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("withdrawn by"),
    )  # fmt: skip
    withdraw_reason = models.TextField(_("withdrawal reason"), blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class PledgeLine(_LegalStatus, _Availability, _Withdrawable):
    """An officer contingent of one specialty."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="lines", verbose_name=_("pledge"))
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="+", verbose_name=_("specialty"))
    officers_offered = models.PositiveIntegerField(_("officers offered"))
    officers_accepted = models.PositiveIntegerField(_("officers accepted"), default=0, editable=False)
    languages = ArrayField(
        models.CharField(max_length=2, validators=[language_code]), default=list, blank=True,
        verbose_name=_("languages"),
    )  # fmt: skip
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        indexes = [
            models.Index(fields=["updated_at", "id"], name="pledgeline_updated"),
        ]
        ordering = ["id"]
        verbose_name = _("officer line")
        verbose_name_plural = _("officer lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(officers_offered__gte=1),
                name="pledges_pledgeline_offered_positive",
                violation_error_message=_("Offer at least one officer."),
            ),
            models.CheckConstraint(
                condition=Q(officers_accepted__gte=0) & Q(officers_accepted__lte=F("officers_offered")),
                name="pledges_pledgeline_accepted_within_offer",
                violation_error_message=_("Accepted officers must be between 0 and the number offered."),
            ),
            models.CheckConstraint(
                condition=Q(available_from__lte=F("available_to")),
                name="pledges_pledgeline_availability_ordered",
                violation_error_message=_("Availability cannot end before it starts."),
            ),
            *_legal_constraints("pledgeline"),
        ]

    def __str__(self):
        return f"{self.officers_offered} × {self.specialty.name}"

    def clean(self):
        super().clean()
        if self.specialty_id and self.specialty.is_canine:
            raise ValidationError({"specialty": _("Canine specialties are pledged as K9 teams, not officer lines.")})


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future_date")


class K9Team(_LegalStatus, _Availability, _Withdrawable):
    RABIES_WAIT = RABIES_WAIT

    class Detection(models.TextChoices):
        EXPLOSIVES = "explosives", _("Explosives")
        NARCOTICS = "narcotics", _("Narcotics")
        PATROL = "patrol", _("Patrol")
        SEARCH_RESCUE = "search_rescue", _("Search and rescue")

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="k9_teams", verbose_name=_("pledge"))
    handler_name = models.CharField(_("handler's name"), max_length=200, validators=[single_line])
    dog_name = models.CharField(_("dog's name"), max_length=100, validators=[single_line])
    dog_breed = models.CharField(_("dog's breed"), max_length=100, validators=[single_line])
    detection = models.CharField(_("detection"), max_length=20, choices=Detection.choices)
    certification_expires_on = models.DateField(_("certification expires on"))
    accepted = models.BooleanField(_("accepted"), default=False, editable=False)
    # Border readiness (SPEC §3): blank until known, so a draft can be saved without them.
    microchip = models.CharField(_("microchip"), max_length=15, blank=True, validators=[microchip_number])
    pet_passport = models.CharField(
        _("pet passport or health certificate"), max_length=50, blank=True, validators=[single_line],
        help_text=_("EU pet passport or animal health certificate number."),
    )  # fmt: skip
    rabies_vaccinated_on = models.DateField(
        _("rabies vaccinated on"), null=True, blank=True, validators=[not_in_future]
    )
    echinococcus_treated_on = models.DateField(_("echinococcus treated on"), null=True, blank=True)
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        indexes = [
            models.Index(fields=["updated_at", "id"], name="k9team_updated"),
        ]
        ordering = ["id"]
        verbose_name = _("K9 team")
        verbose_name_plural = _("K9 teams")
        constraints = [
            models.CheckConstraint(
                condition=Q(available_from__lte=F("available_to")),
                name="pledges_k9team_availability_ordered",
                violation_error_message=_("Availability cannot end before it starts."),
            ),
            *_legal_constraints("k9team"),
        ]

    def __str__(self):
        return f"{self.handler_name} & {self.dog_name}"

    # border_checklist's test in SQL, for filters: keep the two together.
    PAPERS_COMPLETE = (
        ~Q(microchip="")
        & ~Q(pet_passport="")
        & Q(rabies_vaccinated_on__isnull=False)
        & (Q(pledge__request__operation__requires_echinococcus=False) | Q(echinococcus_treated_on__isnull=False))
    )

    @property
    def readiness_checklist(self) -> list[tuple[str, bool]]:
        """(what the border asks, whether it is recorded); reads the operation (select
        `pledge__request__operation` for lists)."""
        return border_checklist(
            microchip=self.microchip, pet_passport=self.pet_passport, rabies_vaccinated_on=self.rabies_vaccinated_on,
            echinococcus_treated_on=self.echinococcus_treated_on,
            requires_echinococcus=self.pledge.request.operation.requires_echinococcus,
        )  # fmt: skip

    @property
    def readiness(self) -> list[str]:
        """What is missing for the border, as translated labels; empty when nothing is."""
        return border_missing(self.readiness_checklist)

    @property
    def ready_from(self) -> dt.date | None:
        """The first day the dog may cross, or None while something is missing."""
        return border_ready_from(self.readiness_checklist, self.rabies_vaccinated_on)

    def clean(self):
        super().clean()
        if (
            self.certification_expires_on
            and self.available_from
            and self.certification_expires_on < self.available_from
        ):
            raise ValidationError(
                {"certification_expires_on": _("The certification expires before the team is available.")}
            )


class Amendment(Lifecycle, models.Model):
    """A change set a country sends on a pledge already with the ministry (SPEC §4, amendments): the
    coordinators decide each change alone; the rest of the pledge keeps its decision and assignments."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        DECIDED = "decided", _("Decided")

    # The pledge states a country may amend from.
    PLEDGE_STATUSES = frozenset({Pledge.Status.SUBMITTED, *Pledge.ACCEPTED_STATUSES})
    MOVES = {"decide": frozenset({Status.SUBMITTED})}

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("pledge"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, editable=False
    )
    note = models.TextField(_("note"), blank=True, validators=[multiline])
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False,
        verbose_name=_("submitted by"),
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_note = models.TextField(_("decision note"), blank=True, editable=False)
    # The change feed (SPEC §12): every save moves it; (updated_at, id) is the feed's keyset.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        indexes = [models.Index(fields=["updated_at", "id"], name="amendment_updated")]
        constraints = [
            # One change set at a time: the next one is written against what the coordinators decided.
            models.UniqueConstraint(
                fields=["pledge"],
                condition=Q(status="submitted"),
                name="pledges_amendment_one_pending",
                violation_error_message=_("This pledge already has an amendment awaiting a decision."),
            ),
        ]

    def __str__(self):
        return _("Amendment #%(id)s") % {"id": self.pk}


class AmendmentChange(models.Model):
    """One change of an amendment: what it targets, the line or team before and after (plain JSON, as the
    API writes it), and the coordinators' answer (null until decided)."""

    class Kind(models.TextChoices):
        ADD_LINE = "add_line", _("Line added")
        CHANGE_LINE = "change_line", _("Line changed")
        REMOVE_LINE = "remove_line", _("Line removed")
        ADD_TEAM = "add_team", _("K9 team added")
        CHANGE_TEAM = "change_team", _("K9 team changed")
        REMOVE_TEAM = "remove_team", _("K9 team removed")

    LINE_KINDS = frozenset({Kind.ADD_LINE, Kind.CHANGE_LINE, Kind.REMOVE_LINE})

    amendment = models.ForeignKey(
        Amendment, on_delete=models.CASCADE, related_name="changes", verbose_name=_("amendment")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The line's or team's id; for an addition, the id it got once accepted.
    target = models.PositiveIntegerField(_("target"), null=True, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("amendment change")
        verbose_name_plural = _("amendment changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["add_line", "change_line", "remove_line", "add_team", "change_team", "remove_team"]
                ),
                name="pledges_amendmentchange_kind_known",
                violation_error_message=_("Unknown kind of change."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.target or '-'}"

    @property
    def is_line(self) -> bool:
        return self.kind in self.LINE_KINDS

    def diff(self) -> list[tuple[str, object, object]]:
        """(field label, before, after) for every field a change touches, in a stable order (an addition or
        a removal: none, its `summary` says what it is)."""
        if not (self.before and self.after):
            return []
        model = PledgeLine if self.is_line else K9Team
        keys = [
            key for key in dict.fromkeys([*self.before, *self.after]) if self.before.get(key) != self.after.get(key)
        ]
        return [
            (str(model._meta.get_field(key).verbose_name), self.before.get(key), self.after.get(key)) for key in keys
        ]

    @property
    def summary(self) -> str:
        """The line or team in a few words, as it was (removed, changed) or is to be (added)."""
        data = self.before or self.after or {}
        if self.is_line:
            return _("%(n)s officers (%(specialty)s)") % {
                "n": data.get("officers_offered"), "specialty": data.get("specialty"),
            }  # fmt: skip
        return f"{data.get('handler_name')} & {data.get('dog_name')}"
