from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import multiline


class DecisionForm(forms.Form):
    """Officers accepted per line (0..offered) and accept/refuse per K9 team, with a note."""

    decision_note = forms.CharField(
        label=_("Decision note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), validators=[multiline]
    )

    def __init__(self, *args, lines, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines, self.teams = lines, teams
        # What the country withdrew alone is shown, not decided (pledges.transitions.decide_pledge).
        self.decided_lines = [line for line in lines if not line.is_withdrawn]
        self.decided_teams = [team for team in teams if not team.is_withdrawn]
        for line in self.decided_lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=_("Officers accepted"), min_value=0, max_value=line.officers_offered,
                initial=line.officers_accepted if line.officers_accepted else line.officers_offered,
            )  # fmt: skip
            line.field = self[f"line_{line.pk}"]
        for team in self.decided_teams:
            self.fields[f"team_{team.pk}"] = forms.BooleanField(label=_("Accept"), required=False, initial=True)
            team.field = self[f"team_{team.pk}"]

    def decision(self) -> dict:
        return {
            "decision_note": self.cleaned_data["decision_note"],
            "lines": {line.pk: self.cleaned_data[f"line_{line.pk}"] for line in self.decided_lines},
            "k9_teams": {team.pk: self.cleaned_data[f"team_{team.pk}"] for team in self.decided_teams},
        }


class ChangesForm(forms.Form):
    note = forms.CharField(
        label=_("What should change"), widget=forms.Textarea(attrs={"rows": 2}), validators=[multiline]
    )


class AmendmentDecisionForm(forms.Form):
    """Accept or reject each change of a pending amendment, with a note (pledges.amendment_transitions.decide_amendment)."""

    CHOICES = [("accept", _("Accept")), ("reject", _("Reject"))]

    decision_note = forms.CharField(
        label=_("Decision note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), validators=[multiline]
    )

    def __init__(self, *args, amendment, **kwargs):
        super().__init__(*args, **kwargs)
        self.amendment = amendment
        self.changes = list(amendment.changes.all())
        for change in self.changes:
            self.fields[f"change_{change.pk}"] = forms.ChoiceField(
                label=_("Decision"), choices=self.CHOICES, widget=forms.RadioSelect,
                error_messages={"required": _("Accept or reject this change.")},
            )  # fmt: skip
            change.field = self[f"change_{change.pk}"]

    def decision(self) -> dict:
        return {
            "decision_note": self.cleaned_data["decision_note"],
            "changes": {c.pk: self.cleaned_data[f"change_{c.pk}"] == "accept" for c in self.changes},
        }
