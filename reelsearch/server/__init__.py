"""The HTTP server: every registered search as a JSON API under ``/api``, and the editor web UI
at ``/``, served by one process that holds the runtime open for its lifetime.

Example::

    import uvicorn
    from reelsearch.server import create_app

    uvicorn.run(create_app(), host="127.0.0.1", port=8000)
"""

from __future__ import annotations

from reelsearch.core.extras import require

require("fastapi", "fastapi_offline", "uvicorn", extra="server", needed_by="the server")

from reelsearch.server.app import create_app  # noqa: E402  (after the check above)
from reelsearch.server.live import LiveServer  # noqa: E402

__all__ = ["LiveServer", "create_app"]
