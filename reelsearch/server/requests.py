"""What an HTTP client may ask: every query of a request (the nested ones of an intersection
included) is checked against the limits and the cost budget, names its image by upload, and
names no server path."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from pydantic import BaseModel

from reelsearch.core.cursor import first_hit
from reelsearch.core.errors import RequestError
from reelsearch.core.gateway import Gateway
from reelsearch.core.models import SearchRequest
from reelsearch.server.files import Upload, Uploads
from reelsearch.server.limits import Limits, queries


def vetted(
    request: SearchRequest,
    limits: Limits,
    uploads: Uploads,
    gateway: Gateway,
    files: ExitStack,
    fresh: Upload | None = None,
) -> SearchRequest:
    """``request`` with each query's uploaded image name replaced by the path of a file that
    holds the image until ``files`` closes, and each query's page start (its checked cursor
    or page) given as ``offset``: cursors are signed for the request as the client sent it.

    Args:
        request: The request as sent.
        limits: The caps it must keep to.
        uploads: The uploads its images name.
        gateway: The gateway that will run it (which searchers each query reaches).
        files: Where the upload files' lifetimes are kept: closing it deletes them.
        fresh: The image just uploaded with the request, if any (found even when no upload
            is kept in memory).

    Raises:
        HTTPException: A query is over a limit (422), or its upload is gone (404).
        RequestError: A query gives a clip or an image that is not an upload, a cursor this
            server did not sign, or the request is over the cost budget.
    """

    def vet(query: SearchRequest) -> SearchRequest:
        changed: dict[str, Any] = {}
        if query.cursor is not None or query.page is not None:
            start = first_hit(query, gateway.settings)
            changed |= {"offset": start, "cursor": None, "page": None}
        if query.image is not None:
            upload = fresh if fresh and fresh.name == query.image else uploads.recall(query.image)
            changed["image"] = str(files.enter_context(uploads.on_disk(upload)))
        changed |= _nested(query, vet)
        return query.model_copy(update=changed) if changed else query

    if any(query.clip is not None for query, _ in queries(request)):
        raise RequestError("search by clip is not available over HTTP; search by image or shot")
    limits.check_all(request, gateway)
    return vet(request)


Vet = Callable[[SearchRequest], SearchRequest]


def _nested(model: BaseModel, vet: Vet) -> dict[str, Any]:
    """The fields of ``model`` that hold search requests, each request passed through ``vet``."""
    changed = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        mapped = _map(value, vet)
        if mapped is not value:
            changed[name] = mapped
    return changed


def _map(value: Any, vet: Vet) -> Any:
    if isinstance(value, SearchRequest):
        return vet(value)
    if isinstance(value, BaseModel):
        changed = _nested(value, vet)
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, list):
        mapped = [_map(item, vet) for item in value]
        return mapped if any(m is not v for m, v in zip(mapped, value, strict=True)) else value
    return value
