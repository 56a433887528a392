"""The staff inbox: a user's own in-app notifications. Reading one is the user's own business, not a
lifecycle move, so a viewer may mark their notifications read too. And the webhooks page (SPEC §12):
viewers read it, coordinators change it (routes in staff/urls.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.filterbar import Shown, chosen, filter_bar
from core.pages import page, staff_page
from core.roles import is_staff_reader
from notifications.filters import NotificationFilter
from notifications.forms import WebhookForm
from notifications.reading import mark_all_read, mark_read, own_notifications
from notifications.webhooks import change_webhook, delete_webhook, register_webhook, visible_webhooks


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


@staff_page
def webhooks(request):
    """The hooks; coordinators add them here. The secret is shown in this answer only, so the page
    is rendered rather than redirected to."""
    form, created = WebhookForm(), None
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                created = register_webhook(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                form = WebhookForm()
    hooks = visible_webhooks(request.user).order_by("pk")
    return page(request, "notifications/webhooks.html", {"hooks": hooks, "form": form, "created": created})


@staff_page
def webhook_detail(request, pk):
    """A hook and its delivery log, newest first."""
    hook = get_object_or_404(visible_webhooks(request.user), pk=pk)
    page_obj = Paginator(hook.deliveries.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return page(request, "notifications/webhook_detail.html", {"hook": hook, "page_obj": page_obj})


@require_POST
@staff_page
def webhook_switch(request, pk):
    """Disable or enable a hook (`on` = 1 or 0)."""
    hook = get_object_or_404(visible_webhooks(request.user), pk=pk)
    change_webhook(hook.pk, actor=request.user, is_active=request.POST.get("on") == "1")
    return redirect("webhook_detail", pk=hook.pk)


@require_POST
@staff_page
def webhook_delete(request, pk):
    hook = get_object_or_404(visible_webhooks(request.user), pk=pk)
    delete_webhook(hook.pk, actor=request.user)
    return redirect("webhooks")
