"""The files the server hands out: shot media under the data home, and uploaded query images.

Nothing outside ``<home>/media`` is served by path: a path with ``..``, an absolute path or a
symlink that leads out of the folder is refused with 403, whatever the URL encoding. The media
URLs in hits are signed links that expire (:class:`MediaLinks`), so that ``<img>`` and
``<video>`` load them without the API key, which never goes in a URL.

An uploaded image is on disk only while a search by it runs (:class:`Uploads`); its bytes are
kept in memory, within a count, a byte total and an age, for the further pages of its search.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.parse import quote

from fastapi import HTTPException, status
from PIL import Image, UnidentifiedImageError

from reelsearch.core.errors import RequestError
from reelsearch.core.secret import home_key, sign, signed_by
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

    def relative(self, stored: str | None) -> str | None:
        """The path inside the media folder of a media path as stored in a hit (relative to
        the data home, or absolute); ``None`` when there is none or it lies outside."""
        if not stored:
            return None
        full = Path(os.path.normpath(self.home / stored))
        if not full.is_relative_to(self.root):
            return None
        return full.relative_to(self.root).as_posix()

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


class MediaLinks:
    """Signed, expiring links to media files: ``<path>?expires=<unix time>&sig=<hmac>``, the
    HMAC taken with the data home's media key over what the link names and its expiry.

    Expiry times are rounded up to a quarter of the lifetime, so a file keeps one URL for a
    while and browsers cache it.

    Args:
        home: The data home, whose secret signs the links.
        seconds: How long a link stays valid (at least; at most a quarter more).
    """

    def __init__(self, home: Path, seconds: int) -> None:
        self.key = home_key(home, "media")
        self.seconds = seconds

    def media(self, relative: str | None) -> str | None:
        """The link to ``relative`` in the media folder; ``None`` for ``None``."""
        if relative is None:
            return None
        return self._link(MEDIA_URL + quote(relative), f"media/{relative}")

    def source(self, asset_id: str) -> str:
        """The link to the source video of ``asset_id``."""
        return self._link(f"/api/assets/{quote(asset_id, safe='')}/source", f"source/{asset_id}")

    def check(self, names: str, expires: str | None, signature: str | None) -> None:
        """Refuse a link to ``names`` (``media/<path>`` or ``source/<id>``) with 403 unless
        it is signed and not expired.

        Raises:
            HTTPException: 403, saying whether the link expired or is not valid.
        """
        if not (expires and expires.isdigit() and signature):
            raise _bad_link("incomplete (it needs both expires and sig)")
        if not signed_by(self.key, _message(names, int(expires)), signature):
            raise _bad_link("not valid: it was altered, or made by another server")
        if int(expires) < time.time():
            raise _bad_link("expired; search again for fresh links")

    def _link(self, path: str, names: str) -> str:
        quarter = max(self.seconds // 4, 1)
        expires = math.ceil((time.time() + self.seconds) / quarter) * quarter
        return f"{path}?expires={expires}&sig={sign(self.key, _message(names, expires))}"


def _message(names: str, expires: int) -> str:
    return f"{names}\n{expires}"


def _bad_link(why: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, detail=f"this media link is {why}")


IMAGE_SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif", "BMP": ".bmp"}
_UPLOAD_NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp|gif|bmp)$")
_LEFT_BEHIND = re.compile(r"^([0-9a-f]{64}|[0-9a-f]{32})\.(jpg|png|webp|gif|bmp)$")

IMAGES_IN_FLIGHT = 16
"""Most uploaded images on disk at once (searches by image running); more get 503."""


@dataclass(frozen=True)
class Upload:
    """An uploaded image: its name (the hash of its bytes and a suffix) and its bytes."""

    name: str
    data: bytes


class Uploads:
    """Images uploaded to search by.

    An image is checked when it arrives (size, pixel count read from its header, a full
    decode), kept in memory for the further pages of its search (``image="<name>"``), and
    written to disk only while a search by it runs, then deleted, whatever the search's
    outcome. The memory keeps at most ``keep_count`` images and ``keep_bytes`` bytes, each for
    ``keep_seconds``; the oldest go first.

    Args:
        root: The folder of images being searched by (``<home>/uploads``); emptied at start.
        max_bytes: The largest image accepted.
        max_pixels: The most pixels (width x height) accepted.
        keep_count: How many images are kept for further pages.
        keep_bytes: How many bytes of images are kept for further pages.
        keep_seconds: How long an image is kept for further pages.
    """

    def __init__(
        self,
        root: Path,
        max_bytes: int,
        max_pixels: int,
        keep_count: int = 32,
        keep_bytes: int = 64 * 2**20,
        keep_seconds: float = 600,
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.keep_count = keep_count
        self.keep_bytes = keep_bytes
        self.keep_seconds = keep_seconds
        self._kept: OrderedDict[str, tuple[Upload, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._in_flight = threading.BoundedSemaphore(IMAGES_IN_FLIGHT)
        self._remove_left_behind()

    def accept(self, stream: BinaryIO) -> Upload:
        """Read and check the image in ``stream``, and keep it for further pages.

        Raises:
            HTTPException: 413 over ``max_bytes`` or ``max_pixels``, 415 when it is not an
                image this server reads, or a damaged one.
        """
        data = stream.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise too_large(self.max_bytes)
        upload = Upload(hashlib.sha256(data).hexdigest() + self._checked(data), data)
        self._keep(upload)
        return upload

    def recall(self, name: str) -> Upload:
        """The kept upload ``name``.

        Raises:
            RequestError: ``name`` is not an upload name (e.g. a server path).
            HTTPException: 404 when the upload is no longer kept.
        """
        if not _UPLOAD_NAME.match(name):
            raise RequestError(
                f"image must name an upload from POST /api/search/image, not {name[:80]!r}"
            )
        with self._lock:
            self._forget_old()
            kept = self._kept.get(name)
            if kept is not None:
                self._kept.move_to_end(name)
        if kept is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                detail=f"upload {name!r} is gone; upload the image again",
            )
        return kept[0]

    @contextmanager
    def on_disk(self, upload: Upload) -> Iterator[Path]:
        """A file holding ``upload`` for the block's duration, deleted when it ends.

        Raises:
            HTTPException: 503 when too many searches by image run at once.
        """
        if not self._in_flight.acquire(blocking=False):
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                detail="too many searches by image at once; try again in a moment",
                headers={"Retry-After": "1"},
            )
        path = self.root / (uuid.uuid4().hex + Path(upload.name).suffix)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(handle, "wb") as file:
                file.write(upload.data)
            yield path
        finally:
            path.unlink(missing_ok=True)
            self._in_flight.release()

    def files(self) -> list[Path]:
        """The upload files now on disk (those of the searches running)."""
        return sorted(self.root.glob("*")) if self.root.is_dir() else []

    def _checked(self, data: bytes) -> str:
        """The file suffix of image ``data``, checked before and by decoding it."""
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                if kind in IMAGE_SUFFIXES and width * height <= self.max_pixels:
                    image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            kind, width, height = "PNG", self.max_pixels + 1, 1
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            kind = None
        if kind not in IMAGE_SUFFIXES:
            known = ", ".join(IMAGE_SUFFIXES)
            raise HTTPException(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                detail=f"the upload is not an image this server reads ({known}), or it is "
                "truncated or damaged",
            )
        if width * height > self.max_pixels:
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE,
                detail=f"the image has {width * height} pixels or more; this server accepts "
                f"at most {self.max_pixels} (e.g. {_example(self.max_pixels)})",
            )
        return IMAGE_SUFFIXES[kind]

    def _keep(self, upload: Upload) -> None:
        with self._lock:
            self._kept.pop(upload.name, None)
            self._kept[upload.name] = (upload, time.monotonic())
            self._forget_old()
            total = sum(len(u.data) for u, _ in self._kept.values())
            while self._kept and (len(self._kept) > self.keep_count or total > self.keep_bytes):
                _, (oldest, _) = self._kept.popitem(last=False)
                total -= len(oldest.data)

    def _forget_old(self) -> None:
        cutoff = time.monotonic() - self.keep_seconds
        while self._kept and next(iter(self._kept.values()))[1] < cutoff:
            self._kept.popitem(last=False)

    def _remove_left_behind(self) -> None:
        """Remove images a stopped server (or an older version) left in the folder."""
        for path in self.files():
            if _LEFT_BEHIND.match(path.name):
                path.unlink(missing_ok=True)


def _example(pixels: int) -> str:
    side = math.isqrt(pixels)
    return f"{side}x{side}"
