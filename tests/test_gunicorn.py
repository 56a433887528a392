"""The web process's gunicorn settings (server/gunicorn.py): what the Dockerfile and `make bench` run."""

import gc
import importlib.util
from pathlib import Path

from django.conf import settings


def load_settings(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "gunicorn_settings", Path(settings.BASE_DIR) / "server" / "gunicorn.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_port_and_workers_come_from_the_environment(monkeypatch):
    module = load_settings(monkeypatch, PORT="9001", WEB_CONCURRENCY="5")

    assert (module.bind, module.workers) == ("0.0.0.0:9001", 5)


def test_a_worker_hides_what_it_loaded_from_the_garbage_collector(monkeypatch):
    module = load_settings(monkeypatch)
    try:
        module.post_worker_init(worker=None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
