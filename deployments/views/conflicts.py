"""The conflicts page (SPEC §10): every live assignment that breaks a rule now, narrowed by rule and
country — the same list as GET /api/v1/conflicts/."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.countries import country_label, is_country
from core.pages import page, paginate, staff_page
from deployments.conflicts import RULES, conflicts
from reinforcements.models import ReinforcementRequest
from reinforcements.queries import operation_of
from reinforcements.rules import MODE_RULES


class ConflictFilterForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, operation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("All rules"))] + [(code, MODE_RULES[code]) for code in RULES]
        countries = (
            ReinforcementRequest.objects.filter(operation=operation).values_list("country", flat=True).distinct()
        )
        named = sorted(((c, country_label(c)) for c in countries if is_country(c)), key=lambda c: c[1])
        self.fields["country"].choices = [("", _("All countries")), *named]


@staff_page
def conflict_list(request, op):
    operation = operation_of(request, op)
    form = ConflictFilterForm(request.GET or None, operation=operation)
    rule = country = None
    if form.is_valid():
        rule, country = form.cleaned_data["rule"] or None, form.cleaned_data["country"] or None
    found = conflicts(operation, rule=rule, country=country) if not form.is_bound or form.is_valid() else []
    return page(request, "deployments/conflict_list.html", {
        "operation": operation, "section": "conflicts", "form": form, "page_obj": paginate(request, found),
        "total": len(found), "labels": MODE_RULES,
    })  # fmt: skip
