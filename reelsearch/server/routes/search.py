"""Searching: the registered searches, a search by JSON request, a search by uploaded image."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from reelsearch.core.components import Searcher
from reelsearch.core.errors import RequestError
from reelsearch.core.models import SearchRequest
from reelsearch.server.access import require_key
from reelsearch.server.requests import vetted
from reelsearch.server.state import Served, ServedDep
from reelsearch.server.views import (
    HitView,
    LimitsView,
    SearchesView,
    SearchResultView,
    SearchView,
)

router = APIRouter(tags=["search"], dependencies=[Depends(require_key)])


@router.get("/searches")
def searches(served: ServedDep) -> SearchesView:
    """Every registered search, what it answers, and the request schema they all take."""
    registry = served.runtime.registry
    views = []
    for name in registry.names("searcher"):
        registration = registry.get("searcher", name)
        searcher = registration.component
        assert issubclass(searcher, Searcher)
        views.append(
            SearchView(
                name=name,
                algo=searcher.algo,
                description=searcher.description,
                plugin=registration.plugin.name,
                capabilities=sorted(searcher.capabilities),
                query_kinds=sorted(searcher.query_kinds),
            )
        )
    limits = served.limits
    return SearchesView(
        searches=views,
        request_schema=request_schema(),
        limits=LimitsView(
            max_page_size=limits.max_page_size,
            max_query_chars=limits.max_query_chars,
            max_upload_bytes=limits.max_upload_bytes,
        ),
    )


@router.post("/search", response_model=SearchResultView)
def search(request: SearchRequest, served: ServedDep) -> Response:
    """Run a search. ``image`` names an upload from ``POST /api/search/image``; ``clip``
    (a server-side path) is not accepted over HTTP."""
    return run(served, request, upload=request.image)


@router.post("/search/image", response_model=SearchResultView)
def search_by_image(
    served: ServedDep,
    file: Annotated[UploadFile, File(description="The still to search by.")],
    params: Annotated[
        str,
        Form(description="JSON object of further request fields: algos, filter, limit, ..."),
    ] = "{}",
) -> Response:
    """Upload a still and search by it; the answer's ``upload`` names it for further pages."""
    fields = _json_object(params)
    upload = served.uploads.save_image(file.file)
    fields["image"] = upload
    try:
        request = SearchRequest.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("params", *e["loc"])} for e in exc.errors()]
        ) from None
    return run(served, request, upload)


def run(served: Served, request: SearchRequest, upload: str | None = None) -> Response:
    """Vet ``request`` (limits, uploads), search, and dress the hits for the client.

    The view is serialised here, once: FastAPI would validate a returned model against the
    response model again first, which costs as much as the search at small sizes."""
    request = vetted(request, served.limits, served.uploads)
    started = time.perf_counter()
    response = served.runtime.search(request)
    hits = served.shot_media.fill(response.hits)
    took_ms = (time.perf_counter() - started) * 1000
    view = SearchResultView(
        **response.model_dump(exclude={"hits"}),
        hits=[HitView.of(h, served.media) for h in hits],
        took_ms=round(took_ms, 3),
        upload=upload,
    )
    return Response(view.model_dump_json(), media_type="application/json")


def request_schema() -> dict[str, Any]:
    """The JSON schema of :class:`SearchRequest` with its properties at the top level (pydantic
    puts a recursive model under ``$defs`` and refers to it)."""
    schema = SearchRequest.model_json_schema()
    reference = schema.get("$ref", "")
    if not reference.startswith("#/$defs/"):
        return schema
    definitions = schema["$defs"]
    return {**definitions[reference.removeprefix("#/$defs/")], "$defs": definitions}


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise RequestError(f"params is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise RequestError("params must be a JSON object of search request fields")
    return value
