"""Session clocks: SESSION_COOKIE_AGE from the sign-in (not from the latest save, which would make
the 8 hours slide) and SESSION_IDLE_MINUTES since the latest request."""

import time

from django.conf import settings

SIGNED_IN_AT = "accounts_signed_in_at"
SEEN_AT = "accounts_seen_at"
# The last-seen stamp is rewritten at most this often, so most requests do not write the session.
SEEN_RESOLUTION = 60


def start(session, now: float | None = None) -> None:
    now = int(now or time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def expired(session, now: float | None = None) -> bool:
    """True once the session is too old or idle; else notes this request (coarsely)."""
    now = int(now or time.time())
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if signed_in is None or seen is None:  # signed in before this policy, or by hand: start the clocks now
        start(session, now)
        return False
    if now - signed_in > settings.SESSION_COOKIE_AGE or now - seen > settings.SESSION_IDLE_MINUTES * 60:
        return True
    if now - seen >= SEEN_RESOLUTION:
        session[SEEN_AT] = now
    return False
