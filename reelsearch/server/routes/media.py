"""Shot thumbnails and clips, and the source videos of the catalog, with HTTP range requests
(``206 Partial Content``) so that a ``<video>`` can seek. They load by the signed links of
search hits (``?expires=...&sig=...``), or with the API key."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse

from reelsearch.server.access import LinkDep
from reelsearch.server.openapi import problems
from reelsearch.server.state import ServedDep

router = APIRouter(tags=["media"], dependencies=[LinkDep])

CACHE = "private, max-age=300"


def _files(*kinds: str) -> dict[int | str, dict[str, Any]]:
    """The responses of a route serving files of ``kinds``, with range requests."""
    content = {kind: {"schema": {"type": "string", "format": "binary"}} for kind in kinds}
    return {
        200: {"description": "The file.", "content": content},
        206: {"description": "The requested byte range.", "content": content},
        **problems(403, 404, 416),
    }


@router.get(
    "/media/{path:path}",
    response_class=FileResponse,
    responses=_files("image/*", "video/*", "application/octet-stream"),
)
def media_file(path: str, served: ServedDep) -> FileResponse:
    """A thumbnail or clip under the data home's media folder (the URLs in hits)."""
    return FileResponse(served.media.file(path), headers={"Cache-Control": CACHE})


@router.get(
    "/assets/{asset_id}/source",
    response_class=FileResponse,
    responses=_files("video/*", "application/octet-stream"),
)
def source_video(asset_id: str, served: ServedDep) -> FileResponse:
    """The source video of a catalogued asset (local files only), to play a hit from its start
    where no clip was made."""
    asset = served.runtime.catalog.get(asset_id)
    if asset is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no asset {asset_id!r}")
    parts = urlsplit(asset.uri)
    if parts.scheme not in ("", "file"):
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"asset {asset_id!r} is not a local file"
        )
    path = Path(unquote(parts.path) if parts.scheme else asset.uri)
    if not path.is_file():
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail=f"the source of asset {asset_id!r} is gone"
        )
    return FileResponse(path, headers={"Cache-Control": CACHE})
