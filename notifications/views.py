"""The staff inbox: a user's own in-app notifications. Reading one is the user's own business, not a
lifecycle move, so a viewer may mark their notifications read too."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.filterbar import Shown, chosen, filter_bar
from core.pages import page
from core.roles import is_staff_reader
from notifications.filters import NotificationFilter
from notifications.reading import mark_all_read, mark_read, own_notifications


def _staff_only(user):
    if not is_staff_reader(user):
        raise Http404


@login_required
def inbox(request):
    _staff_only(request.user)
    qs = own_notifications(request.user).order_by("-created_at", "-id")
    filterset = filter_bar(NotificationFilter, request, qs, {"unread": Shown(_("Unread only"))})
    unread_only = bool(chosen(filterset, "unread"))
    page_obj = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return page(request, "notifications/inbox.html", {"page_obj": page_obj, "unread_only": unread_only})


@require_POST
@login_required
def read(request, pk):
    _staff_only(request.user)
    notification = mark_read(get_object_or_404(own_notifications(request.user), pk=pk))
    target = notification.url
    if request.POST.get("open") and target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("inbox")


@require_POST
@login_required
def read_all(request):
    _staff_only(request.user)
    mark_all_read(request.user)
    return redirect("inbox")
