from django import forms
from django.utils.translation import gettext_lazy as _

from deployments.models import Assignment, Venue, VenueNeed
from reinforcements.forms import country_choices


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class VenueForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = ["code", "name", "kind", "address", "latitude", "longitude"]


class NeedForm(forms.ModelForm):
    class Meta:
        model = VenueNeed
        fields = ["specialty", "starts_at", "ends_at", "quantity"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}


class AssignmentForm(forms.Form):
    """Officers of an accepted line (with a quantity) or one accepted K9 team, for a time at the venue."""

    source = forms.RegexField(label=_("Who"), regex=r"^(line|team):\d+$", widget=forms.Select)
    quantity = forms.IntegerField(label=_("Officers"), min_value=1, required=False, help_text=_("for officer lines"))
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    role = forms.CharField(label=_("Role"), max_length=200, required=False)

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].widget.choices = [("", "—"), *sources]
        self.fields["source"].error_messages["invalid"] = _("Choose officers or a K9 team from the list.")

    def clean(self):
        data = super().clean()
        if data.get("source", "").startswith("line:") and not data.get("quantity"):
            self.add_error("quantity", _("Say how many officers of this line to assign."))
        return data


class MoveForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    quantity = forms.IntegerField(label=_("Officers"), min_value=1, required=False)
    role = forms.CharField(label=_("Role"), max_length=200, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignmentFilterForm(forms.Form):
    venue = forms.ModelChoiceField(
        label=_("Venue"), required=False, queryset=Venue.objects.none(), to_field_name="code",
        empty_label=_("All venues"),
    )  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, venues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        self.fields["status"].choices = [("", _("All statuses")), *Assignment.Status.choices]
        self.fields["country"].choices = country_choices()
