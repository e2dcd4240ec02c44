"""Caps on what one HTTP request may ask for: page size, query length, offset, body size."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException, status
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reelsearch.core.config import Settings
from reelsearch.core.models import SearchRequest

MAX_OFFSET = 10_000
"""Deepest hit a search may page to: each page asks the searchers for offset + limit hits."""

ENVELOPE_BYTES = 64 * 1024
"""Room for the multipart envelope and form fields around an uploaded image."""

PAGE_SIZE_FIELDS = ("limit", "page_size")
"""Request fields that set how many hits come back (``page_size`` if the model has one)."""


@dataclass(frozen=True)
class Limits:
    """The configured caps (see ``max_page_size``, ``max_query_chars``, ``max_upload_bytes``)."""

    max_page_size: int
    max_query_chars: int
    max_upload_bytes: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.max_page_size, settings.max_query_chars, settings.max_upload_bytes)

    @property
    def max_body_bytes(self) -> int:
        """The largest request body accepted: an upload and its envelope."""
        return self.max_upload_bytes + ENVELOPE_BYTES

    def check(self, request: SearchRequest) -> None:
        """Refuse ``request`` with 422, naming every field over a cap."""
        problems = []
        if request.text is not None and len(request.text) > self.max_query_chars:
            problems.append(
                f"text: the query has {len(request.text)} characters; "
                f"this server accepts at most {self.max_query_chars}"
            )
        for name in PAGE_SIZE_FIELDS:
            value = getattr(request, name, None)
            if isinstance(value, int) and value > self.max_page_size:
                problems.append(
                    f"{name}: {value} hits per page is over this server's cap of "
                    f"{self.max_page_size}"
                )
        offset = getattr(request, "offset", 0)
        if isinstance(offset, int) and offset > MAX_OFFSET:
            problems.append(f"offset: {offset} is deeper than this server pages ({MAX_OFFSET})")
        page = getattr(request, "page", None)
        if isinstance(page, int) and (page - 1) * request.limit > MAX_OFFSET:
            problems.append(f"page: {page} is deeper than this server pages ({MAX_OFFSET} hits)")
        if problems:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="; ".join(problems))


def too_large(limit: int) -> HTTPException:
    """The 413 error for a body or an upload over ``limit`` bytes."""
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        detail=f"the request is too large: this server accepts uploads of at most {limit} bytes",
    )


class BodyLimit:
    """ASGI middleware refusing request bodies over a size with 413, before they are read.

    A declared ``Content-Length`` over the limit is refused at once; a body without one
    (chunked) is counted as it streams, and refused when it passes the limit.

    Args:
        app: The wrapped application.
        max_bytes: The largest body accepted.
        shown_limit: The limit the error message names (the upload cap, not the envelope).
    """

    def __init__(self, app: ASGIApp, max_bytes: int, shown_limit: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.shown_limit = shown_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _refuse(scope, receive, send, too_large(self.shown_limit))
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise too_large(self.shown_limit)
            return message

        await self.app(scope, counted, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, error: HTTPException) -> None:
    response = JSONResponse({"detail": error.detail}, status_code=error.status_code)
    await response(scope, receive, send)
