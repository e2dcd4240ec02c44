"""Page cursors: opaque, signed tokens that say where the next page of one query starts.

A cursor holds the offset of the next page and a fingerprint of the request without its
paging fields (``limit``, ``offset``, ``page``, ``cursor``), so that it cannot be replayed on
another query; the page size may change from one page to the next. It is signed with the data
home's secret (:mod:`reelsearch.core.secret`): a cursor a client made up or altered is refused
before anything in it is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from reelsearch.core.config import Settings
from reelsearch.core.errors import RequestError
from reelsearch.core.models import SearchRequest
from reelsearch.core.secret import home_key, sign, signed_by

PAGING_FIELDS = frozenset({"limit", "offset", "page", "cursor"})
"""Request fields that choose a page rather than the hits."""

_VERSION = 2
_PURPOSE = "cursor"


def fingerprint(request: SearchRequest) -> str:
    """A hash of what ``request`` asks for, whichever page it asks for."""
    asked = request.model_dump(mode="json", exclude=set(PAGING_FIELDS))
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:16]


def encode_cursor(request: SearchRequest, offset: int, settings: Settings) -> str:
    """The cursor of the page of ``request`` that starts at hit ``offset``, signed with the
    key of ``settings``' data home."""
    token = json.dumps({"v": _VERSION, "o": offset, "q": fingerprint(request)})
    body = base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")
    return f"{body}.{sign(home_key(settings.home, _PURPOSE), body)}"


def first_hit(request: SearchRequest, settings: Settings) -> int:
    """Where the page ``request`` asks for starts: its cursor, page or offset.

    Raises:
        RequestError: The cursor is not one this data home signed, or was made for another
            query.
    """
    if request.cursor is None:
        return (request.page - 1) * request.limit if request.page else request.offset
    body, _, signature = request.cursor.partition(".")
    offset, query = None, None
    if signed_by(home_key(settings.home, _PURPOSE), body, signature):
        try:
            token = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            offset, query = token["o"], token["q"]
            if token["v"] != _VERSION or not isinstance(offset, int) or offset < 0:
                offset = None
        except (ValueError, TypeError, KeyError, binascii.Error):
            offset = None
    if offset is None:
        raise RequestError(
            f"cursor {request.cursor[:40]!r} is not one this server made; "
            "pass the next_cursor of a previous response unchanged"
        )
    if query != fingerprint(request):
        raise RequestError(
            "this cursor belongs to another query: repeat the request that returned it "
            "(only limit may change), or drop the cursor to start from the first page"
        )
    return int(offset)
