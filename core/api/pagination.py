"""Page-number pagination with a clear 400 for a bad page_size (SPEC §7), named by DRF's settings; and,
for the change feed (`updated_after`, `cursor`: core/api/feed.py), keyset pages instead of offsets."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.api import feed


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        # DRF silently clamps a bad page_size; SPEC §7 wants a clear 4xx instead.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [_("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}]}
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        self.feed = feed.in_feed(request) and feed.follows_changes(queryset)
        if not self.feed:
            return super().paginate_queryset(queryset, request, view)
        if self.page_query_param in request.query_params:
            raise exceptions.ValidationError(
                {self.page_query_param: [_("The change feed pages by cursor: send cursor, not page.")]}
            )
        self.request = request
        size = self.get_page_size(request)
        # One row more than the page says whether there is a next page, without a COUNT over the feed.
        rows = list(queryset[: size + 1])
        self.more, rows = len(rows) > size, rows[:size]
        if rows:
            self.cursor = feed.encode_cursor(rows[-1].updated_at, rows[-1].pk)
        elif feed.CURSOR in request.query_params:
            self.cursor = request.query_params[feed.CURSOR]
        else:
            self.cursor = feed.encode_cursor(feed.parse_instant(request.query_params[feed.UPDATED_AFTER]), None)
        return rows

    def get_paginated_response(self, data):
        if not self.feed:
            return super().get_paginated_response(data)
        return Response({"next": self.get_feed_link(), "previous": None, "cursor": self.cursor, "results": data})

    def get_feed_link(self):
        if not self.more:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), feed.UPDATED_AFTER)
        return replace_query_param(url, feed.CURSOR, self.cursor)

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["results"]
        answer["properties"]["count"]["description"] = "Offset pages only (not in the change feed)."
        answer["properties"]["cursor"] = {
            "type": "string",
            "description": "Change feed only: send it back as `cursor` for what changed after this page; "
            "`next` is null once the feed is caught up.",
        }
        return answer
