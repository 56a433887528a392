"""The only rows the kernel owns: the audit trail of personal-data exports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportRecord(models.Model):
    """Who exported which personal data (rosters, contact lists), when, and with which filters.

    Written by `core.audit.record_export`; never changed or deleted through the app.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    what = models.CharField(_("what"), max_length=100)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("export record")

    def __str__(self):
        return f"{self.what} by {self.user} at {self.at:%Y-%m-%d %H:%M}"
