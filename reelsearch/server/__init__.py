"""The HTTP server: every registered search as a JSON API under ``/api``, and the editor web UI
at ``/``, served by one process that holds the runtime open for its lifetime.

Example::

    import uvicorn
    from reelsearch.server import create_app

    uvicorn.run(create_app(), host="127.0.0.1", port=8000)

:mod:`reelsearch.server.address` (where a running server listens) needs none of the server's
dependencies; the rest needs the ``server`` extra, checked when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reelsearch.server.app import create_app
    from reelsearch.server.live import LiveServer

__all__ = ["LiveServer", "create_app"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from reelsearch.core.extras import require

    require("fastapi", "fastapi_offline", "uvicorn", extra="server", needed_by="the server")
    from reelsearch.server.app import create_app
    from reelsearch.server.live import LiveServer

    return {"create_app": create_app, "LiveServer": LiveServer}[name]
