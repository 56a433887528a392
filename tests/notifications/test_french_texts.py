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


# The day's moves are made by either side (SPEC §12): each message says who reported it, in the reader's language.
DAY_TEXTS = {
    ("assignment_started", "liaison"): (
        "The country's liaison officer reported the check-in: the assignment",
        "L’officier de liaison du pays a signalé la prise de service : l’affectation",
    ),
    ("assignment_started", "coordinator"): (
        "The ministry recorded the check-in: the assignment",
        "Le ministère a enregistré la prise de service : l’affectation",
    ),
    ("assignment_completed", "liaison"): (
        "The country's liaison officer reported the assignment",
        "L’officier de liaison du pays a signalé l’affectation",
    ),
    ("assignment_completed", "coordinator"): (
        "The ministry recorded the assignment",
        "Le ministère a enregistré l’affectation",
    ),
    ("assignment_cancelled", "liaison"): (
        "The country's liaison officer cancelled the assignment",
        "L’officier de liaison du pays a annulé l’affectation",
    ),
    ("assignment_cancelled", "coordinator"): (
        "The ministry cancelled the assignment",
        "Le ministère a annulé l’affectation",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("event", "by"), DAY_TEXTS, ids=lambda v: v if isinstance(v, str) else None)
def test_a_days_move_says_who_reported_it_in_either_language(event, by):
    assignment = AssignmentFactory(quantity=3)
    context = {"by": by, "reason": "Absence : personne ne s’est présenté."}
    english, french = DAY_TEXTS[(event, by)]

    _subject, body_en = event_texts(event, assignment, context, language="en")
    subject_fr, body_fr = event_texts(event, assignment, context, language="fr")

    assert body_en.startswith(english) and body_fr.startswith(french)
    assert "3 policiers (Maintien de l'ordre) à " in body_fr and "26 juillet 2024 08:00" in body_fr
    assert leaks_in(f"{subject_fr}\n{body_fr}", english_sentences()) == []
    assert ("Thank you." in body_en) == (event == "assignment_completed" and by == "coordinator")
