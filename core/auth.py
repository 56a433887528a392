"""Who is calling, read in one query: the user with their group names and liaison profile, which every
role check (core.roles) reads. Loading the user, then the groups, then the profile cost three
queries on every page and API call."""

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef


def group_names(user_ref: str):
    return ArraySubquery(Group.objects.filter(user=OuterRef(user_ref)).values("name"))


class ModelBackend(backends.ModelBackend):
    """Django's, with the signed-in user read together with what the role checks need."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("liaison_profile")
        user = users.annotate(group_names=group_names("pk")).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
