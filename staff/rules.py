"""The settings page of an operation's rules (SPEC §10): the rules and their modes, and the travel
times between venue pairs. The rules are validated by reinforcements.rules, as over the API."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.history import save_by
from core.pages import apply_errors, page, staff_page
from deployments.models import VenuePair
from deployments.queries import visible_venue_pairs, visible_venues
from reinforcements.queries import operation_of
from reinforcements.rules import MODE_CHOICES, MODE_RULES, VALUES, validate_rules


class RulesForm(forms.Form):
    """One field per rule value, and one mode per rule code."""

    def __init__(self, *args, operation, **kwargs):
        rules = operation.rule_set
        super().__init__(*args, initial={**rules, **{f"mode_{c}": m for c, m in rules["modes"].items()}}, **kwargs)
        for name, (_default, low, high, whole, label, help_text) in VALUES.items():
            field = forms.IntegerField if whole else forms.DecimalField
            self.fields[name] = field(label=label, help_text=help_text, min_value=low, max_value=high)
        for code, label in MODE_RULES.items():
            self.fields[f"mode_{code}"] = forms.ChoiceField(
                label=label, choices=MODE_CHOICES, help_text=gettext_lazy("Code: %(code)s") % {"code": code}
            )

    def rules(self) -> dict:
        values = {name: self.cleaned_data[name] for name in VALUES}
        return values | {"modes": {code: self.cleaned_data[f"mode_{code}"] for code in MODE_RULES}}


class VenuePairForm(forms.ModelForm):
    class Meta:
        model = VenuePair
        fields = ["venue_a", "venue_b", "minutes"]

    def __init__(self, *args, venues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue_a"].queryset = venues
        self.fields["venue_b"].queryset = venues


def _context(request, operation, form=None, pair_form=None):
    venues = visible_venues(request.user).filter(operation=operation).order_by("code")
    pairs = visible_venue_pairs(request.user).filter(venue_a__operation=operation).select_related("venue_a", "venue_b")
    return {
        "operation": operation, "section": "rules", "form": form or RulesForm(operation=operation),
        "pair_form": pair_form or VenuePairForm(venues=venues), "pairs": pairs.order_by("venue_a__code", "venue_b__code"),
    }  # fmt: skip


@staff_page
def operation_rules(request, op):
    operation = operation_of(request, op)
    form = RulesForm(request.POST or None, operation=operation)
    if request.method == "POST" and form.is_valid():
        try:
            operation.rules = validate_rules(form.rules(), base=operation.rules)
        except ValidationError as exc:
            fields = {(f"mode_{k[6:]}" if k.startswith("modes.") else k): v for k, v in exc.message_dict.items()}
            apply_errors(form, ValidationError(fields))
        else:
            save_by(operation, request.user)
            messages.success(request, _("Rules saved. Placements from now on are checked against them."))
            return redirect("operation_rules", operation.code)
    return page(request, "staff/operation_rules.html", _context(request, operation, form=form))


@require_POST
@staff_page
def venue_pair_add(request, op):
    operation = operation_of(request, op)
    venues = visible_venues(request.user).filter(operation=operation)
    form = VenuePairForm(request.POST, venues=venues)
    if form.is_valid():
        pair = form.save(commit=False)
        try:
            pair.full_clean()
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            save_by(pair, request.user)
            messages.success(request, _("Travel time saved."))
            return redirect("operation_rules", operation.code)
    return page(request, "staff/operation_rules.html", _context(request, operation, pair_form=form))


@require_POST
@staff_page
def venue_pair_delete(request, op, pk):
    operation = operation_of(request, op)
    pair = get_object_or_404(visible_venue_pairs(request.user), pk=pk, venue_a__operation=operation)
    pair._history_user = request.user
    pair.delete()
    messages.success(request, _("Travel time removed."))
    return redirect("operation_rules", operation.code)
