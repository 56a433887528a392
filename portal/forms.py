"""Forms of the liaison portal. Row forms are ModelForms so that the models' own `clean()`
(availability inside the request period, no canine officer line, certification) gives the
field errors; the transitions run the same checks again inside their transaction."""

from django import forms
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from core.countries import LanguagesField
from core.text import multiline
from pledges.models import K9Team, Pledge, PledgeLine
from pledges.transitions import LEGAL_FIELDS
from reinforcements.models import Specialty


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PledgeForm(forms.ModelForm):
    class Meta:
        model = Pledge
        fields = ["commander_name", "commander_contact", "notes"]
        labels = {
            "commander_name": _("Commander's name"),
            "commander_contact": _("Commander's contact (phone or email)"),
            "notes": _("Notes for the ministry"),
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class _RowForm(forms.ModelForm):
    """One officer line or K9 team; `row_id` names an existing row of the pledge."""

    row_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A roster file need not say it: left blank, the row keeps its status (the model's default when new).
        for name in ("legal_status", "powers"):
            self.fields[name].required = False

    def has_changed(self):
        # A legal status or powers left out (a roster file's row, a blank row) is no change: it keeps the default.
        return any(
            name not in ("legal_status", "powers") or self[name].data not in (None, "") for name in self.changed_data
        )

    def _clean_or_keep(self, name):
        return self.cleaned_data.get(name) or getattr(self.instance, name)

    def clean_legal_status(self):
        return self._clean_or_keep("legal_status")

    def clean_powers(self):
        return self._clean_or_keep("powers")

    def validate_constraints(self):
        # The row's check constraints (offered >= 1, from <= to) are already field and clean()
        # rules here; `update_pledge` and the database check them again. Skipping their
        # per-row SELECTs keeps a roster import of hundreds of rows quick.
        pass

    def row(self) -> dict:
        """The field dict `create_pledge`/`update_pledge` take."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        if self.instance.pk:
            data["id"] = self.instance.pk
        return data


class PledgeLineForm(_RowForm):
    specialty = forms.ModelChoiceField(
        queryset=Specialty.objects.filter(is_canine=False),
        label=_("Specialty"),
        error_messages={
            "invalid_choice": _("Choose a specialty for officers; dog teams are pledged as K9 teams."),
        },
    )

    officers_offered = forms.IntegerField(
        label=_("Officers offered"), min_value=1, error_messages={"min_value": _("Offer at least one officer.")}
    )
    languages = LanguagesField(label=_("Languages"))

    class Meta:
        model = PledgeLine
        fields = ["specialty", "officers_offered", "available_from", "available_to", "languages", *LEGAL_FIELDS]
        labels = {
            "available_from": _("Available from"),
            "available_to": _("Available to"),
        }
        widgets = {"available_from": DateInput(), "available_to": DateInput()}


class K9TeamForm(_RowForm):
    class Meta:
        model = K9Team
        fields = [
            "handler_name", "dog_name", "dog_breed", "detection",
            "certification_expires_on", "available_from", "available_to", *LEGAL_FIELDS,
            "microchip", "pet_passport", "rabies_vaccinated_on", "echinococcus_treated_on",
        ]  # fmt: skip
        labels = {
            "handler_name": _("Handler"),
            "dog_name": _("Dog"),
            "dog_breed": _("Breed"),
            "detection": _("Detection"),
            "certification_expires_on": _("Certification expires on"),
            "available_from": _("Available from"),
            "available_to": _("Available to"),
            "microchip": _("Microchip (15 digits)"),
            "pet_passport": _("Pet passport or health certificate"),
            "rabies_vaccinated_on": _("Rabies vaccinated on"),
            "echinococcus_treated_on": _("Echinococcus treated on"),
        }
        widgets = {
            "certification_expires_on": DateInput(),
            "available_from": DateInput(),
            "available_to": DateInput(),
            "rabies_vaccinated_on": DateInput(),
            "echinococcus_treated_on": DateInput(),
        }


class _RowFormSet(BaseFormSet):
    """Rows are added and removed in place (htmx), so indexes may have gaps and every row is
    "extra": an existing row is recognised by its `row_id`, never by its position."""

    def __init__(self, *args, pledge: Pledge, **kwargs):
        self.pledge = pledge
        # A row withdrawn alone stays as it is (pledges.transitions._save_children): not offered for editing.
        rows = getattr(pledge, self.related_name).filter(withdrawn_at__isnull=True) if pledge.pk else ()
        self.existing = {obj.pk: obj for obj in rows}
        initial = kwargs.pop("initial", None)
        if initial is None and not args and "data" not in kwargs:
            initial = [{"row_id": pk} for pk in self.existing]
        super().__init__(*args, initial=initial, **kwargs)
        if not self.is_bound:
            self.extra = len(self.initial or [])

    def initial_form_count(self):
        return 0

    def _construct_form(self, i, **kwargs):
        if self.is_bound:
            raw = self.data.get(f"{self.add_prefix(i)}-row_id") or ""
            pk = int(raw) if raw.isdigit() else None
        else:
            pk = (self.initial[i] if self.initial and i < len(self.initial) else {}).get("row_id")
        instance = self.existing.get(pk)
        kwargs["instance"] = instance or self.form._meta.model(pledge=self.pledge)
        # A blank new row is ignored; a known row is always validated (even unchanged).
        kwargs["empty_permitted"] = instance is None
        form = super()._construct_form(i, **kwargs)
        # One query for the specialty list of every row, not one per row.
        if "specialty" in form.fields:
            if not hasattr(self, "_specialty_choices"):
                self._specialty_choices = list(form.fields["specialty"].choices)
            form.fields["specialty"].choices = self._specialty_choices
        return form

    def rows(self) -> list[dict]:
        return [form.row() for form in self.forms if form.has_changed() or form.instance.pk]


class PledgeLineFormSet(formset_factory(PledgeLineForm, formset=_RowFormSet, extra=0)):
    related_name = "lines"


class K9TeamFormSet(formset_factory(K9TeamForm, formset=_RowFormSet, extra=0)):
    related_name = "k9_teams"


def row_form(kind: str, index: int, pledge: Pledge):
    """A blank row for the htmx "add" button, with the formset's prefix and index."""
    form_class, prefix = ROW_KINDS[kind]
    return form_class(
        prefix=f"{prefix}-{index}",
        instance=form_class._meta.model(pledge=pledge),
        empty_permitted=True,
        use_required_attribute=False,
    )


ROW_KINDS = {"lines": (PledgeLineForm, "lines"), "k9_teams": (K9TeamForm, "k9")}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, validators=[multiline]
    )


class NoShowForm(forms.Form):
    """What happened, when nobody reported for duty: the ministry reads it with the no-show."""

    reason = forms.CharField(
        label=_("What happened (the ministry is told)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
        validators=[multiline], error_messages={"required": _("Say what happened: the ministry reads it with the no-show.")},
    )  # fmt: skip


class PartialWithdrawalForm(ReasonForm):
    """Some lines and teams of a pledge, withdrawn alone with a reason (the pledge stays). Prefixed: it shares
    its page with the whole pledge's withdrawal form."""

    prefix = "part"

    lines = forms.TypedMultipleChoiceField(
        label=_("Officer lines"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    k9_teams = forms.TypedMultipleChoiceField(
        label=_("K9 teams"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, pledge: Pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [(o.pk, str(o)) for o in pledge.lines.all() if not o.is_withdrawn]
        self.fields["k9_teams"].choices = [(o.pk, str(o)) for o in pledge.k9_teams.all() if not o.is_withdrawn]

    def clean(self):
        data = super().clean()
        if not (data.get("lines") or data.get("k9_teams")):
            raise forms.ValidationError(_("Tick at least one line or K9 team to withdraw."))
        return data


class RosterImportForm(forms.Form):
    KINDS = [("lines", _("Officer lines")), ("k9_teams", _("K9 teams"))]

    kind = forms.ChoiceField(label=_("What the file lists"), choices=KINDS, widget=forms.RadioSelect, initial="lines")
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        allow_empty_file=True,
    )


class AmendmentNoteForm(forms.Form):
    note = forms.CharField(
        label=_("What changes, and why (the ministry reads it)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, validators=[multiline],
    )  # fmt: skip
