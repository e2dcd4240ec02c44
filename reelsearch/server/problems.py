"""Errors as problem details (RFC 9457): every failure answers ``application/problem+json``
with ``{"type", "title", "status", "detail"}``, ``detail`` being one readable line.

reelsearch's own errors map to 4xx (or 503 where the server cannot answer now); validation
errors list each bad field and why in ``detail``, plus the structured ``errors``. No message
names a path under the server's data home.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from reelsearch.core.config import Settings
from reelsearch.core.errors import (
    ForbiddenPathError,
    JobError,
    MediaError,
    ModelUnavailableError,
    ReelsearchError,
    RequestError,
    StoreError,
    UnknownComponentError,
    UnknownJobError,
)

log = logging.getLogger("reelsearch.server")

PROBLEM_TYPE = "application/problem+json"

STATUS_OF_ERROR: tuple[tuple[type[ReelsearchError], int], ...] = (
    (UnknownComponentError, status.HTTP_404_NOT_FOUND),
    (UnknownJobError, status.HTTP_404_NOT_FOUND),
    (ForbiddenPathError, status.HTTP_403_FORBIDDEN),
    (JobError, status.HTTP_400_BAD_REQUEST),
    (RequestError, status.HTTP_400_BAD_REQUEST),
    (MediaError, status.HTTP_400_BAD_REQUEST),
    (ModelUnavailableError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (StoreError, status.HTTP_503_SERVICE_UNAVAILABLE),
)
"""The first class an error is an instance of gives its status; any other is a 500."""


class Problem(BaseModel):
    """What went wrong (RFC 9457 problem details)."""

    type: str = Field(default="about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="The HTTP status's name.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="One readable line: what is wrong and what to do.")


class FieldProblem(BaseModel):
    """One invalid field of a request."""

    loc: list[str | int] = Field(description="Where: body, then the field path.")
    msg: str
    type: str


class ValidationProblem(Problem):
    """An invalid request: ``detail`` names every bad field, ``errors`` lists them."""

    errors: list[FieldProblem]


def status_of(error: ReelsearchError) -> int:
    """The HTTP status of one of reelsearch's errors."""
    for kind, code in STATUS_OF_ERROR:
        if isinstance(error, kind):
            return code
    return status.HTTP_500_INTERNAL_SERVER_ERROR


def readable(errors: Sequence[Mapping[str, Any]]) -> str:
    """Pydantic's errors as one line: ``field.path: message; ...``."""
    lines = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query")]
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        lines.append(f"{'.'.join(location)}: {message}" if location else message)
    return "; ".join(lines)


class Scrubber:
    """Replaces the server's own folders in a message by a placeholder, so that no error
    tells a client where the data home is.

    Args:
        folders: The folders to hide (each also in its resolved form), longest first.
    """

    def __init__(self, folders: Iterable[Path]) -> None:
        names = {str(f) for folder in folders for f in (folder, folder.resolve())}
        self.names = sorted((n for n in names if len(n) > 1), key=len, reverse=True)

    @classmethod
    def of(cls, settings: Settings) -> Scrubber:
        folders = [settings.home]
        for location in (settings.store_url, settings.features_url):
            if location and "://" not in location:
                folders.append(Path(location))
        return cls(folders)

    def __call__(self, message: str) -> str:
        for name in self.names:
            message = message.replace(name, "<data home>")
        return message


def problem(
    code: int, detail: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """A problem-details response."""
    body = Problem(title=HTTPStatus(code).phrase, status=code, detail=detail).model_dump()
    return JSONResponse(
        {**body, **extra}, status_code=code, headers=headers, media_type=PROBLEM_TYPE
    )


def _scrub(request: Request, message: str) -> str:
    served = getattr(request.app.state, "served", None)
    return served.scrub(message) if served is not None else message


async def _reelsearch_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ReelsearchError)
    code = status_of(exc)
    detail = _scrub(request, str(exc))
    if code >= status.HTTP_500_INTERNAL_SERVER_ERROR:
        log.warning("%s %s: %s", request.method, request.url.path, detail)
    return problem(code, detail)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    extra: dict[str, Any] = {"errors": []} if exc.status_code == 422 else {}
    return problem(exc.status_code, _scrub(request, str(exc.detail)), exc.headers, **extra)


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        FieldProblem(
            loc=[p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
            msg=_scrub(request, str(e.get("msg", ""))),
            type=str(e.get("type", "invalid")),
        ).model_dump()
        for e in exc.errors()
    ]
    return problem(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        _scrub(request, readable(exc.errors())),
        errors=errors,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer reelsearch's errors, HTTP errors and invalid requests with problem details."""
    app.add_exception_handler(ReelsearchError, _reelsearch_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
