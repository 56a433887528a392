"""Account journeys in Chromium (SPEC §11): an invited liaison sets a password from the email,
a coordinator signs in with two factors, anyone resets a forgotten password."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import log_in
from tests.factories import CoordinatorFactory, LiaisonFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery"


@pytest.fixture
def mail_dir(settings, tmp_path):
    """Mail goes to files, as it does on a workstation (.data/mail/): the test reads them like a person would."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path)},
        }
    }
    return tmp_path


def link_in_mail(mail_dir, pattern) -> str:
    (message,) = mail_dir.iterdir()
    text = message.read_text()
    return re.search(pattern, text.replace("=\n", "")).group(0), text


def sign_in(page, username, password):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_an_invited_polish_liaison_sets_a_password_and_signs_in(page, mail_dir):
    coordinator = CoordinatorFactory(username="coordinator", language="en")
    log_in(page, coordinator)
    page.goto("/people/")
    page.fill("#id_email", "jan.kowalski@policja.example")
    page.select_option("#id_role", "liaison")
    page.select_option("#id_country", "PL")
    page.select_option("#id_language", "en")
    page.click("text=Send the invitation")
    page.wait_for_selector("#pending >> text=jan.kowalski@policja.example")
    page.context.clear_cookies()

    link, text = link_in_mail(mail_dir, r"http://\S+/accounts/invitation/\S+/")
    page.goto(link.replace("http://127.0.0.1:8000", page.base_url))
    page.fill("#id_new_password1", "Wisla-Krakow-2024")
    page.fill("#id_new_password2", "Wisla-Krakow-2024")
    page.click("text=Set my password")
    page.wait_for_url("**/portal/**")
    page.context.clear_cookies()
    sign_in(page, "jan.kowalski@policja.example", "Wisla-Krakow-2024")

    page.wait_for_url("**/portal/**")
    assert "Poland" in text or "PL" in text


def test_a_coordinator_enrols_totp_then_signs_in_with_a_code_and_with_a_recovery_code(page, settings):
    settings.TWO_FACTOR_REQUIRED = True
    CoordinatorFactory(username="marie", language="en")

    sign_in(page, "marie", PASSWORD)
    page.wait_for_url("**/accounts/two-factor/enrol/")
    assert page.locator("#qr").get_attribute("src").startswith("data:image/svg+xml")
    device = TOTPDevice.objects.get(user__username="marie")
    page.fill("#id_code", f"{totp(device.bin_key):06d}")
    page.click("text=Confirm")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    page.click("text=Done")
    page.click("text=Log out")

    sign_in(page, "marie", PASSWORD)
    page.wait_for_url("**/accounts/two-factor/verify/")
    device.refresh_from_db()
    page.fill("#id_code", f"{totp(device.bin_key, t0=-30):06d}")  # the next step's code: the current one is spent
    page.click("text=Continue")
    page.wait_for_selector("text=Account")
    page.click("text=Log out")

    sign_in(page, "marie", PASSWORD)
    page.fill("#id_code", codes[0])
    page.click("text=Continue")
    page.wait_for_selector("text=Account")
    assert len(codes) == 10
    assert "/two-factor/" not in page.url


def test_a_liaison_resets_a_forgotten_password_from_the_email_link(page, mail_dir):
    LiaisonFactory(username="ana", email="ana@policia.example", country="ES", language="en")

    page.goto("/accounts/login/")
    page.click("text=Forgot your password?")
    page.fill("#id_email", "ana@policia.example")
    page.click("text=Send the link")
    page.wait_for_selector("#reset-sent")
    link, _text = link_in_mail(mail_dir, r"http://\S+/accounts/password/reset/\S+/")
    page.goto(link)
    page.fill("#id_new_password1", "Sevilla-Betis-2024")
    page.fill("#id_new_password2", "Sevilla-Betis-2024")
    page.click("text=Set my password")
    page.wait_for_selector("#reset-complete")
    sign_in(page, "ana", "Sevilla-Betis-2024")

    page.wait_for_url("**/portal/**")
