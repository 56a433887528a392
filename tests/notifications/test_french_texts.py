"""Every notification a French reader receives (subject, in-app text, email) is French throughout."""

from pathlib import Path

import pytest
from django.conf import settings

from notifications.messages import email_text, event_texts
from tests.factories import AssignmentFactory, LiaisonFactory, RequestLineFactory, accepted_line, accepted_team
from tests.pages.test_french_pages import english_sentences, leaks_in

EVENTS = sorted(
    path.stem
    for path in (Path(settings.BASE_DIR) / "notifications/templates/notifications/events").glob("*.txt")
    if not path.stem.startswith("_")
)


@pytest.mark.django_db
@pytest.mark.parametrize("event", EVENTS)
def test_every_notification_reads_in_french_for_a_french_reader(event):
    line = accepted_line(pledge__request__country="PL")
    pledge, request = line.pledge, line.pledge.request
    RequestLineFactory(request=request)
    team = accepted_team(pledge=pledge)
    assignment = AssignmentFactory(pledge_line=line, venue__operation=request.operation, quantity=1)
    subject = {"request": request, "pledge": pledge, "assignment": assignment}.get(event.split("_")[0])
    subject = {"reminder_response_due": request, "reminder_pledge_undecided": pledge,
               "reminder_k9_certification": team}.get(event, subject)  # fmt: skip
    context = {"reason": "Effectifs rappelés", "note": "Précisez les langues", "requests": [request],
               "assignments": [assignment], "cancelled": [assignment]}  # fmt: skip

    reader = LiaisonFactory(country="PL", language="fr")
    title, body = event_texts(event, subject, context, language=reader.language)
    email = email_text(body, user=reader, url="/portal/")

    assert leaks_in(f"{title}\n{body}\n{email}", english_sentences()) == []
