"""The Django admin is for superusers only (SPEC §2): `is_staff` alone opens nothing.

Named in INSTALLED_APPS, so imported before the models are ready: it holds no model import."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class SuperuserAdminSite(AdminSite):
    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class SuperuserAdminConfig(AdminConfig):
    default_site = "core.adminsite.SuperuserAdminSite"
