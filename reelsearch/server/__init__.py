"""The HTTP server: every registered search as a JSON API under ``/api``, and the editor web UI
at ``/``, served by one process that holds the runtime open for its lifetime.

Example::

    import uvicorn
    from reelsearch.server import create_app

    uvicorn.run(create_app(), host="127.0.0.1", port=8000)
"""

from __future__ import annotations

from reelsearch.server.app import create_app
from reelsearch.server.live import LiveServer

__all__ = ["LiveServer", "create_app"]
