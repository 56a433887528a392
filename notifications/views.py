"""The staff inbox: a user's own in-app notifications. Reading one is the user's own business, not a
lifecycle move, so a viewer may mark their notifications read too."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications.reading import mark_all_read, mark_read, own_notifications
from reinforcements.roles import is_staff_reader
from reinforcements.web import page


def _staff_only(user):
    if not is_staff_reader(user):
        raise Http404


@login_required
def inbox(request):
    _staff_only(request.user)
    unread_only = request.GET.get("unread") == "1"
    qs = own_notifications(request.user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page_obj = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
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
