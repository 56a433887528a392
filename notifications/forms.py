from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.webhooks import ALL, WEBHOOK_EVENTS


class WebhookForm(forms.Form):
    """A new hook on the staff page; the rules (https, public address, known events) are
    notifications.webhooks', run when it is registered."""

    url = forms.CharField(label=_("URL"), max_length=500, widget=forms.URLInput(attrs={"placeholder": "https://"}))
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(ALL, _("All events")), *[(name, name) for name in WEBHOOK_EVENTS]],
        widget=forms.CheckboxSelectMultiple,
    )
