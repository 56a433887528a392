"""Sign-in lockout (django-axes): five failures for one username from one address lock that pair
for AXES_COOLOFF_TIME; AXES_ADDRESS_FAILURE_LIMIT failures from one address, whatever the
usernames, lock the address. Counting the pair (not the username alone) means nobody can lock the
real coordinator out from elsewhere; the address limit stops one client trying every username."""

import datetime as dt

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

from accounts.client import client_address
from accounts.forms import LoginForm


def _window_start():
    return timezone.now() - (get_cool_off() or dt.timedelta(minutes=15))


def _address_locked(request) -> bool:
    failures = AccessAttempt.objects.filter(
        ip_address=client_address(request), attempt_time__gte=_window_start()
    ).aggregate(n=Sum("failures_since_start"))["n"]
    return (failures or 0) >= settings.AXES_ADDRESS_FAILURE_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or _address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # Axes flags the lockout of the username and address pair; the address's own lock too, so
        # the visitor is told they are locked out (and until when), not that the password is wrong.
        if request is not None and not getattr(request, "axes_locked_out", False) and _address_locked(request):
            request.axes_locked_out = True


def retry_at(request) -> dt.datetime:
    """When this client may try again: the cool-off counted from its latest failure."""
    latest = AccessAttempt.objects.filter(ip_address=client_address(request)).aggregate(t=Max("attempt_time"))["t"]
    return (latest or timezone.now()) + (get_cool_off(request) or dt.timedelta(minutes=15))


def locked_out(request, original_response=None, credentials=None):
    """Axes' lockout answer (AXES_LOCKOUT_CALLABLE): the login page, in the visitor's language,
    saying until when. The API token view turns it into a JSON 429 of its own."""
    context = {"form": LoginForm(request), "locked_out": True, "retry_at": timezone.localtime(retry_at(request))}
    return render(request, "registration/login.html", context, status=429)


def locked_usernames(usernames) -> set[str]:
    """Which of these usernames are locked out from some address right now (the People page)."""
    rows = AccessAttempt.objects.filter(
        username__in=list(usernames),
        attempt_time__gte=_window_start(),
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    )
    return set(rows.values_list("username", flat=True))


def unlock(username: str) -> int:
    """Forget the failures of this username from every address: they may sign in again at once."""
    return reset(username=username)
