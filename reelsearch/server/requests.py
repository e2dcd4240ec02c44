"""What an HTTP client may ask: every query of a request (the nested ones of an intersection
included) is checked against the limits, names its image by upload, and names no server path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from reelsearch.core.errors import RequestError
from reelsearch.core.models import SearchRequest
from reelsearch.server.files import Uploads
from reelsearch.server.limits import Limits


def vetted(request: SearchRequest, limits: Limits, uploads: Uploads) -> SearchRequest:
    """``request`` with each query's uploaded image name replaced by the upload's path.

    Raises:
        HTTPException: A query is over a limit (422), or its upload is gone (404).
        RequestError: A query gives a clip or an image that is not an upload.
    """
    limits.check(request)
    if request.clip is not None:
        raise RequestError("search by clip is not available over HTTP; search by image or shot")
    changed: dict[str, Any] = {"image": str(uploads.path(request.image))} if request.image else {}
    nested = _nested(request, lambda inner: vetted(inner, limits, uploads))
    return request.model_copy(update={**nested, **changed}) if nested or changed else request


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
