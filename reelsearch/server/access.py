"""The optional API key: when ``api_key`` is configured, every ``/api`` route except the health
check needs it in the ``X-API-Key`` header. It never goes in a URL: a key given in the
``api_key`` query parameter is refused, and blanked out of the URL before anything logs it.
Media files load with the key or with the signed link that search hits carry."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import Depends, HTTPException, Query, Request, Security, status
from fastapi.security import APIKeyHeader
from starlette.types import ASGIApp, Receive, Scope, Send

from reelsearch.server.state import ServedDep

HEADER = "X-API-Key"
QUERY = "api_key"
REDACTED = "redacted"

_header = APIKeyHeader(name=HEADER, auto_error=False, description="The server's API key.")


async def require_key(
    request: Request, served: ServedDep, header: str | None = Security(_header)
) -> None:
    """Refuse the request with 401 unless it carries the configured key (if one is) in the
    header; async, as it never blocks (FastAPI runs a plain function on its thread pool)."""
    expected = served.settings.api_key
    if expected is None:
        return
    if QUERY in request.query_params:
        raise _unauthorized(
            f"the API key goes in the {HEADER} header only, never in the URL ({QUERY}=...)"
        )
    if header is None or not secrets.compare_digest(header.encode(), expected.encode()):
        raise _unauthorized(f"missing or wrong API key: send it in the {HEADER} header")


async def require_key_or_link(
    request: Request,
    served: ServedDep,
    expires: Annotated[
        str | None, Query(description="Expiry of a signed media link (from a search hit).")
    ] = None,
    sig: Annotated[str | None, Query(description="Signature of a signed media link.")] = None,
    header: str | None = Security(_header),
) -> None:
    """A media file's access: a signed link that has not expired (403 otherwise) or, with no
    link, the API key as for any route."""
    if expires is None and sig is None:
        await require_key(request, served, header)
        return
    params = request.path_params
    target = f"media/{params['path']}" if "path" in params else f"source/{params['asset_id']}"
    served.links.check(target, expires, sig)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "ApiKey"}
    )


KeyDep = Depends(require_key)
LinkDep = Depends(require_key_or_link)


class KeyOutOfUrls:
    """ASGI middleware that blanks the value of an ``api_key`` query parameter before the
    request goes further, so that no access log line (uvicorn logs the scope's query string)
    and no handler sees a key sent in a URL.

    Args:
        app: The wrapped application.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query: bytes = scope.get("query_string", b"")
        if scope["type"] == "http" and QUERY.encode() in query:
            pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
            if any(name == QUERY for name, _ in pairs):
                blanked = [(n, REDACTED if n == QUERY else v) for n, v in pairs]
                scope["query_string"] = urlencode(blanked).encode("latin-1")
        await self.app(scope, receive, send)
