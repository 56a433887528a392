"""Playwright on Debian's Chromium against pytest-django's live server.

Every page test fails if the page asks anything of a host other than the live server
(ministry networks are closed) or logs a console error, and if axe-core finds a serious or critical
WCAG 2 A/AA violation on any page it visited, in English or in French (the axe walk, issue 20).

Screenshots for the README are written to docs/screenshots/ only when SCREENSHOTS=1 (`make screenshots`):
`make test` leaves the work tree as it found it.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls made by tests
# between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
# axe-core 4.14.1 from its npm package (`npm pack axe-core@4.14`), test tooling only: never served.
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
AXE_FAILS_ON = ("serious", "critical")
# Not our pages to judge: Django's admin (superusers only) and the vendored Swagger UI.
AXE_SKIPS = ("/admin/", "/api/")


def screenshot(page, name: str, **options) -> None:
    """A README picture, made only when asked (SCREENSHOTS=1, `make screenshots`)."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True, **options)


def axe_problems(page) -> list[str]:
    """Serious and critical WCAG 2 A/AA violations axe-core finds on the page as it is now."""
    page.add_script_tag(content=AXE_SOURCE)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        f"{v['impact']} {v['id']}: {v['help']} ({', '.join(str(n['target']) for n in v['nodes'][:3])})"
        for v in result["violations"]
        if v["impact"] in AXE_FAILS_ON
    ]


def axe_walk(browser, live_server, urls, cookies) -> list[str]:
    """Each page a test visited, again, as the same user, in English and in French, through axe-core.
    A context of its own that ignores the CSP, to inject axe (the app's pages allow no inline script)."""
    pages = list(dict.fromkeys(u for u in urls if u.startswith(live_server.url) and not any(s in u for s in AXE_SKIPS)))
    if not pages:
        return []
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, timezone_id="Europe/Paris")
    context.add_cookies([c for c in cookies if c["name"] != settings.LANGUAGE_COOKIE_NAME])
    walker, problems = context.new_page(), []
    try:
        for language in ("en", "fr"):
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
            for url in pages:
                try:
                    response = walker.goto(url)
                except PlaywrightError:  # the answer to a POST (e.g. a refused form): no page to GET again
                    continue
                if response is None or response.status != 200 or "text/html" not in response.headers["content-type"]:
                    continue
                problems += [f"{url} [{language}] {p}" for p in axe_problems(walker)]
    finally:
        context.close()
    return problems


def axe_as_shown(page) -> list[str]:
    """axe-core on the page exactly as it is shown now, for the answer to a POST (a bulk report), which the
    walk cannot GET again: its HTML served at its own address in a context that ignores the CSP."""
    html, url = page.content(), page.url
    context = page.context.browser.new_context(base_url=page.base_url, bypass_csp=True, timezone_id="Europe/Paris")
    context.add_cookies(page.context.cookies())
    walker = context.new_page()
    try:
        walker.route(url, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html))
        walker.goto(url)
        return [f"{url} (as shown) {p}" for p in axe_problems(walker)]
    finally:
        context.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/Paris")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base_url, page.outside_requests, page.console_errors = live_server.url, [], []
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((live_server.url, "data:", "blob:")) else page.outside_requests.append(r.url)
        ),
    )
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    visited = []
    page.on("framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None)
    yield page
    cookies = context.cookies()
    context.close()
    assert page.outside_requests == [], "a page asked a host other than the app"
    assert page.console_errors == [], "the browser console logged errors"
    problems = axe_walk(browser, live_server, visited, cookies)
    assert problems == [], "axe-core: serious or critical WCAG 2 AA violations:\n" + "\n".join(problems)


def log_in(page, user):
    """Log `user` in by session cookie, without going through the login form."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "core.auth.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": page.base_url}]
    )
