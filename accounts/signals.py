"""Account side effects of Django's own events: a sign-in starts the session clocks and asks for
the second factor; a new password or a deactivation ends every API token of the user."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts import sessions, twofactor
from accounts.tokens import revoke_all


@receiver(user_logged_in)
def start_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    sessions.start(request.session)
    step = twofactor.step_after_password(user, required=settings.TWO_FACTOR_REQUIRED)
    if step:
        request.session[twofactor.PENDING] = step


@receiver(post_save, sender=get_user_model())
def end_tokens(sender, instance, created, update_fields=None, **kwargs):
    # AbstractBaseUser keeps the new raw password in `_password` until its save is over: set only
    # when set_password() ran (a change, a reset, an invitation accepted), not on a hash upgrade.
    if created:
        return
    if getattr(instance, "_password", None) is not None or not instance.is_active:
        revoke_all(instance)
