"""Who may open the portal, and in which language it speaks."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import translation

from core.roles import is_staff_reader, liaison_country


def liaison_required(view):
    """Liaisons only. Ministry staff are sent to their own pages at `/`: they see every
    country there, and a portal "as country X" would be a second way to show the same data."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            htmx = getattr(request, "htmx", None)
            if htmx:  # a session that ended while the page stayed open: the whole page goes to the login
                page = htmx.current_url_abs_path or request.get_full_path()
                return HttpResponse(status=204, headers={"HX-Redirect": redirect_to_login(page).url})
            return redirect_to_login(request.get_full_path())
        if is_staff_reader(user):
            return redirect("/")
        country = liaison_country(user)
        if not country:
            raise PermissionDenied
        request.country = country
        # The profile's language unless the person chose one with the switch (set_language's cookie).
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or user.language
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return view(request, *args, **kwargs)

    return wrapper
