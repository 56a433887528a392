"""Whatever a browser sends in a list page's query string, the page answers (200), never a 500:
NUL characters (which PostgreSQL refuses in a text), SQL-looking text, unknown values, huge numbers."""

import pytest
from django.urls import reverse

from tests.factories import OperationFactory, VenueFactory

ODD = ["\x00", "x\x00y", "'; drop table x; --", "%", "9" * 40, "-1", "ń" * 200]

PAGES = {
    "request_list": ["status", "authority", "country", "specialty", "sort", "page"],
    "pledge_list": ["status", "country", "page"],
    "assignment_list": ["venue", "status", "country", "day", "page"],
    "venue_list": ["page"],
    "coverage": ["from", "page"],
    "planner": ["venue", "day", "specialty", "q"],
    "dashboard": [],
}


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize("name", list(PAGES))
def test_an_odd_filter_value_gives_the_page_not_an_error(client, coordinator, name, value):
    operation = OperationFactory()
    VenueFactory(operation=operation)
    client.force_login(coordinator)

    response = client.get(reverse(name, args=[operation.code]), dict.fromkeys(PAGES[name] or ["x"], value))

    assert response.status_code == 200


@pytest.mark.parametrize("value", ODD)
def test_an_odd_filter_value_gives_the_inbox_and_the_portal_not_an_error(client, coordinator, liaison_pl, value):
    for user, url, params in ((coordinator, "inbox", ["unread", "page"]), (liaison_pl, "portal:deployments", ["status"]),
                              (liaison_pl, "portal:home", ["x"])):  # fmt: skip
        client.force_login(user)
        assert client.get(reverse(url), dict.fromkeys(params, value)).status_code == 200, url
