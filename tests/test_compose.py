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


def test_the_compose_file_runs_web_sse_worker_beat_postgres_and_redis_with_healthchecks():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

    assert set(services) == {"web", "sse", "worker", "beat", "postgres", "redis"}
    assert all("healthcheck" in service for service in services.values())
    assert int(services["postgres"]["image"].split(":")[1]) >= 15
    assert "gunicorn" in (ROOT / "Dockerfile").read_text()
    assert services["sse"]["command"][:2] == ["uvicorn", "config.asgi:application"]


def test_web_and_workers_scale_by_replicas_one_web_per_host_for_its_published_port():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

    assert services["worker"]["deploy"]["replicas"] == "${WORKER_REPLICAS:-2}"
    assert services["web"]["deploy"]["replicas"] == "${WEB_REPLICAS:-1}"
    assert "deploy" not in services["beat"], "one beat for the whole deployment"
