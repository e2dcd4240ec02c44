"""Searching: the registered searches, a search by JSON request, a search by uploaded image."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from reelsearch.core.components import Searcher
from reelsearch.core.cursor import encode_cursor
from reelsearch.core.errors import RequestError
from reelsearch.core.models import SearcherFailure, SearchRequest
from reelsearch.matchcuts import DEDUPE, with_dedupe
from reelsearch.search_hints import search_hints
from reelsearch.server.access import KeyDep
from reelsearch.server.files import Upload
from reelsearch.server.openapi import problems
from reelsearch.server.requests import vetted
from reelsearch.server.state import Served, ServedDep
from reelsearch.server.views import (
    HitView,
    LimitsView,
    SearchesView,
    SearchResultView,
    SearchView,
)

router = APIRouter(tags=["search"], dependencies=[KeyDep])

SEARCH_PROBLEMS = problems(400, 404, 413, 422, 503)


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
            max_upload_pixels=served.settings.max_upload_pixels,
            max_offset=limits.max_offset,
            max_intersections=limits.max_intersections,
            max_intersect_depth=limits.max_intersect_depth,
        ),
        dedupe_postprocessors=(
            with_dedupe(SearchRequest(text="-"), served.settings).postprocessors
            if DEDUPE in registry.names("postprocessor")
            else None
        ),
    )


@router.post("/search", response_model=SearchResultView, responses=SEARCH_PROBLEMS)
def search(request: SearchRequest, served: ServedDep) -> Response:
    """Run a search. ``image`` names an upload from ``POST /api/search/image``; ``clip``
    (a server-side path) is not accepted over HTTP."""
    return run(served, request)


@router.post(
    "/search/image", response_model=SearchResultView, responses=problems(*SEARCH_PROBLEMS, 415)
)
def search_by_image(
    served: ServedDep,
    file: Annotated[UploadFile, File(description="The still to search by.")],
    params: Annotated[
        str,
        Form(description="JSON object of further request fields: algos, filter, limit, ..."),
    ] = "{}",
) -> Response:
    """Upload a still and search by it; the answer's ``upload`` names it for further pages.
    The image is on disk only while the search runs."""
    fields = _json_object(params)
    upload = served.uploads.accept(file.file)
    fields["image"] = upload.name
    try:
        request = SearchRequest.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("params", *e["loc"])} for e in exc.errors()]
        ) from None
    return run(served, request, upload)


def run(served: Served, request: SearchRequest, fresh: Upload | None = None) -> Response:
    """Vet ``request`` (limits, cost, uploads), search, and dress the hits for the client;
    the upload files it searched by are deleted before the answer goes, whatever it is.

    The view is serialised here, once: FastAPI would validate a returned model against the
    response model again first, which costs as much as the search at small sizes.

    Raises:
        RequestError: The answer is larger than ``max_response_bytes``.
    """
    started = time.perf_counter()
    with ExitStack() as files:
        ready = vetted(request, served.limits, served.uploads, served.runtime.gateway, files, fresh)
        response = served.runtime.search(ready)
        response.warnings = search_hints(served.runtime, ready, response)
    if response.next_cursor is not None:
        following = ready.offset + ready.limit
        cursor = encode_cursor(request, following, served.runtime.settings)
        response = response.model_copy(update={"next_cursor": cursor})
    hits = served.shot_media.fill(response.hits)
    took_ms = (time.perf_counter() - started) * 1000
    view = SearchResultView(
        **response.model_dump(exclude={"hits", "errors"}),
        errors=[_scrubbed(served, failure) for failure in response.errors],
        hits=[HitView.of(h, served.media, served.links) for h in hits],
        took_ms=round(took_ms, 3),
        upload=request.image,
    )
    body = view.model_dump_json()
    cap = served.limits.max_response_bytes
    if len(body) > cap:
        raise RequestError(
            f"the answer would be {len(body)} bytes, over this server's cap of {cap}; "
            f"ask for fewer hits per page (limit)"
        )
    return Response(body, media_type="application/json")


def _scrubbed(served: Served, failure: SearcherFailure) -> SearcherFailure:
    return failure.model_copy(update={"message": served.scrub(failure.message)})


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
        value = json.loads(text or "{}", parse_constant=_no_constant)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise RequestError(f"params is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise RequestError("params must be a JSON object of search request fields")
    return value


def _no_constant(name: str) -> Any:
    raise RequestError(f"params: {name} is not a number JSON allows (finite numbers only)")
