"""reelsearch: in-video search. Find shots by description, example image or shot, or dialogue.

Applications embed the runtime::

    from reelsearch import Runtime

    with Runtime.open() as rs:
        rs.ingest(["movie.mp4"], title="My Movie")
        for hit in rs.search(SearchRequest(text="red race car")).hits:
            print(hit.title, hit.start_timecode, hit.score)

Plugin authors import :mod:`reelsearch.sdk` instead.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reelsearch")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
