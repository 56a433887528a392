import pytest
from django.urls import reverse

from pledges.models import Pledge
from pledges.transitions import request_changes, submit_pledge
from tests.factories import K9TeamFactory, PledgeFactory, PledgeLineFactory, RequestFactory, specialty

pytestmark = pytest.mark.django_db


def line(**changes):
    row = {
        "specialty": specialty("public_order").pk, "officers_offered": "12",
        "available_from": "2024-07-15", "available_to": "2024-08-15", "languages": "pl, EN",
    }  # fmt: skip
    return {**row, **changes}


def team(**changes):
    row = {
        "handler_name": "Jan Kowalski", "dog_name": "Rex", "dog_breed": "Malinois", "detection": "explosives",
        "certification_expires_on": "2025-06-30", "available_from": "2024-07-15", "available_to": "2024-08-15",
    }  # fmt: skip
    return {**row, **changes}


def form_data(lines=(), teams=(), action="save", **header):
    data = {
        "commander_name": "Insp. Anna Nowak", "commander_contact": "+48 22 000 00 00", "notes": "",
        "action": action, "lines-TOTAL_FORMS": len(lines), "lines-INITIAL_FORMS": 0,
        "k9-TOTAL_FORMS": len(teams), "k9-INITIAL_FORMS": 0, **header,
    }  # fmt: skip
    for prefix, rows in (("lines", lines), ("k9", teams)):
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def test_a_liaison_saves_a_draft_with_officer_lines_and_k9_teams(pl_client):
    request = RequestFactory(country="PL")

    response = pl_client.post(
        reverse("portal:pledge_new", args=[request.pk]), form_data(lines=[line(), line()], teams=[team(), team()])
    )

    pledge = Pledge.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:pledge_detail", args=[pledge.pk])
    assert (pledge.status, pledge.lines.count(), pledge.k9_teams.count()) == ("draft", 2, 2)
    assert pledge.lines.first().languages == ["pl", "en"]


def test_save_and_submit_sends_the_pledge_to_the_ministry(pl_client, coordinator):
    request = RequestFactory(country="PL")

    pl_client.post(reverse("portal:pledge_new", args=[request.pk]), form_data(lines=[line()], action="submit"))

    assert Pledge.objects.get().status == "submitted"


def test_a_blank_row_added_and_left_empty_is_ignored(pl_client):
    request = RequestFactory(country="PL")
    blank = dict.fromkeys(line(), "")

    pl_client.post(reverse("portal:pledge_new", args=[request.pk]), form_data(lines=[line(), blank]))

    assert Pledge.objects.get().lines.count() == 1


BAD_INPUT = [  # (row kind, field, value, field that carries the error, message)
    ("lines", "officers_offered", "twelve", None, "Enter a whole number."),
    ("lines", "officers_offered", "-3", None, "Offer at least one officer."),
    ("lines", "available_from", "15/07/2024x", None, "Enter a valid date."),
    ("lines", "available_to", "2024-09-30", None, "within the request’s period"),
    ("lines", "available_from", "2024-07-01", "available_to", "within the request’s period"),
    ("lines", "specialty", "k9_explosives", None, "dog teams are pledged as K9 teams"),
    ("lines", "languages", "polish", None, "Not an ISO 639-1 language code: polish"),
    ("k9", "certification_expires_on", "2024-01-01", None, "The certification expires before the team is available."),
    ("k9", "detection", "cats", None, "Select a valid choice."),
    ("k9", "available_to", "2024-07-01", None, "Availability cannot end before it starts."),
]


@pytest.mark.parametrize(("prefix", "field", "value", "error_field", "message"), BAD_INPUT, ids=lambda v: str(v)[:24])
def test_bad_input_on_a_new_pledge_is_shown_next_to_the_field_and_saves_nothing(
    pl_client, prefix, field, value, error_field, message
):
    request = RequestFactory(country="PL")
    if field == "specialty":
        value = specialty(value).pk
    rows = (
        {"lines": [line(**{field: value})], "teams": []} if prefix == "lines" else {"teams": [team(**{field: value})]}
    )

    response = pl_client.post(reverse("portal:pledge_new", args=[request.pk]), form_data(**rows))

    html = response.content.decode().replace("&#x27;", "’").replace("'", "’")
    assert response.status_code == 200
    assert f'id="id_{prefix}-0-{error_field or field}-error"' in html
    assert f'aria-describedby="id_{prefix}-0-{error_field or field}-error"' in html
    assert message in html
    assert not Pledge.objects.exists()


def test_bad_input_on_an_existing_draft_changes_nothing(pl_client):
    existing = PledgeLineFactory(pledge__request__country="PL", officers_offered=10)
    row = line(row_id=existing.pk, officers_offered="-1")

    response = pl_client.post(
        reverse("portal:pledge_edit", args=[existing.pledge.pk]),
        form_data(lines=[row, line()], commander_name="Someone else"),
    )

    existing.refresh_from_db()
    assert response.status_code == 200
    assert existing.officers_offered == 10
    assert existing.pledge.lines.count() == 1
    assert Pledge.objects.get().commander_name == "Insp. Anna Nowak"


