"""The ASGI process (uvicorn, Procfile `sse`): it serves the live board's event streams (staff/board.py).

Each request runs its sync parts (middleware, the session, the user) in a thread of its own, with a
database connection of its own, until its response starts; a stream gives its connection back before
its first frame. A room of boards reconnecting at once (a restart: every screen retries after 1 s)
would open one PostgreSQL connection per screen at the same instant, past `max_connections` (500s,
and EventSource gives up on an error). OpeningLimit lets LIVE_OPENING_CONCURRENCY requests at a time
through to their first body bytes; the others wait their turn (a few milliseconds each). An open
stream holds no place."""

import asyncio
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class OpeningLimit:
    """At most `limit` HTTP requests of the wrapped app between their start and their first body
    message (or their end); other scopes (lifespan) pass."""

    def __init__(self, app, limit: int):
        self.app, self.limit, self._gate = app, limit, None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.limit)
        await self._gate.acquire()
        held = True

        def release():
            nonlocal held
            if held:
                held = False
                self._gate.release()

        async def send_opened(message):
            if message["type"] == "http.response.body":
                release()
            await send(message)

        try:
            return await self.app(scope, receive, send_opened)
        finally:
            release()


def _application():
    app = get_asgi_application()
    from django.conf import settings

    return OpeningLimit(app, settings.LIVE_OPENING_CONCURRENCY)


application = _application()
