"""Session policy on every request: end sessions that are too old or idle (accounts.sessions), and
keep a user who has given only their password on the second-factor pages (accounts.twofactor)."""

from django.contrib.auth import SESSION_KEY, logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import sessions, twofactor

# What a half-signed-in user may still open: the second-factor pages, logging out, the language switch.
OPEN_PREFIXES = (
    "/accounts/two-factor/enrol/",
    "/accounts/two-factor/verify/",
    "/accounts/logout/",
    "/i18n/",
    "/static/",
    "/favicon.ico",
)


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session:
            return self.get_response(request)
        if sessions.expired(session):
            logout(request)
            return self.get_response(request)
        step = session.get(twofactor.PENDING)
        if step and not request.path.startswith(OPEN_PREFIXES):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Finish signing in with your second factor first.")}, status=403)
            name = "two_factor_verify" if step == twofactor.VERIFY else "two_factor_enrol"
            return redirect(reverse(name))
        return self.get_response(request)
