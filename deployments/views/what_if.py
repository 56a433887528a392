"""The "What if" page (SPEC §10): which needs would fall below cover if a country, pledge, officer line or
K9 team withdrew, from an instant or altogether — the same answer as POST /api/v1/what-if/. A question, not
a change: asked by GET, so viewers may ask it too, and nothing is written. A coordinator may tick "and how to
recover": the proposal that would recover the needs that fall short, computed and never written."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.countries import country_label, is_country
from core.pages import page, paginate, staff_page
from core.roles import is_coordinator
from deployments.forms import DateTimeInput
from deployments.models import Venue
from deployments.what_if import TARGET, Change, InvalidChanges, what_if
from pledges.models import Pledge
from reinforcements.models import Specialty
from reinforcements.queries import operation_of

# The page's fields, in the order a coordinator reads them, and the change each one asks.
WITHDRAWALS = {"country": "withdraw_country", "pledge": "withdraw_pledge", "pledge_line": "withdraw_line",
               "k9_team": "withdraw_team"}  # fmt: skip


class WhatIfForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), required=False)
    pledge = forms.TypedChoiceField(label=_("Pledge"), required=False, coerce=int, empty_value=None)
    pledge_line = forms.IntegerField(label=_("Officer line (number)"), required=False, min_value=1)
    k9_team = forms.IntegerField(label=_("K9 team (number)"), required=False, min_value=1)
    starts = forms.DateTimeField(
        label=_("From"), required=False, widget=DateTimeInput(),
        help_text=_("Only duty from this instant on is lost; empty: all of it."),
    )  # fmt: skip
    repair = forms.BooleanField(label=_("And how to recover"), required=False)

    def __init__(self, *args, operation, repair=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not repair:  # a proposal is a coordinator's: other staff ask the question alone
            del self.fields["repair"]
        pledges = Pledge.objects.filter(request__operation=operation).values_list("id", "request__country")
        pledges = sorted(pledges, key=lambda p: (country_label(p[1]), p[0]))
        named = sorted({(c, country_label(c)) for _id, c in pledges if is_country(c)}, key=lambda c: c[1])
        self.fields["country"].choices = [("", "—"), *named]
        self.fields["pledge"].choices = [("", "—")] + [(pk, f"{country_label(c)} · #{pk}") for pk, c in pledges]

    def clean(self):
        data = super().clean()
        chosen = [name for name in WITHDRAWALS if data.get(name)]
        if len(chosen) != 1:
            raise forms.ValidationError(_("Choose one thing to withdraw: a country, a pledge, a line or a team."))
        return data

    def change(self) -> Change:
        [name] = [name for name in WITHDRAWALS if self.cleaned_data.get(name)]
        return Change(WITHDRAWALS[name], self.cleaned_data[name], self.cleaned_data["starts"])


@staff_page
def what_if_page(request, op):
    operation = operation_of(request, op)
    coordinator = is_coordinator(request.user)
    form = WhatIfForm(request.GET or None, operation=operation, repair=coordinator)
    answer = rows = None
    if form.is_valid():
        change = form.change()
        try:
            answer = what_if(operation, [change], repair=form.cleaned_data.get("repair", False), actor=request.user)
        except InvalidChanges as exc:
            form.add_error(TARGET[change.kind], exc.errors[0][TARGET[change.kind]])
    if answer:
        rows = paginate(request, answer["by_venue"])
        venues = dict(
            Venue.objects.filter(operation=operation, code__in={r["venue"] for r in rows}).values_list("code", "name")
        )
        specialties = {s.code: s.name for s in Specialty.objects.filter(code__in={r["specialty"] for r in rows})}
        for row in rows:
            row["venue_name"], row["specialty_name"] = venues[row["venue"]], specialties[row["specialty"]]
        for country in (answer["repair"] or {}).get("by_country", []):
            country["name"] = country_label(country["country"])
    return page(request, "deployments/what_if.html", {
        "operation": operation, "section": "what_if", "form": form, "answer": answer, "page_obj": rows,
    })  # fmt: skip
