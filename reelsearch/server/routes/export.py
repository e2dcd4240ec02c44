"""Exports of hits over HTTP: a search's page, or hits a client already has, as an edit (EDL,
OTIO, FCP X, FCP 7 XML, CSV or JSON) returned as a file to save."""

from __future__ import annotations

import re
from contextlib import ExitStack
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from reelsearch.core.errors import RequestError
from reelsearch.core.models import MAX_LIMIT, Hit, SearchRequest, check_plain
from reelsearch.exports import ExportError, ExportFormat, assets_of, export_hits
from reelsearch.server.access import KeyDep
from reelsearch.server.openapi import problems
from reelsearch.server.requests import vetted
from reelsearch.server.state import ServedDep

router = APIRouter(tags=["search"], dependencies=[KeyDep])

MAX_HANDLES = 600.0
"""Most seconds of handles an export may add before and after each hit."""

MEDIA_TYPES: dict[ExportFormat, str] = {
    ExportFormat.EDL: "text/plain; charset=utf-8",
    ExportFormat.OTIO: "application/json",
    ExportFormat.FCPXML: "application/xml",
    ExportFormat.XML: "application/xml",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSON: "application/json",
}
"""The Content-Type of each export format."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ExportRequest(BaseModel):
    """What to export: the hits of ``search`` (the page it asks for), or ``hits`` as a search
    answered them; as ``format``, with ``handles`` seconds before and after each hit."""

    model_config = ConfigDict(extra="forbid")

    search: SearchRequest | None = Field(default=None, description="Run this search first.")
    hits: list[Hit] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_LIMIT,
        description="Or these hits, as /api/search returned them (their media URLs ignored).",
    )
    format: ExportFormat = Field(description="edl, otio, fcpxml, xml (FCP 7), csv or json.")
    handles: float = Field(
        default=0.0,
        ge=0,
        le=MAX_HANDLES,
        strict=True,
        allow_inf_nan=False,
        description="Seconds added before and after each hit, within its file.",
    )
    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Timeline name (and file name); default the search text.",
    )

    @model_validator(mode="before")
    @classmethod
    def _plain_input(cls, data: Any) -> Any:
        if isinstance(data, dict):
            check_plain(data)
        return data

    @model_validator(mode="after")
    def _search_or_hits(self) -> ExportRequest:
        if (self.search is None) == (self.hits is None):
            raise ValueError("an export needs exactly one of search or hits")
        return self


EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The export, as a file to save (Content-Disposition names it).",
        "content": {media: {"schema": {"type": "string"}} for media in set(MEDIA_TYPES.values())},
    },
    **problems(400, 401, 404, 413, 422, 503),
}


@router.post("/export", response_class=Response, responses=EXPORT_RESPONSES)
def export(body: ExportRequest, served: ServedDep) -> Response:
    """Export hits as an edit: runs ``search`` (one page, as ``POST /api/search`` would) or
    takes ``hits``, and answers the file with its content type and a file name. Hits of files
    no longer in the catalog are refused (400), as are no hits at all."""
    if body.search is not None:
        with ExitStack() as files:
            request = vetted(
                body.search, served.limits, served.uploads, served.runtime.gateway, files
            )
            hits = served.runtime.search(request).hits
    else:
        assert body.hits is not None
        hits = body.hits
    name = body.name or (body.search.text if body.search and body.search.text else None)
    try:
        assets = assets_of(hits, served.runtime.catalog.get)
        text = export_hits(
            hits, assets, body.format, handles=body.handles, name=name or "reelsearch hits"
        )
    except ExportError as exc:
        raise RequestError(f"cannot export: {exc}") from None
    filename = f"{_file_stem(name)}.{body.format.value}"
    return Response(
        text,
        media_type=MEDIA_TYPES[body.format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _file_stem(name: str | None) -> str:
    """A file name safe in any header and on any disk: letters, digits, ``.``, ``_`` and
    ``-`` only, at most 60 characters."""
    stem = _UNSAFE.sub("-", name or "").strip(".-")[:60].strip(".-")
    return stem or "reelsearch-hits"
