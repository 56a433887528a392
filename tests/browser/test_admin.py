import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_logs_in_to_the_django_admin_through_the_form(page):
    UserFactory(username="root", is_staff=True, is_superuser=True)

    page.goto("/admin/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "correct-horse-battery")
    page.click("input[type=submit]")

    assert page.locator("#site-name").is_visible()
    assert "Operations" in page.content()
