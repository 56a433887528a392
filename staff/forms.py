from django import forms
from django.utils.translation import gettext_lazy as _

from core.countries import country_choices
from core.text import multiline
from reinforcements.models import ReinforcementRequest


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RequestForm(forms.ModelForm):
    """A request and its lines: one quantity field per specialty, blank for none."""

    country = forms.ChoiceField(label=_("Country"))

    class Meta:
        model = ReinforcementRequest
        fields = ["country", "authority", "response_due", "period_start", "period_end", "message", "internal_notes"]
        widgets = {
            "response_due": DateInput(),
            "period_start": DateInput(),
            "period_end": DateInput(),
            "message": forms.Textarea(attrs={"rows": 3}),
            "internal_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, specialties, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices(blank=False)]
        self.specialties = list(specialties)
        for specialty in self.specialties:
            self.fields[f"line_{specialty.code}"] = forms.IntegerField(
                label=specialty.name, min_value=0, required=False,
                initial=(lines or {}).get(specialty.pk),
                help_text=_("teams") if specialty.is_canine else _("officers"),
            )  # fmt: skip
        if self.instance.pk and not self.instance.is_draft:
            # Once sent, the request is addressed: amend its content, not its addressee.
            self.fields["country"].disabled = True
            self.fields["authority"].disabled = True

    def line_fields(self):
        return [self[f"line_{s.code}"] for s in self.specialties]

    def request_fields(self):
        return [self[name] for name in self.Meta.fields]

    def lines(self) -> list[tuple]:
        return [
            (s, self.cleaned_data[f"line_{s.code}"])
            for s in self.specialties
            if self.cleaned_data.get(f"line_{s.code}")
        ]

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if not self.fields[name].disabled}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), validators=[multiline])
