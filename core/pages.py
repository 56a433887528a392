"""What every staff page shares: who may open it, the user's rights, refusals shown as messages,
pagination. Pages call the transition functions; nothing here writes a status. Exports: core.exports."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.roles import is_coordinator, is_staff_reader

PAGE_SIZE = 50


def staff_page(view):
    """Coordinators and viewers only; to anyone else (a liaison) the staff site does not exist: 404.
    A POST is a change: coordinators only, a viewer's forged POST is refused with 403."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_reader(request.user):
            raise Http404
        if request.method == "POST" and not is_coordinator(request.user):
            raise PermissionDenied(_("Only a coordinator may do this."))
        return view(request, *args, **kwargs)

    return wrapper


def page(request, template, context):
    """Render a page with the user's rights; the base layout's menu and unread count come from
    staff.context_processors.navigation."""
    context.setdefault("operation", None)
    context["can_edit"] = is_coordinator(request.user)
    context["read_only"] = not context["can_edit"]
    if request.htmx and "#" not in template and context.get("htmx_partial"):
        template = f"{template}#{context['htmx_partial']}"
    return render(request, template, context)


def paginate(request, queryset, per_page=PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def list_page(request, template, filterset, *, operation, section, export, **context):
    """An operation's filtered list (core.filterbar): the filter bar, a page of the rows (only the
    `results` partial for an htmx request), and the link exporting every filtered row (`export`, a URL name)."""
    return page(request, template, {
        "operation": operation, "section": section, "form": filterset.form,
        "page_obj": paginate(request, filterset.qs),
        "export_url": reverse(export, args=[operation.code]), "htmx_partial": "results", **context,
    })  # fmt: skip


def apply_errors(form, exc: ValidationError) -> None:
    """Put a ValidationError from a model or a transition on the form: on its field when the form has one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def attempt(request, move, *args, form=None, success=None, **kwargs):
    """Call a transition; a refusal becomes a message (or form errors). Returns the result, or None if refused."""
    try:
        result = move(*args, actor=request.user, **kwargs)
    except DomainError as exc:
        if form is not None:
            form.add_error(None, str(exc.message))
        else:
            messages.error(request, exc.message)
        return None
    except ValidationError as exc:
        if form is not None:
            apply_errors(form, exc)
        else:
            messages.error(request, " ".join(exc.messages))
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


def get_visible_or_404(queryset, **lookup):
    return get_object_or_404(queryset, **lookup)
