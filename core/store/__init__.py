"""The vector store: one interface (:mod:`.base`), two Qdrant backends, picked by URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from reelsearch.core.errors import StoreError
from reelsearch.core.extras import require
from reelsearch.core.store.base import (
    CollectionSpec,
    Distance,
    FieldType,
    Point,
    PointFilter,
    ScoredPoint,
    VectorSpec,
    VectorStore,
)

__all__ = [
    "CollectionSpec",
    "Distance",
    "FieldType",
    "Point",
    "PointFilter",
    "ScoredPoint",
    "VectorSpec",
    "VectorStore",
    "is_embedded",
    "open_store",
]

_SCHEMES = {
    "edge": "edge:///path/to/store (Qdrant Edge, embedded)",
    "file": "file:///path/to/store (the same as edge://)",
    "http": "http://host:6333 (a Qdrant server)",
    "https": "https://host:6333 (a Qdrant server)",
    "memory": "memory:// (qdrant-client local mode in memory; for tests only)",
}


def is_embedded(url: str | None) -> bool:
    """Whether ``url`` names an embedded Qdrant Edge store (one process at a time)."""
    return url is None or "://" not in url or urlsplit(url).scheme.lower() in ("edge", "file")


def open_store(
    url: str | None, *, home: Path, api_key: str | None = None, lock_timeout: float = 0.0
) -> VectorStore:
    """Open the store that ``url`` names.

    Args:
        url: ``None`` for the default embedded store at ``home / "store"``; a plain path, or an
            ``edge://`` or ``file://`` URL, for a Qdrant Edge store in that folder
            (``edge:///abs/dir`` or ``edge://relative/dir``); ``http://`` or ``https://`` for a
            Qdrant server; ``memory://`` for ``qdrant-client``'s in-memory local mode, a
            stand-in for a server in tests only (slow, nothing persists).
        home: reelsearch's data folder.
        api_key: The Qdrant server's API key (``http://`` and ``https://`` only).
        lock_timeout: Seconds an embedded store waits for another process holding its folder.

    Returns:
        The open store; close it (or use it as a context manager) to flush it.

    Raises:
        StoreError: The URL's scheme is unknown, or the backend refused to open.
        HomeLockedError: Another process holds the embedded store's folder.
    """
    if url is None:
        return _edge(home / "store", lock_timeout)
    if "://" not in url:
        return _edge(Path(url).expanduser(), lock_timeout)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("edge", "file"):
        folder = unquote(parts.netloc + parts.path)
        if not folder:
            raise StoreError(f"store URL {url!r} names no folder, e.g. {_SCHEMES[scheme]}")
        return _edge(Path(folder).expanduser(), lock_timeout)
    if scheme in ("http", "https", "memory"):
        require("qdrant_client", extra="qdrant", needed_by=f"a {scheme}:// store")
    if scheme in ("http", "https"):
        from reelsearch.core.store.server import ServerStore

        return ServerStore(url, api_key=api_key)
    if scheme == "memory":
        from qdrant_client import QdrantClient

        from reelsearch.core.store.server import ServerStore

        return ServerStore(QdrantClient(location=":memory:"))
    known = "; ".join(_SCHEMES.values())
    raise StoreError(
        f"unknown store URL scheme {parts.scheme!r} in {url!r}; known: {known}, or a plain path"
    )


def _edge(folder: Path, lock_timeout: float) -> VectorStore:
    from reelsearch.core.store.edge import EdgeStore

    return EdgeStore(folder, lock_timeout=lock_timeout)
