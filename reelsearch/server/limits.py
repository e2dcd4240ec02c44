"""Caps on what one HTTP request may ask for: page size, query length, offset, body size, and
the cost of a search (its intersections, their nesting, the hits asked of searchers)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reelsearch.core.config import Settings
from reelsearch.core.cursor import first_hit
from reelsearch.core.errors import RequestError
from reelsearch.core.gateway import Gateway
from reelsearch.core.models import SearchRequest
from reelsearch.server.problems import problem

ENVELOPE_BYTES = 64 * 1024
"""Room for the multipart envelope and form fields around an uploaded image."""

UPLOAD_PATH = "/api/search/image"
"""The route whose body may be as large as an image upload."""
VIDEO_UPLOAD_PATH = "/api/ingest/upload"
"""The route whose body may be as large as a video upload."""


@dataclass(frozen=True)
class Limits:
    """The configured caps (see the ``max_*`` settings)."""

    max_page_size: int
    max_query_chars: int
    max_upload_bytes: int
    max_offset: int
    max_intersections: int
    max_intersect_depth: int
    max_search_candidates: int
    max_request_bytes: int
    max_response_bytes: int
    max_video_upload_bytes: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            max_page_size=settings.max_page_size,
            max_query_chars=settings.max_query_chars,
            max_upload_bytes=settings.max_upload_bytes,
            max_offset=settings.max_offset,
            max_intersections=settings.max_intersections,
            max_intersect_depth=settings.max_intersect_depth,
            max_search_candidates=settings.max_search_candidates,
            max_request_bytes=settings.max_request_bytes,
            max_response_bytes=settings.max_response_bytes,
            max_video_upload_bytes=settings.max_video_upload_bytes,
        )

    @property
    def max_body_bytes(self) -> int:
        """The largest request body accepted: an upload and its envelope."""
        return self.max_upload_bytes + ENVELOPE_BYTES

    def check(self, request: SearchRequest) -> None:
        """Refuse one query of a request with 422, naming every field over a cap."""
        problems = []
        if request.text is not None and len(request.text) > self.max_query_chars:
            problems.append(
                f"text: the query has {len(request.text)} characters; "
                f"this server accepts at most {self.max_query_chars}"
            )
        if request.limit > self.max_page_size:
            problems.append(
                f"limit: {request.limit} hits per page is over this server's cap of "
                f"{self.max_page_size}"
            )
        if request.offset > self.max_offset:
            problems.append(
                f"offset: {request.offset} is deeper than this server pages ({self.max_offset})"
            )
        if request.page is not None and (request.page - 1) * request.limit > self.max_offset:
            problems.append(
                f"page: {request.page} is deeper than this server pages ({self.max_offset} hits)"
            )
        if problems:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="; ".join(problems))

    def check_all(self, request: SearchRequest, gateway: Gateway) -> None:
        """Refuse a request with a query over a cap (see :meth:`check`), or whose
        intersections, their nesting or the hits it would ask of searchers (each query's
        page start checked, its cursor's signature first) are over this server's budget.

        Raises:
            HTTPException: A query over a cap (422).
            RequestError: Over the budget (400), or a cursor this server did not sign.
            UnknownComponentError: A query names an unknown searcher.
        """
        every = list(queries(request))
        for query, _ in every:
            self.check(query)
        others = len(every) - 1
        if others > self.max_intersections:
            raise RequestError(
                f"intersect: {others} other queries; this server intersects at most "
                f"{self.max_intersections} per search"
            )
        deepest = max(depth for _, depth in every)
        if deepest > self.max_intersect_depth:
            raise RequestError(
                f"intersect: nested {deepest} deep; this server allows at most "
                f"{self.max_intersect_depth}"
            )
        asked = 0
        for query, _ in every:
            start = first_hit(query, gateway.settings)
            if start > self.max_offset:
                raise RequestError(
                    f"cursor: the page starts at hit {start}, deeper than this server pages "
                    f"({self.max_offset}); start from the first page"
                )
            candidates = max(gateway.settings.search_candidates, start + query.limit + 1)
            asked += candidates * len(gateway.searchers(query))
        if asked > self.max_search_candidates:
            raise RequestError(
                f"this search would ask its searchers for {asked} hits, over this server's "
                f"budget of {self.max_search_candidates}: ask for a shallower page, fewer "
                "searches (algos) or fewer intersections"
            )


def queries(request: SearchRequest) -> Iterator[tuple[SearchRequest, int]]:
    """Every query of ``request`` with how deep in ``intersect`` it is (0: the main one)."""
    pending = [(request, 0)]
    while pending:
        query, depth = pending.pop()
        yield query, depth
        pending.extend((i.query, depth + 1) for i in query.intersect if i.query is not None)


def too_large(limit: int, what: str = "uploads") -> HTTPException:
    """The 413 error for a body or an upload over ``limit`` bytes."""
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        detail=f"the request is too large: this server accepts {what} of at most {limit} bytes",
    )


class BodyLimit:
    """ASGI middleware refusing request bodies over a size with 413, before they are read.

    A declared ``Content-Length`` over the limit is refused at once; a body without one
    (chunked) is counted as it streams, and refused when it passes the limit. The upload
    routes take an upload (image or video) and its envelope; every other route
    ``max_request_bytes``.

    Args:
        app: The wrapped application.
        limits: The caps.
    """

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == UPLOAD_PATH:
            max_bytes, error = self.limits.max_body_bytes, too_large(self.limits.max_upload_bytes)
        elif scope["path"] == VIDEO_UPLOAD_PATH:
            most = self.limits.max_video_upload_bytes
            max_bytes, error = most + ENVELOPE_BYTES, too_large(most, "videos")
        else:
            max_bytes = self.limits.max_request_bytes
            error = too_large(max_bytes, "request bodies")
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await _refuse(scope, receive, send, error)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > max_bytes:
                raise error
            return message

        await self.app(scope, counted, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, error: HTTPException) -> None:
    await problem(error.status_code, str(error.detail))(scope, receive, send)
