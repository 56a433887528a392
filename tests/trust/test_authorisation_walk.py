"""Every route, every writing method, by everyone who may change nothing there.

Walks the whole URL configuration - pages, portal, API, admin: whatever is routed when this
runs - and sends POST, PUT, PATCH and DELETE, with a body a move would accept, as an
anonymous visitor, a viewer and the liaison of another country. The objects are Poland's.
Nothing may change in the database; the API must refuse (401/403/404/405, or 400/409 before
anything is written) and nothing may answer 5xx.
"""

import re

import pytest
from django.db import connection
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from rest_framework.test import APIClient

from deployments.transitions import create_assignment
from notifications.models import Notification
from tests.factories import (
    CoordinatorFactory,
    LiaisonFactory,
    PledgeLineFactory,
    RequestLineFactory,
    VenueFactory,
    VenueNeedFactory,
    ViewerFactory,
    accepted_line,
    accepted_team,
    at,
)

pytestmark = pytest.mark.django_db
METHODS = ("post", "put", "patch", "delete")
# Logging in and out, tokens and the language switch are not changes to the data; their
# locks are tested in test_authentication.py / test_tokens.py.
SKIP_NAMES = {"login", "logout", "set_language", "password_reset", "password_change", "token", "obtain_auth_token"}
BODY = {
    "reason": "Not needed any more.", "note": "Change it.", "decision_note": "Fine.", "lines": [], "k9_teams": [],
    "commander_name": "Someone", "commander_contact": "x", "status": "accepted", "officers_accepted": 5,
    "accepted": True, "quantity": 1, "name": "Changed",
}  # fmt: skip
# Tables a refused request may still touch: sessions, and the login-attempt log.
IGNORED_TABLES = ("django_session", "axes_")
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def _routes(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name or ""


def _objects():
    """Poland's objects in every state a move starts from, and who is who."""
    coordinator = CoordinatorFactory()
    liaison_pl = LiaisonFactory(country="PL")  # told of the assignment: a notification to walk
    line = accepted_line(officers=10)
    team = accepted_team(pledge=line.pledge)
    request = line.pledge.request
    venue = VenueFactory(operation=request.operation)
    assignment = create_assignment(
        actor=coordinator, venue=venue, starts_at=at(26, 8), ends_at=at(26, 16), pledge_line=line, quantity=2
    )
    submitted = PledgeLineFactory(pledge__request=request, pledge__status="submitted").pledge
    return {
        "request": request, "requestline": RequestLineFactory(request=request), "pledge": submitted,
        "pledgeline": line, "k9team": team, "venue": venue, "venueneed": VenueNeedFactory(venue=venue),
        "assignment": assignment, "operation": request.operation, "notification": Notification.objects.first(),
        "user": coordinator, "liaisonprofile": liaison_pl.liaison_profile,
    }  # fmt: skip


# The object a parameter names, from the last word of the path before it.
KEYWORDS = [
    ("venue-needs", "venueneed"), ("venueneed", "venueneed"), ("needs", "venueneed"),
    ("requestline", "requestline"), ("requests", "request"), ("reinforcementrequest", "request"),
    ("pledgeline", "pledgeline"), ("lines", "pledgeline"), ("k9", "k9team"), ("pledges", "pledge"), ("pledge", "pledge"),
    ("assignments", "assignment"), ("assignment", "assignment"), ("venues", "venue"), ("venue", "venue"),
    ("notifications", "notification"), ("notification", "notification"), ("operations", "operation"),
    ("operation", "operation"), ("liaisonprofile", "liaisonprofile"), ("user", "user"),
]  # fmt: skip


def _fill(route: str, objects) -> str | None:
    path = route.lstrip("^").rstrip("$")
    if "format" in path:
        return None

    def value(match):
        before = path[: match.start()].lower()
        hits = [(before.rfind(word), key) for word, key in KEYWORDS if word in before]
        obj = objects[max(hits)[1]] if hits else objects["pledge"]
        name = match.group("name") or match.group("rname")
        if name in ("code", "slug", "operation"):
            return getattr(obj, "code", objects["operation"].code)
        return str(obj.pk)

    filled = PARAM.sub(value, path)
    if re.search(r"[\\^$()\[\]?*+|]", filled):
        return None  # an unfillable regex (alternatives, optional parts): resolved elsewhere
    filled = "/" + filled
    try:
        resolve(filled)
    except Resolver404:
        return None
    return filled


def _fingerprint() -> dict:
    with connection.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [t for (t,) in cur.fetchall() if not t.startswith(IGNORED_TABLES)]
        prints = {}
        for table in tables:
            cur.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t")
            prints[table] = cur.fetchone()[0]
    return prints


def test_no_route_lets_an_anonymous_visitor_a_viewer_or_another_countrys_liaison_change_anything():
    objects = _objects()
    clients = {"anonymous": APIClient()}
    for name, user in (("viewer", ViewerFactory()), ("liaison of DE", LiaisonFactory(country="DE"))):
        clients[name] = APIClient()
        clients[name].force_login(user)
    paths = sorted(
        {path for route, name in _routes() if not any(s in name for s in SKIP_NAMES) if (path := _fill(route, objects))}
    )
    assert len(paths) > 20, "the walk found the routes"
    before = _fingerprint()
    problems = []

    for who, client in clients.items():
        for path in paths:
            for method in METHODS:
                response = getattr(client, method)(path, BODY, format="json")
                api_refusal = response.status_code in (400, 401, 403, 404, 405, 409)
                if response.status_code >= 500 or (path.startswith("/api/") and not api_refusal):
                    problems.append(f"{who} {method.upper()} {path} -> {response.status_code}")
                if (after := _fingerprint()) != before:
                    changed = sorted(t for t in after if after[t] != before.get(t))
                    problems.append(f"{who} {method.upper()} {path} -> {response.status_code} changed {changed}")
                    before = after

    assert problems == []
