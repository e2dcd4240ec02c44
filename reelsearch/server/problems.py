"""Errors as JSON: every failure answers ``{"detail": "<one readable line>"}``.

reelsearch's own errors map to 4xx (or 503 where the server cannot answer now); validation
errors list each bad field and why, in one line, plus the structured ``errors``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from reelsearch.core.errors import (
    MediaError,
    ModelUnavailableError,
    ReelsearchError,
    RequestError,
    StoreError,
    UnknownComponentError,
)

log = logging.getLogger("reelsearch.server")

STATUS_OF_ERROR: tuple[tuple[type[ReelsearchError], int], ...] = (
    (UnknownComponentError, status.HTTP_404_NOT_FOUND),
    (RequestError, status.HTTP_400_BAD_REQUEST),
    (MediaError, status.HTTP_400_BAD_REQUEST),
    (ModelUnavailableError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (StoreError, status.HTTP_503_SERVICE_UNAVAILABLE),
)
"""The first class an error is an instance of gives its status; any other is a 500."""


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


async def _reelsearch_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ReelsearchError)
    code = status_of(exc)
    if code >= status.HTTP_500_INTERNAL_SERVER_ERROR:
        log.warning("%s %s: %s", request.method, request.url.path, exc)
    return JSONResponse({"detail": str(exc)}, status_code=code)


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
        for e in exc.errors()
    ]
    return JSONResponse(
        {"detail": readable(exc.errors()), "errors": errors},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer reelsearch's errors and invalid requests with readable JSON."""
    app.add_exception_handler(ReelsearchError, _reelsearch_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
