"""The optional API key: when ``api_key`` is configured, every ``/api`` route except the health
check needs it, in the ``X-API-Key`` header or, for ``<img>`` and ``<video>`` sources that cannot
send headers, in the ``api_key`` query parameter."""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Security, status
from fastapi.security import APIKeyHeader, APIKeyQuery

from reelsearch.server.state import ServedDep

HEADER = "X-API-Key"
QUERY = "api_key"

_header = APIKeyHeader(name=HEADER, auto_error=False, description="The server's API key.")
_query = APIKeyQuery(name=QUERY, auto_error=False, description="The API key, for media URLs.")


async def require_key(
    served: ServedDep,
    header: str | None = Security(_header),
    query: str | None = Security(_query),
) -> None:
    """Refuse the request with 401 unless it carries the configured key (if one is); async,
    as it never blocks (FastAPI runs a plain function on its thread pool)."""
    expected = served.settings.api_key
    if expected is None:
        return
    given = header or query
    if given is None or not secrets.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=f"missing or wrong API key: send it in the {HEADER} header",
            headers={"WWW-Authenticate": "ApiKey"},
        )
