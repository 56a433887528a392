"""Forms of the liaison portal. Row forms are ModelForms so that the models' own `clean()`
(availability inside the request period, no canine officer line, certification) gives the
field errors; the transitions run the same checks again inside their transaction."""

import re

from django import forms
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from core.countries import is_language
from core.text import multiline
from pledges.models import K9Team, Pledge, PledgeLine
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
    languages = forms.CharField(
        label=_("Languages"), required=False, help_text=_("ISO 639-1 codes separated by commas, e.g. pl,en,fr")
    )

    class Meta:
        model = PledgeLine
        fields = ["specialty", "officers_offered", "available_from", "available_to", "languages"]
        labels = {
            "available_from": _("Available from"),
            "available_to": _("Available to"),
        }
        widgets = {"available_from": DateInput(), "available_to": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "languages" not in kwargs.get("initial", {}):
            self.initial["languages"] = ",".join(self.instance.languages or [])

    def clean_languages(self):
        codes = [code.lower() for code in re.split(r"[\s,;]+", self.cleaned_data.get("languages") or "") if code]
        bad = [code for code in codes if not is_language(code)]
        if bad:
            raise forms.ValidationError(
                _("Not an ISO 639-1 language code: %(codes)s. Use two-letter codes such as pl, en, fr.")
                % {"codes": ", ".join(bad)}
            )
        return codes


class K9TeamForm(_RowForm):
    class Meta:
        model = K9Team
        fields = [
            "handler_name", "dog_name", "dog_breed", "detection",
            "certification_expires_on", "available_from", "available_to",
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
        self.existing = {obj.pk: obj for obj in getattr(pledge, self.related_name).all()} if pledge.pk else {}
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


class RosterImportForm(forms.Form):
    KINDS = [("lines", _("Officer lines")), ("k9_teams", _("K9 teams"))]

    kind = forms.ChoiceField(label=_("What the file lists"), choices=KINDS, widget=forms.RadioSelect, initial="lines")
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        allow_empty_file=True,
    )
