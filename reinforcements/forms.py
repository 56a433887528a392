from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from reinforcements.country_order import by_country_name, sorted_codes
from reinforcements.models import ReinforcementRequest, Specialty
from reinforcements.templatetags.staff import country_label


class LoginForm(AuthenticationForm):
    pass


def country_choices(blank=True):
    choices = [(code, country_label(code)) for code in sorted_codes()]
    return ([("", _("All countries"))] if blank else []) + choices


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
        if self.instance.pk and self.instance.status != ReinforcementRequest.Status.DRAFT:
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
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


# Each sort, then the country's name (in the page's language) to break ties; "pk" keeps pages stable.
SORTS = {
    "country": ("authority",),
    "-country": ("authority",),
    "status": ("status",),
    "response_due": ("response_due",),
    "-response_due": ("-response_due",),
    "requested": ("requested",),
    "-requested": ("-requested",),
}


def request_order(sort: str) -> list:
    """order_by() terms of a request list sorted by `sort` (a SORTS key; unknown: by country)."""
    sort = sort if sort in SORTS else "country"
    by_name = by_country_name("country", descending=sort == "-country")
    if sort in ("country", "-country"):
        return [by_name, *SORTS[sort], "pk"]
    return [*SORTS[sort], by_name, "pk"]


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    authority = forms.ChoiceField(label=_("Authority"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    specialty = forms.ModelChoiceField(
        label=_("Specialty"), required=False, queryset=Specialty.objects.all(), to_field_name="code",
        empty_label=_("All specialties"),
    )  # fmt: skip
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("country", _("Country A→Z")),
            ("-country", _("Country Z→A")),
            ("status", _("Status")),
            ("response_due", _("Response due, soonest")),
            ("-response_due", _("Response due, latest")),
            ("-requested", _("Most requested")),
            ("requested", _("Fewest requested")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *ReinforcementRequest.Status.choices]
        self.fields["authority"].choices = [("", _("All authorities")), *ReinforcementRequest.Authority.choices]
        self.fields["country"].choices = country_choices()

    def filter(self, qs):
        if not self.is_valid():
            return qs.order_by(*request_order("country"))
        data = self.cleaned_data
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["authority"]:
            qs = qs.filter(authority=data["authority"])
        if data["country"]:
            qs = qs.filter(country=data["country"])
        if data["specialty"]:
            qs = qs.filter(lines__specialty=data["specialty"])
        return qs.order_by(*request_order(data["sort"]))
