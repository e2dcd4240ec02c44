"""A live HTTP server in a background thread: uvicorn on a free local port.

For tests, benchmarks and applications that serve reelsearch beside their own work::

    with LiveServer(create_app(runtime)) as server:
        httpx.get(f"{server.url}/api/health")
"""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn

KEEP_ALIVE_SECONDS = 30
"""How long an idle connection stays open: well over the 5 s after which httpx and most other
clients stop reusing one, so that a client never sends a request on a connection the server is
closing at that moment (uvicorn's default is 5 s too, which races under load)."""


class LiveServer:
    """Serves an ASGI app with uvicorn until the ``with`` block ends.

    Args:
        app: The application, e.g. from :func:`reelsearch.server.create_app`.
        host: The interface to listen on.
        port: The port; 0 picks a free one (see :attr:`url`).
        start_timeout: Seconds to wait for the server to listen.
        options: Further :class:`uvicorn.Config` options.
    """

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        start_timeout: float = 30.0,
        **options: Any,
    ) -> None:
        options = {"log_level": "warning", "timeout_keep_alive": KEEP_ALIVE_SECONDS, **options}
        config = uvicorn.Config(app, host=host, port=port, ws="none", **options)
        self.server = uvicorn.Server(config)
        self.host = host
        self.start_timeout = start_timeout
        self._thread = threading.Thread(target=self.server.run, name="reelsearch-http")

    @property
    def port(self) -> int:
        """The port the server listens on."""
        port: int = self.server.servers[0].sockets[0].getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """``http://host:port``, without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.server.should_exit = True
                self._thread.join(self.start_timeout)
                raise RuntimeError(f"the HTTP server did not start on {self.host}")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(self.start_timeout)
