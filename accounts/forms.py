from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Invitation
from core.countries import country_choices
from reinforcements.models import Language


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Invitation.Role.choices)
    country = forms.ChoiceField(label=_("Country (liaison officers)"), required=False)
    language = forms.ChoiceField(label=_("Language of the email and pages"), choices=Language.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices(blank=False)]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=32, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
    )  # fmt: skip


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's, writing each email in its recipient's language."""

    def send_mail(self, *args, **kwargs):
        context = args[2] if len(args) > 2 else kwargs["context"]
        with translation.override(getattr(context["user"], "language", None) or translation.get_language()):
            super().send_mail(*args, **kwargs)


class LoginForm(AuthenticationForm):
    """The sign-in page's form (staff.views.LoginView, and the lockout page that shows it)."""
