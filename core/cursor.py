"""Page cursors: opaque, stable tokens that say where the next page of one query starts.

A cursor holds the offset of the next page and a fingerprint of the request without its
paging fields (``limit``, ``offset``, ``page``, ``cursor``), so that it cannot be replayed on
another query; the page size may change from one page to the next.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from reelsearch.core.errors import RequestError
from reelsearch.core.models import SearchRequest

PAGING_FIELDS = frozenset({"limit", "offset", "page", "cursor"})
"""Request fields that choose a page rather than the hits."""

_VERSION = 1


def fingerprint(request: SearchRequest) -> str:
    """A hash of what ``request`` asks for, whichever page it asks for."""
    asked = request.model_dump(mode="json", exclude=set(PAGING_FIELDS))
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()[:16]


def encode_cursor(request: SearchRequest, offset: int) -> str:
    """The cursor of the page of ``request`` that starts at hit ``offset``."""
    token = json.dumps({"v": _VERSION, "o": offset, "q": fingerprint(request)})
    return base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")


def first_hit(request: SearchRequest) -> int:
    """Where the page ``request`` asks for starts: its cursor, page or offset.

    Raises:
        RequestError: The cursor is malformed or was made for another query.
    """
    if request.cursor is None:
        return (request.page - 1) * request.limit if request.page else request.offset
    try:
        padded = request.cursor + "=" * (-len(request.cursor) % 4)
        token = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset, query = token["o"], token["q"]
        valid = token["v"] == _VERSION and isinstance(offset, int) and offset >= 0
    except (ValueError, TypeError, KeyError, binascii.Error):
        valid = False
    if not valid:
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
