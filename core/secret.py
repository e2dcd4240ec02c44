"""The data home's secret: random bytes made once, that sign what the server hands out (page
cursors, media links) so that a client can neither forge nor alter them.

The secret lives in ``<home>/signing.key``, readable by its owner only (``0600``); deleting it
invalidates every cursor and link made so far, and a new one is made on next use.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import tempfile
from pathlib import Path

from reelsearch.core.errors import ConfigError

SECRET_FILE = "signing.key"
SECRET_BYTES = 32


def home_key(home: Path, purpose: str) -> bytes:
    """The key for ``purpose`` (``"cursor"``, ``"media"``), derived from ``home``'s secret;
    one purpose's signatures are never valid for another.

    Raises:
        ConfigError: The secret file exists but is not one this code made.
    """
    return hmac.new(_secret(home.expanduser().resolve()), purpose.encode(), hashlib.sha256).digest()


def sign(key: bytes, message: str) -> str:
    """The hex HMAC-SHA256 of ``message`` under ``key``, shortened to 32 characters (128 bits)."""
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:32]


def signed_by(key: bytes, message: str, signature: str) -> bool:
    """Whether ``signature`` is :func:`sign` of ``message`` (compared in constant time)."""
    return hmac.compare_digest(sign(key, message).encode(), signature.encode("utf-8", "replace"))


@functools.cache
def _secret(home: Path) -> bytes:
    path = home / SECRET_FILE
    if not path.exists():
        _create(path)
    data = path.read_bytes()
    if len(data) != SECRET_BYTES:
        raise ConfigError(
            f"{path} is not a reelsearch signing key ({len(data)} bytes, not {SECRET_BYTES}); "
            "delete it and a new one is made (cursors and media links made so far stop working)"
        )
    return data


def _create(path: Path) -> None:
    """Write a new secret to ``path`` with owner-only permissions, unless another process
    wrote one first (the file appears complete or not at all)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".signing.", dir=path.parent)  # mode 0600
    try:
        try:
            os.write(handle, os.urandom(SECRET_BYTES))
            os.fsync(handle)
        finally:
            os.close(handle)
        with contextlib.suppress(FileExistsError):
            os.link(name, path)
    finally:
        os.unlink(name)
