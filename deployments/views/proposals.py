"""The proposals page (SPEC §10): ask for a proposal for a scope, watch its progress (htmx polling), read it
(cover before and after, the assignments by country and venue, what stays uncovered and why), apply all or
the ticked ones — the same calls as /api/v1/proposals/."""

from collections import defaultdict

from django import forms
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _

from core.countries import country_label
from core.pages import attempt, page, staff_page
from deployments import proposals
from deployments.models import Venue
from deployments.queries import visible_proposals
from reinforcements.models import Specialty
from reinforcements.queries import operation_of


class ProposalForm(forms.Form):
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none(), required=False,
                                   empty_label=_("All venues"))  # fmt: skip
    specialty = forms.ModelChoiceField(label=_("Specialty"), queryset=Specialty.objects.all(), required=False,
                                       empty_label=_("All specialties"))  # fmt: skip
    from_date = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    to_date = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, operation, **kwargs):
        super().__init__(*args, **kwargs)
        self.operation = operation
        self.fields["venue"].queryset = Venue.objects.filter(operation=operation)

    def clean(self):
        data = super().clean()
        op = self.operation
        for field in ("from_date", "to_date"):
            day = data.get(field)
            if day is not None and not op.starts_on <= day <= op.ends_on:
                self.add_error(
                    field, _("The operation runs from %(s)s to %(e)s.") % {"s": op.starts_on, "e": op.ends_on}
                )
        if data.get("from_date") and data.get("to_date") and data["to_date"] < data["from_date"]:
            self.add_error("to_date", _("The last day comes before the first."))
        return data


@staff_page
def proposal_list(request, op):
    operation = operation_of(request, op)
    form = ProposalForm(request.POST or None, operation=operation)
    if request.method == "POST" and form.is_valid():
        proposal = attempt(request, proposals.request_proposal, operation=operation, **form.cleaned_data, form=form)
        if proposal:
            return redirect("proposal_detail", pk=proposal.pk)
    recent = visible_proposals(request.user).filter(operation=operation).select_related("venue", "specialty")[:20]
    return page(request, "deployments/proposal_list.html", {
        "operation": operation, "section": "proposals", "form": form, "recent": recent,
    })  # fmt: skip


@staff_page
def proposal_detail(request, pk):
    proposal = get_object_or_404(visible_proposals(request.user).select_related("operation", "venue"), pk=pk)
    if request.method == "POST":
        # The ticked ones; none ticked is refused ("choose at least one"), never read as "all".
        indexes = [int(i) for i in request.POST.getlist("assignment") if i.isdigit()]
        placed = attempt(request, proposals.apply_proposal, proposal.pk, indexes=indexes,
                         success=_("The proposal was applied."))  # fmt: skip
        if placed:
            return redirect("planner", op=proposal.operation.code)
        return redirect("proposal_detail", pk=proposal.pk)
    result = proposal.result or {}
    grouped = defaultdict(lambda: defaultdict(list))
    for i, item in enumerate(result.get("assignments", [])):
        grouped[country_label(item["country"])][item["venue"]].append({"index": i, **item})
    changed = {(c["venue"], c["specialty"], c["starts_at"]): c for c in result.get("coverage_after", [])}
    cover = [
        {**before, "after": changed.get((before["venue"], before["specialty"], before["starts_at"]), before)["assigned"]}
        for before in result.get("coverage_before", [])
    ]  # fmt: skip
    return page(request, "deployments/proposal_detail.html", {
        "operation": proposal.operation, "section": "proposals", "proposal": proposal,
        "grouped": {country: dict(venues) for country, venues in sorted(grouped.items())},
        "cover": [c for c in cover if c["after"] != c["assigned"] or c["assigned"] < c["needed"]],
        "uncovered": result.get("uncovered", []), "stats": result.get("stats", {}), "htmx_partial": "status",
    })  # fmt: skip