def test_a_missing_commander_is_reported_and_nothing_is_created(pl_client):
    request = RequestFactory(country="PL")

    response = pl_client.post(
        reverse("portal:pledge_new", args=[request.pk]), form_data(lines=[line()], commander_name="")
    )

    assert response.status_code == 200
    assert 'id="id_commander_name-error"' in response.content.decode()
    assert not Pledge.objects.exists()


def test_editing_updates_kept_rows_and_deletes_removed_ones(pl_client):
    pledge = PledgeFactory(request__country="PL")
    kept, removed = PledgeLineFactory(pledge=pledge), PledgeLineFactory(pledge=pledge)
    K9TeamFactory(pledge=pledge)

    pl_client.post(
        reverse("portal:pledge_edit", args=[pledge.pk]), form_data(lines=[line(row_id=kept.pk, officers_offered=7)])
    )

    assert list(pledge.lines.values_list("pk", "officers_offered")) == [(kept.pk, 7)]
    assert not pledge.lines.filter(pk=removed.pk).exists()
    assert not pledge.k9_teams.exists()


def test_the_edit_page_lists_the_existing_rows(pl_client):
    pledge = PledgeFactory(request__country="PL")
    PledgeLineFactory(pledge=pledge, officers_offered=17, languages=["pl", "de"], specialty=specialty("river"))

    response = pl_client.get(reverse("portal:pledge_edit", args=[pledge.pk]))

    html = response.content.decode()
    assert 'name="lines-0-officers_offered" value="17"' in html
    assert 'value="pl,de"' in html
    assert f'<option value="{specialty("river").pk}" selected>' in html


def test_a_pledge_with_changes_requested_shows_the_note_and_is_resubmitted(pl_client, liaison_pl, coordinator):
    pledge = PledgeLineFactory(pledge__request__country="PL").pledge
    submit_pledge(pledge.pk, actor=liaison_pl)
    request_changes(pledge.pk, actor=coordinator, note="Add a river unit please.")
    row = line(row_id=pledge.lines.get().pk)

    page = pl_client.get(reverse("portal:pledge_edit", args=[pledge.pk]))
    pl_client.post(reverse("portal:pledge_edit", args=[pledge.pk]), form_data(lines=[row], action="submit"))

    assert "Add a river unit please." in page.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == "submitted"


def test_a_submitted_pledge_is_not_editable(pl_client):
    pledge = PledgeFactory(request__country="PL", status="submitted")

    response = pl_client.post(reverse("portal:pledge_edit", args=[pledge.pk]), form_data(lines=[line()]))

    assert response.status_code == 302
    assert not pledge.lines.exists()


def test_submitting_an_empty_draft_keeps_it_a_draft_and_says_why(pl_client):
    pledge = PledgeFactory(request__country="PL")

    response = pl_client.post(reverse("portal:pledge_submit", args=[pledge.pk]), follow=True)

    pledge.refresh_from_db()
    assert pledge.status == "draft"
    assert "Pledge at least one officer line or K9 team" in response.content.decode()


def test_withdrawing_without_a_reason_is_refused(pl_client):
    pledge = PledgeFactory(request__country="PL", status="submitted")

    response = pl_client.post(reverse("portal:pledge_withdraw", args=[pledge.pk]), {"reason": ""})

    pledge.refresh_from_db()
    assert response.status_code == 200
    assert pledge.status == "submitted"


def test_withdrawing_with_a_reason_withdraws_the_pledge(pl_client):
    pledge = PledgeFactory(request__country="PL", status="submitted")

    pl_client.post(reverse("portal:pledge_withdraw", args=[pledge.pk]), {"reason": "Officers needed at home."})

    pledge.refresh_from_db()
    assert (pledge.status, pledge.withdraw_reason) == ("withdrawn", "Officers needed at home.")


def test_the_add_row_button_gets_a_blank_row_and_the_raised_row_count(pl_client):
    response = pl_client.get(
        reverse("portal:pledge_row", args=["k9_teams"]), {"k9-TOTAL_FORMS": "3"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert 'name="k9-3-handler_name"' in html
    assert 'name="k9-TOTAL_FORMS" value="4"' in html
    assert 'hx-swap-oob="true"' in html


def test_the_pledge_page_shows_who_moved_it_and_when(pl_client, liaison_pl, coordinator):
    pledge = PledgeLineFactory(pledge__request__country="PL").pledge
    submit_pledge(pledge.pk, actor=liaison_pl)
    request_changes(pledge.pk, actor=coordinator, note="More please.")

    html = pl_client.get(reverse("portal:pledge_detail", args=[pledge.pk])).content.decode()

    assert "Changes requested — coord" in html
    assert "Submitted — liaison-pl-test" in html


def test_a_missing_commander_and_a_bad_row_are_reported_together(pl_client):
    request = RequestFactory(country="PL")

    response = pl_client.post(
        reverse("portal:pledge_new", args=[request.pk]),
        form_data(lines=[line(officers_offered="0")], commander_name=""),
    )

    html = response.content.decode()
    assert 'id="id_commander_name-error"' in html
    assert 'id="id_lines-0-officers_offered-error"' in html
