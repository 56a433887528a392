"""Two-factor sign-in with django-otp: one TOTP device per user (an authenticator app) and one
static device holding ten single-use recovery codes. No crypto of ours: django-otp checks codes
and slows down guessing (its throttling doubles the wait after each wrong code).

After the password, the session carries PENDING ("verify" or "enrol") until the second step is
done; accounts.middleware sends every other request there. Reading a flag from the session costs
nothing, where asking the database for devices on every request would cost a query."""

import segno
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import is_coordinator

PENDING = "accounts_2fa"
VERIFY, ENROL = "verify", "enrol"
RECOVERY_CODES = 10


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_enrol(user, *, required: bool) -> bool:
    """Coordinators must use a second factor when DEBUG is off (`required`); others may."""
    return required and is_coordinator(user)


def step_after_password(user, *, required: bool) -> str | None:
    if has_device(user):
        return VERIFY
    return ENROL if must_enrol(user, required=required) else None


def has_pending_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=False).exists()


def pending_device(user) -> TOTPDevice:
    """The device being enrolled: the same secret across page loads until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code, drawn here (no image service sees the secret)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, grouped by four, for apps that cannot scan."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _normalise(code: str) -> str:
    return "".join((code or "").split()).lower()


@transaction.atomic
def confirm(user, code: str) -> list[str] | None:
    """Enrolment: the first code from the app confirms the device; answers the recovery codes
    (shown once), or None for a wrong code."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    code = _normalise(code)
    if device is None or not code.isdigit() or not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(user)


def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


@transaction.atomic
def verify(user, code: str) -> bool:
    """A code from the app, or one unused recovery code (spent by this use)."""
    code = _normalise(code)
    if not code or len(code) > 16:
        return False
    model = TOTPDevice if code.isdigit() else StaticDevice
    device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
    return device is not None and device.verify_token(code)


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def disable(user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
