"""docker compose publishes its proxy on 127.0.0.1 unless told otherwise (a TLS proxy on the host is the way in)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_every_published_port_is_bound_to_localhost_by_default():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]

    published = [port for service in services.values() for port in service.get("ports", [])]

    assert published == ["${BIND_ADDRESS:-127.0.0.1}:${PORT:-8000}:8000"]  # the proxy's: the one way in


def test_production_in_compose_needs_an_https_site_url_and_trusts_one_proxy():
    environment = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["environment"]

    assert environment["SITE_URL"].startswith("${SITE_URL:?")
    assert environment["TRUSTED_PROXIES"] == "${TRUSTED_PROXIES:-1}"
