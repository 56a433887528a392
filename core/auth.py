"""Who is calling, read in one query: the user with their group names and liaison profile, which every
role check (core.roles) reads. Loading the user, then the groups, then the profile cost three
queries on every page and API call."""

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


def _group_names(user_ref: str):
    return ArraySubquery(Group.objects.filter(user=OuterRef(user_ref)).values("name"))


class ModelBackend(backends.ModelBackend):
    """Django's, with the signed-in user read together with what the role checks need."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("liaison_profile")
        user = users.annotate(group_names=_group_names("pk")).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's, with the token's user read together with what the role checks need."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        token = (
            model.objects.select_related("user", "user__liaison_profile")
            .annotate(group_names=_group_names("user_id"))
            .filter(key=key)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user.group_names = token.group_names
        return (token.user, token)
