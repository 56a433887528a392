"""API tokens (django-rest-knox): a new token at each sign-in, stored as its SHA-512 digest, ending
after TOKEN_IDLE_HOURS without a call. Only the owner lists and revokes them; a password change,
a reset and a deactivation revoke them all (accounts.signals, accounts.transitions)."""

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from rest_framework import authentication, exceptions

from core.auth import group_names


def issue(user) -> tuple[AuthToken, str]:
    """A new token for one sign-in: the row keeps the digest, the caller gets the key, once."""
    return AuthToken.objects.create(user=user)


def revoke_all(user) -> int:
    return AuthToken.objects.filter(user=user).delete()[0]


def tokens_of(user):
    return AuthToken.objects.filter(user=user).order_by("-created")


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`. The token, its user, their groups and liaison profile come in
    one query (core.roles reads them); knox's own class reads the user's other tokens
    on every call to sweep expired ones, which the idle expiry here does not need."""

    keyword = knox_settings.AUTH_HEADER_PREFIX

    def authenticate(self, request):
        auth = authentication.get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None
        if len(auth) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = auth[1].decode()
            digest = hash_token(key)
        except (UnicodeError, TypeError, ValueError, binascii.Error):
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return self.authenticate_credentials(key, digest)

    def authenticate_credentials(self, key: str, digest: str):
        token = (
            AuthToken.objects.select_related("user", "user__liaison_profile")
            .annotate(group_names=group_names("user_id"))
            .filter(token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], digest=digest)
            .first()
        )
        if token is None or not compare_digest(token.digest, digest):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.expiry is not None and token.expiry <= now:
            token.delete()
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        self._push_back(token, now)
        token.user.group_names = token.group_names
        return (token.user, token)

    def _push_back(self, token, now) -> None:
        # Idle expiry: each call moves the end TOKEN_TTL ahead, written at most once a minute.
        expiry = now + knox_settings.TOKEN_TTL
        if token.expiry is None:
            return
        if (expiry - token.expiry).total_seconds() > knox_settings.MIN_REFRESH_INTERVAL:
            AuthToken.objects.filter(pk=token.pk).update(expiry=expiry)
            token.expiry = expiry

    def authenticate_header(self, request):
        return self.keyword
