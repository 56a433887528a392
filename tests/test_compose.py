"""docker-compose.yml stays a valid Compose file (the published compose-spec schema, vendored offline)."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_the_compose_file_is_valid_per_the_compose_spec():
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which("check-jsonschema")

    result = subprocess.run(
        [tool, "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_file_runs_proxy_web_sse_worker_beat_postgres_and_redis_with_healthchecks():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

    assert set(services) == {"proxy", "web", "sse", "worker", "beat", "postgres", "redis"}
    assert all("healthcheck" in service for service in services.values())
    assert int(services["postgres"]["image"].split(":")[1]) >= 15
    assert "gunicorn" in (ROOT / "Dockerfile").read_text()
    assert services["sse"]["command"][:2] == ["uvicorn", "config.asgi:application"]


def test_web_and_workers_scale_by_replicas_behind_the_one_published_proxy():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

    assert services["worker"]["deploy"]["replicas"] == "${WORKER_REPLICAS:-2}"
    assert services["web"]["deploy"]["replicas"] == "${WEB_REPLICAS:-2}"
    assert "ports" not in services["web"] and "ports" not in services["sse"], "replicas share no host port"
    assert "deploy" not in services["beat"], "one beat for the whole deployment"


def test_the_proxy_sends_the_stream_unbuffered_to_sse_and_the_rest_to_the_web_replicas():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    conf = (ROOT / compose["configs"]["nginx"]["file"]).read_text()
    events = conf[conf.index("location ~ ^/ops/[^/]+/events/$") :]
    events = events[: events.index("}")]

    assert compose["services"]["proxy"]["configs"][0]["target"] == "/etc/nginx/conf.d/default.conf"
    assert "proxy_pass $sse;" in events and "proxy_buffering off;" in events
    # A location that sets any header inherits none of the server's: the stream's must set all of them.
    assert all(f"proxy_set_header {h} " in events for h in ("Host", "X-Forwarded-Proto", "X-Forwarded-For"))
    assert "set $web http://web:8000;" in conf and "resolver 127.0.0.11" in conf
