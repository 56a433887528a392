"""gunicorn's settings for the web process: the Dockerfile's command and `make bench` use them.

Once a worker has loaded the app it freezes what is loaded (modules, models, the app registry): the
garbage collector then walks only what requests allocate, not the ~120,000 objects of a loaded Django,
on each full collection (measured on the games-scale data: 0.5 -> 0.2 ms of collection per API list,
1.9 -> 0.5 ms per planner page)."""

import gc
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))


def post_worker_init(worker):
    gc.freeze()
