from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.countries import LanguagesField
from core.text import multiline, single_line
from deployments.models import Venue, VenueNeed


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class LongSelect(forms.Select):
    """A select with thousands of options (every source of a Games day), written in Python: the
    stock widget renders one template per option, about 0.2 ms each."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))

        def option(key, label):
            key = str(key)
            mark = " selected" if key in selected else ""
            return f'<option value="{conditional_escape(key)}"{mark}>{conditional_escape(label)}</option>'

        parts = []
        for key, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(f'<optgroup label="{conditional_escape(key)}">')
                parts.extend(option(k, v) for k, v in label)
                parts.append("</optgroup>")
            else:
                parts.append(option(key, label))
        final_attrs = flatatt({**self.build_attrs(self.attrs, attrs), "name": name})
        return mark_safe(f"<select{final_attrs}>{''.join(parts)}</select>")  # every part is escaped above


class VenueForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = ["code", "name", "kind", "address", "latitude", "longitude"]


class NeedForm(forms.ModelForm):
    languages = LanguagesField(label=_("Languages"))
    armed = forms.NullBooleanField(label=_("Armed"), widget=forms.NullBooleanSelect)

    class Meta:
        model = VenueNeed
        fields = ["specialty", "starts_at", "ends_at", "quantity", "languages", "legal_status", "armed"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}
        help_texts = {"legal_status": _("Leave blank to take any.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["armed"].widget.choices = [("unknown", _("Either")), ("true", _("Armed")), ("false", _("Unarmed"))]


class AssignmentForm(forms.Form):
    """Officers of an accepted line (with a quantity) or one accepted K9 team, for a time at the venue."""

    source = forms.RegexField(label=_("Who"), regex=r"^(line|team):\d+$", widget=LongSelect)
    quantity = forms.IntegerField(label=_("Officers"), min_value=1, required=False, help_text=_("for officer lines"))
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    role = forms.CharField(label=_("Role"), max_length=200, required=False, validators=[single_line])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].error_messages["invalid"] = _("Choose officers or a K9 team from the list.")

    def offer(self, sources):
        """The option groups of the "Who" list; what is posted is checked by the transition, not by them."""
        self.fields["source"].widget.choices = [("", "—"), *sources]

    def clean(self):
        data = super().clean()
        if data.get("source", "").startswith("line:") and not data.get("quantity"):
            self.add_error("quantity", _("Say how many officers of this line to assign."))
        return data


class MoveForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    quantity = forms.IntegerField(label=_("Officers"), min_value=1, required=False)
    role = forms.CharField(label=_("Role"), max_length=200, required=False, validators=[single_line])


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), validators=[multiline])


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


WEEKDAYS = [
    (1, _("Monday")), (2, _("Tuesday")), (3, _("Wednesday")), (4, _("Thursday")),
    (5, _("Friday")), (6, _("Saturday")), (7, _("Sunday")),
]  # fmt: skip


class DaysForm(forms.Form):
    """A range of days, optionally on some weekdays only: what deployments.bulk checks (and names the
    field of) when it is given them."""

    from_date = forms.DateField(label=_("From day"), widget=DateInput())
    to_date = forms.DateField(label=_("To day (included)"), widget=DateInput())
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Only on"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("every day when none is ticked"),
    )  # fmt: skip


class BulkForm(AssignmentForm, DaysForm):
    """One source, a daily window (crossing midnight when it ends before it starts), on several days."""

    from_time = forms.TimeField(label=_("Daily from"), widget=TimeInput())
    to_time = forms.TimeField(
        label=_("Daily to"), widget=TimeInput(), help_text=_("at or before the start: ends the next day")
    )
    mode = forms.ChoiceField(
        label=_("If a day breaks a rule"), initial="all", widget=forms.RadioSelect,
        choices=[("all", _("place nothing")), ("fit", _("place the other days"))],
    )  # fmt: skip

    field_order = ["source", "quantity", "role", "from_time", "to_time", "from_date", "to_date", "weekdays", "mode"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["starts_at"], self.fields["ends_at"]
        self.order_fields(self.field_order)


class CopyDayForm(DaysForm):
    """Copy every live assignment of the shown venue and day to a range of days (mode fit)."""
