"""Conditional GET for both dialects: an `ETag` from a validator, `If-None-Match` → 304.

A view computes its validator from values Parley already keeps (a
conversation's `updated_at` and counters, the caller's own state, the
request), never from the answer itself: a client polling an unchanged
resource costs the access check, not the full read. The tag is a digest of
those values, the method and URL, the caller and `WIRE_VERSION`.
"""

import hashlib

from django.http import HttpResponse
from django.utils.http import parse_etags

# Bump whenever a conditional endpoint's output changes shape for the same
# data, so clients holding an old tag get the new body.
WIRE_VERSION = 1

CONDITIONAL_METHODS = frozenset({"GET", "HEAD"})


def is_conditional(request) -> bool:
    """A read answered in JSON: the browsable API's pages (forms, CSRF token) are never tagged."""
    renderer = getattr(request, "accepted_renderer", None)
    return request.method in CONDITIONAL_METHODS and getattr(renderer, "format", None) == "json"


def etag_of(request, *validator) -> str:
    """A strong tag over the validator, the request line, the caller and the wire version."""
    parts = (WIRE_VERSION, request.build_absolute_uri(), request.user.pk, *validator)
    return '"' + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest() + '"'


def matches(request, etag: str) -> bool:
    """`If-None-Match` names this tag (weak comparison, RFC 9110 §13.1.2), or is `*`."""
    header = request.headers.get("If-None-Match")
    if not header or request.method not in CONDITIONAL_METHODS:
        return False
    tags = parse_etags(header)
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


class NotModified(Exception):
    """Raised once the validator matched: the view answers 304 without reading further."""

    def __init__(self, etag: str):
        super().__init__(etag)
        self.etag = etag

    def response(self) -> HttpResponse:
        """304, no body, the tag repeated (RFC 9110 §15.4.5)."""
        response = HttpResponse(status=304)
        response["ETag"] = self.etag
        del response["Content-Type"]
        return response
