"""The invitation email, in the invitee's language, sent once the transaction that made the link
commits (a rollback sends nothing). It is not an outbox row: the link is a secret, and the outbox
keeps bodies readable in the inbox and the admin."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

logger = logging.getLogger(__name__)


def invitation_link(secret: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[secret])


def send_invitation(invitation, secret: str) -> None:
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "link": invitation_link(secret),
            "expires_at": timezone.localtime(invitation.expires_at),
            "inviter": invitation.invited_by.get_full_name() or invitation.invited_by.get_username(),
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)

    def deliver():
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
        except OSError as exc:
            # The coordinator sees the invitation pending and can resend it.
            logger.warning("invitation %s to %s not sent: %s", invitation.pk, invitation.email, exc)

    transaction.on_commit(deliver)
