"""seed_demo on a real server: refused unless asked for with --demo; never touches an account it did not make."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--demo"):
        call_command("seed_demo", stdout=io.StringIO())


def test_it_never_changes_an_existing_account_of_the_same_name(settings):
    settings.DEBUG = True
    user = UserFactory(username="coordinator")
    password = user.password

    with pytest.raises(CommandError, match="not the demo's"):
        call_command("seed_demo", stdout=io.StringIO())

    user.refresh_from_db()
    assert (user.password, user.groups.count()) == (password, 0)
