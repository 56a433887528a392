"""On the day in the portal (SPEC §12): the liaison checks in, completes and records a no-show of their
contingent's assignments from the deployments list, by htmx (the row is answered again) or by a plain POST."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from tests.factories import AssignmentFactory, accepted_line
from tests.pages.test_french_pages import english_sentences, leaks_in, visible_text

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def pl_line():
    return accepted_line(officers=10, pledge__request__country="PL")


def url(name, assignment):
    return reverse(f"portal:assignment_{name}", args=[assignment.pk])


def at_day(day, hour=8):
    return dt.datetime(2024, 7, day, hour, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def buttons_of(html, assignment):
    """The on-the-day actions the row of `assignment` offers."""
    row = html.split(f'id="assignment-{assignment.pk}"')[1].split("</tr>")[0]
    return {name for name in ("start", "complete", "no_show") if url(name, assignment) in row}


def test_each_row_offers_only_the_moves_allowed_now(pl_client, pl_line):
    later = timezone.now() + dt.timedelta(hours=3)
    planned = AssignmentFactory(pledge_line=pl_line)  # the factory's shift started in 2024
    future = AssignmentFactory(pledge_line=pl_line, starts_at=later, ends_at=later + dt.timedelta(hours=8))
    active = AssignmentFactory(pledge_line=pl_line, status="active", starts_at=at_day(27), ends_at=at_day(27, 16))
    done = AssignmentFactory(pledge_line=pl_line, status="completed", starts_at=at_day(28), ends_at=at_day(28, 16))

    html = pl_client.get(reverse("portal:deployments"), {"status": ["planned", "active", "completed"]}).content.decode()

    assert buttons_of(html, planned) == {"start", "no_show"}
    assert buttons_of(html, future) == {"start"}  # no no-show before the shift starts: it would be refused
    assert buttons_of(html, active) == {"complete"}
    assert buttons_of(html, done) == set()


def test_checking_in_by_htmx_answers_the_row_with_the_next_move(pl_client, pl_line, coordinator):
    assignment = AssignmentFactory(pledge_line=pl_line, status="confirmed")

    response = pl_client.post(url("start", assignment), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="assignment-{assignment.pk}"')
    assert "Checked in: the assignment is under way." in html
    assert buttons_of(html + "</tr>", assignment) == {"complete"}
    assignment.refresh_from_db()
    assert assignment.status == "active"
    assert assignment.history.first().history_user.liaison_profile.country == "PL"
    assert Notification.objects.filter(recipient=coordinator, event="assignment_started").exists()


def test_completing_without_javascript_goes_back_to_the_list_with_a_message(pl_client, pl_line):
    assignment = AssignmentFactory(pledge_line=pl_line, status="active")

    response = pl_client.post(url("complete", assignment))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:deployments')}#assignment-{assignment.pk}"
    page = pl_client.get(response["Location"]).content.decode()
    assert f"#{assignment.pk}: Assignment completed." in page
    assignment.refresh_from_db()
    assert assignment.status == "completed"


def test_a_move_from_the_assignments_page_goes_back_to_it(pl_client, pl_line):
    assignment = AssignmentFactory(pledge_line=pl_line)
    detail = reverse("portal:assignment_detail", args=[assignment.pk])
    assert url("start", assignment) in pl_client.get(detail).content.decode()

    response = pl_client.post(url("start", assignment), {"next_page": "detail"})

    assert response["Location"] == detail


def test_a_no_show_with_what_happened_cancels_and_tells_the_coordinators(pl_client, pl_line, coordinator):
    assignment = AssignmentFactory(pledge_line=pl_line, status="confirmed")

    response = pl_client.post(url("no_show", assignment), {"reason": "The coach broke down at Arras."}, **HTMX)

    assert "No-show recorded; the ministry is told." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == "cancelled"
    assert assignment.status_reason == "No-show: nobody reported for duty. The coach broke down at Arras."
    note = Notification.objects.get(recipient=coordinator, event="assignment_cancelled", channel="in_app")
    assert "The coach broke down at Arras." in note.body


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", "Say what happened: the ministry reads it with the no-show."),
        ("x" * 2001, "Ensure this value has at most 2000 characters (it has 2001)."),
        ("late\x07", "Remove the control character U+0007: only printable text is accepted here."),
    ],
    ids=["missing", "too-long", "control-character"],
)
def test_a_bad_no_show_reason_changes_nothing_and_says_why_in_the_row(pl_client, pl_line, reason, error):
    assignment = AssignmentFactory(pledge_line=pl_line, status="confirmed")

    response = pl_client.post(url("no_show", assignment), {"reason": reason}, **HTMX)

    html = response.content.decode()
    assert error in html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html and '<details class="no-show" open>' in html
    assignment.refresh_from_db()
    assert (assignment.status, assignment.status_reason) == ("confirmed", "")
    assert not Notification.objects.exists()


def test_a_refused_move_says_why_in_french_and_changes_nothing(pl_client, pl_line, liaison_pl):
    liaison_pl.language = "fr"
    liaison_pl.save()
    assignment = AssignmentFactory(pledge_line=pl_line, status="completed")  # e.g. completed meanwhile

    response = pl_client.post(url("start", assignment), follow=True)

    assert "Démarrage impossible : affectation au statut « terminée »." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == "completed"


def test_a_no_show_before_the_shift_starts_is_refused_with_the_reason(pl_client, pl_line):
    later = timezone.now() + dt.timedelta(hours=1)
    assignment = AssignmentFactory(pledge_line=pl_line, starts_at=later, ends_at=later + dt.timedelta(hours=8))

    response = pl_client.post(url("no_show", assignment), {"reason": "Nobody yet."}, **HTMX)

    assert "A no-show is recorded once the assignment has started." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == "planned"


@pytest.mark.parametrize("name", ["start", "complete", "no_show"])
def test_another_countrys_assignment_is_a_404_and_stays_as_it_was(name, pl_client, two_countries):
    foreign = two_countries.de.assignment

    response = pl_client.post(url(name, foreign), {"reason": "Not mine."}, **HTMX)

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "planned"


def test_a_get_is_not_a_move(pl_client, pl_line):
    assignment = AssignmentFactory(pledge_line=pl_line)

    assert pl_client.get(url("start", assignment)).status_code == 405
    assignment.refresh_from_db()
    assert assignment.status == "planned"


def test_the_confirmation_of_several_still_works_beside_the_rows_forms(pl_client, pl_line):
    first = AssignmentFactory(pledge_line=pl_line)
    html = pl_client.get(reverse("portal:deployments")).content.decode()
    assert 'form="confirm-selected" name="assignment"' in html and '<form method="post" id="confirm-selected">' in html

    pl_client.post(reverse("portal:deployments"), {"assignment": [first.pk]})

    first.refresh_from_db()
    assert first.status == "confirmed"


@pytest.mark.parametrize(("name", "status", "data"), [("start", "planned", {}), ("no_show", "confirmed", {})])
def test_the_rows_answer_in_french_shows_no_english_sentence(pl_client, pl_line, name, status, data):
    pl_client.cookies["django_language"] = "fr"
    assignment = AssignmentFactory(pledge_line=pl_line, status=status)

    html = pl_client.post(url(name, assignment), data, **HTMX).content.decode()

    assert leaks_in(visible_text(html), english_sentences()) == []
    assert ("Prise de service enregistrée" if name == "start" else "Dites ce qui s’est passé") in html


def test_a_check_in_after_the_session_ended_sends_the_whole_page_to_the_login(client, pl_line):
    assignment = AssignmentFactory(pledge_line=pl_line)
    page = f"http://testserver{reverse('portal:deployments')}"

    response = client.post(url("start", assignment), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page)

    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/portal/deployments/"
    assignment.refresh_from_db()
    assert assignment.status == "planned"
