"""Venues and their needs."""

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect

from core.history import save_by
from core.pages import apply_errors, page, paginate, staff_page
from deployments.forms import NeedForm, VenueForm
from deployments.queries import visible_needs, visible_venues
from reinforcements.queries import operation_of


@staff_page
def venue_list(request, op):
    operation = operation_of(request, op)
    venues = visible_venues(request.user).filter(operation=operation).annotate(need_count=Count("needs"))
    return page(request, "deployments/venue_list.html", {
        "operation": operation, "section": "venues", "page_obj": paginate(request, venues.order_by("code")),
    })  # fmt: skip


def _save_venue(request, form, operation):
    venue = form.save(commit=False)
    venue.operation = operation
    try:
        venue.validate_constraints()
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    return save_by(venue, request.user)


@staff_page
def venue_create(request, op):
    operation = operation_of(request, op)
    form = VenueForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (venue := _save_venue(request, form, operation)):
        return redirect("venue_detail", venue.pk)
    return page(request, "deployments/venue_form.html", {
        "operation": operation, "section": "venues", "form": form, "venue": None,
    })  # fmt: skip


def _visible_venue(request, pk):
    return get_object_or_404(visible_venues(request.user).select_related("operation"), pk=pk)


@staff_page
def venue_edit(request, pk):
    venue = _visible_venue(request, pk)
    form = VenueForm(request.POST or None, instance=venue)
    if request.method == "POST" and form.is_valid() and _save_venue(request, form, venue.operation):
        return redirect("venue_detail", venue.pk)
    return page(request, "deployments/venue_form.html", {
        "operation": venue.operation, "section": "venues", "form": form, "venue": venue,
    })  # fmt: skip


@staff_page
def venue_detail(request, pk):
    venue = _visible_venue(request, pk)
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        need = form.save(commit=False)
        need.venue = venue
        save_by(need, request.user)
        return redirect("venue_detail", venue.pk)
    needs = venue.needs.select_related("specialty").order_by("starts_at", "specialty")
    return page(request, "deployments/venue_detail.html", {
        "operation": venue.operation, "section": "venues", "venue": venue, "form": form,
        "page_obj": paginate(request, needs),
    })  # fmt: skip


@staff_page
def need_edit(request, pk):
    need = get_object_or_404(visible_needs(request.user).select_related("venue__operation"), pk=pk)
    form = NeedForm(request.POST or None, instance=need)
    if request.method == "POST":
        if request.POST.get("delete"):
            need._history_user = request.user
            need.delete()
            return redirect("venue_detail", need.venue_id)
        if form.is_valid():
            save_by(form.save(commit=False), request.user)
            return redirect("venue_detail", need.venue_id)
    return page(request, "deployments/need_form.html", {
        "operation": need.venue.operation, "section": "venues", "form": form, "need": need,
    })  # fmt: skip
