"""The files the server hands out: shot media under the data home, and uploaded query images.

Nothing outside ``<home>/media`` is served by path: a path with ``..``, an absolute path or a
symlink that leads out of the folder is refused with 403, whatever the URL encoding.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import quote

from fastapi import HTTPException, status
from PIL import Image, UnidentifiedImageError

from reelsearch.core.errors import RequestError
from reelsearch.core.media.atomic import write_bytes_atomic
from reelsearch.server.limits import too_large

MEDIA_URL = "/api/media/"


class MediaFolder:
    """The folder of shot thumbnails and clips (``<home>/media``), served under ``/api/media``.

    Args:
        home: The data home, which relative media paths in hits start from.
        root: The media folder; only files inside it are served.
    """

    def __init__(self, home: Path, root: Path) -> None:
        self.home = home.resolve()
        self.root = root.resolve()

    def url(self, stored: str | None) -> str | None:
        """The URL of a media path as stored in a hit (relative to the data home, or
        absolute); ``None`` when there is none or it lies outside the media folder."""
        if not stored:
            return None
        full = Path(os.path.normpath(self.home / stored))
        if not full.is_relative_to(self.root):
            return None
        return MEDIA_URL + quote(full.relative_to(self.root).as_posix())

    def file(self, relative: str) -> Path:
        """The file at ``relative`` (a ``/``-separated path) inside the media folder.

        Raises:
            HTTPException: 403 when the path leads outside the folder, 404 when no file is there.
        """
        parts = PurePosixPath(relative).parts
        if relative.startswith("/") or "\\" in relative or "\x00" in relative or ".." in parts:
            raise _outside(relative)
        full = (self.root / relative).resolve()
        if not full.is_relative_to(self.root):
            raise _outside(relative)
        if not full.is_file():
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no media file {relative!r}")
        return full


def _outside(relative: str) -> HTTPException:
    return HTTPException(
        status.HTTP_403_FORBIDDEN, detail=f"{relative!r} is outside the served media folder"
    )


IMAGE_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif", "BMP": ".bmp"}
_UPLOAD_NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp|gif|bmp)$")


class Uploads:
    """Images uploaded to search by, kept under one folder by the hash of their bytes.

    A search by image names its upload (``image="<name>"``), so later pages of the same search
    reuse the file without uploading it again. Uploads unused for ``keep_seconds`` are removed
    when another image arrives.

    Args:
        root: The folder (``<home>/uploads``); created on the first upload.
        max_bytes: The largest image accepted.
        keep_seconds: How long an unused upload is kept.
    """

    def __init__(self, root: Path, max_bytes: int, keep_seconds: float = 24 * 3600) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.keep_seconds = keep_seconds

    def save_image(self, stream: BinaryIO) -> str:
        """Store the image read from ``stream``; returns its upload name.

        Raises:
            HTTPException: 413 over ``max_bytes``, 415 when it is not an image.
        """
        data = stream.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise too_large(self.max_bytes)
        name = hashlib.sha256(data).hexdigest() + _image_suffix(data)
        path = self.root / name
        if path.exists():
            os.utime(path)
        else:
            write_bytes_atomic(path, data)
        self._remove_stale()
        return name

    def path(self, name: str) -> Path:
        """The file of upload ``name``.

        Raises:
            RequestError: ``name`` is not an upload name (e.g. a server path).
            HTTPException: 404 when the upload is gone.
        """
        if not _UPLOAD_NAME.match(name):
            raise RequestError(
                f"image must name an upload from POST /api/search/image, not {name!r}"
            )
        path = self.root / name
        if not path.is_file():
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                detail=f"upload {name!r} is gone; upload the image again",
            )
        os.utime(path)
        return path

    def _remove_stale(self) -> None:
        cutoff = time.time() - self.keep_seconds
        for path in self.root.glob("*.*"):
            if _UPLOAD_NAME.match(path.name) and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)


def _image_suffix(data: bytes) -> str:
    """The file suffix of image ``data``; 415 when Pillow cannot read it as an image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = None
    if kind not in IMAGE_SUFFIXES:
        known = ", ".join(IMAGE_SUFFIXES)
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"the upload is not an image this server reads ({known})",
        )
    return IMAGE_SUFFIXES[kind]
