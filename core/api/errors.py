"""API-wide pieces DRF's settings name: pagination and the mapping of domain errors to HTTP (SPEC §7).

Kept free of views and schema imports: DRF imports this module while it builds its generic views.
The shared view/serializer helpers live in `core/api/base.py`."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.api_errors import is_api, json_error
from core.errors import DomainError


def _django_errors(exc: DjangoValidationError):
    """A Django ValidationError as DRF detail, keeping nested per-row errors (pledge lines, teams)."""
    if not hasattr(exc, "error_dict"):
        return [message for error in exc.error_list for message in error]
    detail = {}
    for field, errors in exc.error_dict.items():
        items = []
        for error in errors:
            if hasattr(error, "error_dict"):
                items.append(_django_errors(error))
            else:
                items.extend(error)
        detail[field] = items
    return detail


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc.message), "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response(
            {"detail": _("Other records still refer to this one; it cannot be deleted."), "code": "protected"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        detail = _django_errors(exc)
        exc = exceptions.ValidationError(detail if isinstance(detail, dict) else {"non_field_errors": detail})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    # SPEC §7: every error carries a code beside its detail (field errors keep their own shape).
    if response is not None and isinstance(response.data, dict) and set(response.data) == {"detail"}:
        response.data["code"] = getattr(response.data["detail"], "code", None) or exc.default_code
    return response


def not_found(request, exception=None):
    """404 for unmatched URLs: JSON under /api/ (SPEC §7 error shape), Django's page elsewhere."""
    if is_api(request):
        return json_error(404, _("Not found."))
    return page_not_found(request, exception)
