"""Face crops saved as thumbnails in an algo's media folder."""

from __future__ import annotations

import io
from pathlib import Path

from reelsearch.sdk import Image

THUMBNAIL_SIDE = 160


def save_crop(crop: Image, path: Path) -> None:
    """Write ``crop`` as a JPEG at most :data:`THUMBNAIL_SIDE` pixels on a side."""
    from PIL import Image as PILImage

    picture = PILImage.fromarray(crop)
    picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=88)
    path.write_bytes(buffer.getvalue())


def media_link(path: Path, directory: Path) -> str:
    """``path`` as stored: relative to the data home when ``directory`` (the algo's media
    folder) lies in the standard layout ``<home>/media/<hash>/<algo>``, absolute otherwise."""
    home = directory.parent.parent.parent
    if directory.parent.parent.name == "media" and path.is_relative_to(home):
        return path.relative_to(home).as_posix()
    return str(path)
