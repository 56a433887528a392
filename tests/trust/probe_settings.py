"""The app's settings with a few probe URLs (tests/trust/probe_urls.py) for the fault tests."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.trust.probe_urls"
