"""`ETag` on every successful GET under /api/v1/ and `If-None-Match` answered with 304 (SPEC §12).

The tag is a hash of the representation as sent, so it moves with anything the answer shows — a nested
line, a status, the caller's language — and not otherwise. It is weak (W/): equal JSON, not equal bytes
on the wire once a proxy compresses it. The view still runs; a client that already holds the object
saves the transfer and learns in one round trip that nothing changed."""

import hashlib

from django.http import HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

API_PREFIX = "/api/v1/"


def weak_etag(content: bytes) -> str:
    return f'W/"{hashlib.sha256(content).hexdigest()[:32]}"'


def _matches(header: str, etag: str) -> bool:
    tags = parse_etags(header)
    return "*" in tags or any(tag.removeprefix("W/") == etag.removeprefix("W/") for tag in tags)


class ApiETagMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method not in ("GET", "HEAD")
            or not request.path.startswith(API_PREFIX)
            or response.status_code != 200
            or response.streaming
        ):
            return response
        if "ETag" not in response.headers:
            response.headers["ETag"] = weak_etag(response.content)
        etag = response.headers["ETag"]
        # The same URL answers each caller (token or session) and language with its own representation.
        patch_vary_headers(response, ["Authorization", "Cookie", "Accept-Language"])
        if _matches(request.headers.get("If-None-Match", ""), etag):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Vary", "Content-Language"):
                if header in response.headers:
                    not_modified.headers[header] = response.headers[header]
            return not_modified
        return response
