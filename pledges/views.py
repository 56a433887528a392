"""Pledge pages: the list and the review where a coordinator decides. Moves go through pledges.transitions."""

from django import forms
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.countries import by_country_name, country_choices, country_label
from core.exports import export, export_time
from core.filterbar import Shown, filter_bar
from core.pages import attempt, list_page, page, staff_page
from core.roles import is_coordinator
from pledges import amendment_transitions, transitions
from pledges.filters import K9TeamFilter, PledgeFilter
from pledges.forms import AmendmentDecisionForm, ChangesForm, DecisionForm
from pledges.models import K9Team, Pledge, PledgeLine
from pledges.queries import amendments_of, visible_amendments, visible_k9_teams, visible_pledges
from reinforcements.queries import operation_of


def _pledge_filters(request, operation):
    # Subqueries, not joins: summing lines beside counting teams would multiply each other.
    # What stands: lines and teams withdrawn alone no longer count.
    lines = PledgeLine.objects.filter(pledge=OuterRef("pk"), withdrawn_at__isnull=True).values("pledge")
    teams = K9Team.objects.filter(pledge=OuterRef("pk"), withdrawn_at__isnull=True).values("pledge")
    qs = (
        visible_pledges(request.user)
        .filter(request__operation=operation)
        .exclude(status=Pledge.Status.DRAFT)  # a draft is still the country's own work
        .select_related("request", "decided_by")
        .annotate(
            offered=Coalesce(Subquery(lines.annotate(n=Sum("officers_offered")).values("n")), 0),
            accepted_officers=Coalesce(Subquery(lines.annotate(n=Sum("officers_accepted")).values("n")), 0),
            teams=Coalesce(Subquery(teams.annotate(n=Count("id")).values("n")), 0),
        )
    )
    shown = {
        "status": Shown(gettext_lazy("Status"), gettext_lazy("All statuses")),
        "country": Shown(gettext_lazy("Country"), choices=country_choices()),
    }
    return filter_bar(
        PledgeFilter, request, qs.order_by(by_country_name("request__country"), "-submitted_at", "pk"), shown
    )


@staff_page
def pledge_list(request, op):
    operation = operation_of(request, op)
    return list_page(
        request, "pledges/pledge_list.html", _pledge_filters(request, operation), operation=operation,
        section="pledges", export="pledge_export",
    )  # fmt: skip


@staff_page
def pledge_export(request, op):
    operation = operation_of(request, op)
    qs = _pledge_filters(request, operation).qs
    headers = [_("Pledge"), _("Country"), _("Country code"), _("Authority"), _("Status"), _("Commander"),
               _("Contact"), _("Officers offered"), _("Officers accepted"), _("K9 teams"), _("Submitted at"),
               _("Decided at"), _("Decision note")]  # fmt: skip
    rows = (
        [p.pk, country_label(p.request.country), p.request.country, p.request.get_authority_display(),
         p.get_status_display(), p.commander_name, p.commander_contact, p.offered, p.accepted_officers, p.teams,
         export_time(p.submitted_at), export_time(p.decided_at), p.decision_note]
        for p in qs.iterator(chunk_size=500)
    )  # fmt: skip
    return export(request, f"pledges-{operation.code}", headers, rows)


def _team_filters(request, operation):
    qs = (
        visible_k9_teams(request.user)
        .filter(pledge__request__operation=operation)
        .exclude(pledge__status=Pledge.Status.DRAFT)  # a draft is still the country's own work
        .select_related("pledge__request__operation")
        .order_by(by_country_name("pledge__request__country"), "handler_name", "pk")
    )
    yes_no = [("", gettext_lazy("Any")), ("true", gettext_lazy("Ready")), ("false", gettext_lazy("Not ready"))]
    shown = {
        "country": Shown(gettext_lazy("Country"), choices=country_choices()),
        "ready": Shown(gettext_lazy("Border readiness"), widget=forms.Select(choices=yes_no)),
        "detection": Shown(gettext_lazy("Detection"), gettext_lazy("All detections")),
        "certification_expires_before": Shown(
            gettext_lazy("Certification expires before"), widget=forms.DateInput(attrs={"type": "date"})
        ),
    }
    return filter_bar(K9TeamFilter, request, qs, shown)


@staff_page
def k9_team_list(request, op):
    """Every K9 team of the operation, all countries: border readiness, detection, certification."""
    operation = operation_of(request, op)
    return list_page(
        request, "pledges/k9_team_list.html", _team_filters(request, operation), operation=operation,
        section="k9_teams", export="k9_team_export",
    )  # fmt: skip


