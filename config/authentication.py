"""API authentication (settings: REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES).

Its own module: DRF imports these classes while `rest_framework.views` loads, before config.restapi can.
"""

from rest_framework import authentication


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, reading the user's liaison profile with the token: nearly every
    request asks for the caller's role, and whether they are a liaison (and of which country) then
    costs no query of its own (reinforcements.roles.liaison_country)."""

    def authenticate_credentials(self, key):
        token = self.get_model().objects.select_related("user__liaison_profile").filter(key=key).first()
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # DRF's refusal, in its own words
        return token.user, token