@staff_page
def k9_team_export(request, op):
    operation = operation_of(request, op)
    qs = _team_filters(request, operation).qs
    headers = [_("Country"), _("Country code"), _("Pledge"), _("Handler"), _("Dog"), _("Detection"),
               _("Certification expires on"), _("Accepted"), _("Microchip"), _("Pet passport or health certificate"),
               _("Rabies vaccinated on"), _("Echinococcus treated on"), _("Ready from"), _("Missing")]  # fmt: skip
    rows = (
        [country_label(t.pledge.request.country), t.pledge.request.country, t.pledge_id, t.handler_name, t.dog_name,
         t.get_detection_display(), t.certification_expires_on, t.accepted, t.microchip, t.pet_passport,
         t.rabies_vaccinated_on, t.echinococcus_treated_on, t.ready_from, ", ".join(t.readiness)]
        for t in qs.iterator(chunk_size=500)
    )  # fmt: skip
    return export(request, f"k9-teams-{operation.code}", headers, rows)


def _review_context(request, pledge, decision_form=None, changes_form=None, amendment_form=None):
    if decision_form is None:
        decision_form = DecisionForm(
            lines=list(pledge.lines.select_related("specialty")), teams=list(pledge.k9_teams.all())
        )
    lines, teams = decision_form.lines, decision_form.teams
    for team in teams:
        # A dog whose certification lapses before the request's period ends cannot work its last days.
        team.expires_early = team.certification_expires_on < pledge.request.period_end
    amendments = list(amendments_of(pledge))
    pending = next((a for a in amendments if a.can("decide")), None)
    if amendment_form is None and pending is not None and is_coordinator(request.user):
        amendment_form = AmendmentDecisionForm(amendment=pending)
    elif amendment_form is not None:
        # The bound form's amendment, in the list, carries its fields.
        amendments = [amendment_form.amendment if a.pk == amendment_form.amendment.pk else a for a in amendments]
    return {
        "amendments": amendments, "decide_form": amendment_form,
        "operation": pledge.request.operation, "section": "pledges", "pledge": pledge, "req": pledge.request,
        "request_lines": pledge.request.lines.select_related("specialty"), "lines": lines, "teams": teams,
        "decision_form": decision_form, "changes_form": changes_form or ChangesForm(),
        "history": pledge.history.select_related("history_user").order_by("-history_date")[:40],
    }  # fmt: skip


def _visible_pledge(request, pk):
    return get_object_or_404(visible_pledges(request.user).select_related("request__operation"), pk=pk)


@staff_page
def pledge_review(request, pk):
    pledge = _visible_pledge(request, pk)
    return page(request, "pledges/pledge_review.html", _review_context(request, pledge))


@require_POST
@staff_page
def pledge_decide(request, pk):
    pledge = _visible_pledge(request, pk)
    form = DecisionForm(
        request.POST, lines=list(pledge.lines.select_related("specialty")), teams=list(pledge.k9_teams.all())
    )
    if form.is_valid() and attempt(
        request, transitions.decide_pledge, pledge.pk, form=form, success=_("Decision recorded; the country is told."),
        **form.decision(),
    ):  # fmt: skip
        return redirect("pledge_review", pledge.pk)
    return page(request, "pledges/pledge_review.html", _review_context(request, pledge, decision_form=form))


@require_POST
@staff_page
def pledge_request_changes(request, pk):
    pledge = _visible_pledge(request, pk)
    form = ChangesForm(request.POST)
    if form.is_valid() and attempt(
        request, transitions.request_changes, pledge.pk, form=form, note=form.cleaned_data["note"],
        success=_("Changes requested; the country is told."),
    ):  # fmt: skip
        return redirect("pledge_review", pledge.pk)
    return page(request, "pledges/pledge_review.html", _review_context(request, pledge, changes_form=form))


@require_POST
@staff_page
def amendment_decide(request, pk):
    amendment = get_object_or_404(visible_amendments(request.user).select_related("pledge"), pk=pk)
    pledge = _visible_pledge(request, amendment.pledge_id)
    amendment = amendments_of(pledge).get(pk=amendment.pk)
    form = AmendmentDecisionForm(request.POST, amendment=amendment)
    if form.is_valid() and attempt(
        request, amendment_transitions.decide_amendment, amendment.pk, form=form,
        success=_("Decision on the amendment recorded; the country is told."), **form.decision(),
    ):  # fmt: skip
        return redirect("pledge_review", pledge.pk)
    return page(request, "pledges/pledge_review.html", _review_context(request, pledge, amendment_form=form))
