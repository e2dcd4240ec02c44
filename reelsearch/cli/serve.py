"""``reelsearch serve``: the HTTP API, the editor web UI and the data home's jobs, from one
process that owns the data home."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from reelsearch.cli._app import app, console, errors, plain
from reelsearch.core.runtime import Runtime

FACTORY = "reelsearch.server.app:create_app"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free one).")] = 8000,
    watch: Annotated[
        list[Path] | None,
        typer.Option(
            "--watch",
            metavar="DIR",
            help="Watch this folder for videos to ingest (repeatable; adds to watch_folders).",
            file_okay=False,
        ),
    ] = None,
    reload: Annotated[
        bool, typer.Option(help="Restart when the code changes (development).")
    ] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn's log level.")] = "info",
) -> None:
    """Serve every registered search over HTTP, with the web UI at / and docs at /api/docs,
    and run the data home's jobs: ingests sent over HTTP, watch folders and backfills.

    The server owns the data home while it runs: it locks it, and writes where it listens
    into <home>/server.json, so that reelsearch ingest, search and titles on the same home go
    through it.
    """
    # The server's modules load here, so that the other commands start without them.
    with errors():  # without the server extra: one line naming the pip command
        from reelsearch.server import create_app
    import uvicorn

    from reelsearch.server.address import ServerFile
    from reelsearch.server.live import KEEP_ALIVE_SECONDS

    options: dict[str, Any] = {"log_level": log_level, "timeout_keep_alive": KEEP_ALIVE_SECONDS}
    if reload:
        # The reloader imports the app in a worker process, which opens the runtime itself.
        uvicorn.run(FACTORY, factory=True, reload=True, host=host, port=port, **options)
        return
    with errors():
        runtime = Runtime.open()
        try:
            runtime.claim_home()  # HomeLockedError names the process that holds it
            application = create_app(runtime, watch=[w.expanduser() for w in watch or []])
            listener = _listen(host, port)
        except BaseException:
            runtime.close()
            raise
    server_file = ServerFile(runtime.settings.home)
    with runtime, listener:
        bound = listener.getsockname()[1]
        url = f"http://{_url_host(host)}:{bound}"
        address = server_file.write(url)
        application.state.served.jobs.local_token = address.local_token
        console.print(plain(f"Serving {runtime.settings.home} on {url}"))

        def cleanup() -> None:
            server_file.remove(address)
            runtime.close()

        server = _owning_server(uvicorn.Config(application, ws="none", **options), cleanup)
        try:
            server.run(sockets=[listener])
        finally:
            cleanup()


def _owning_server(config: Any, cleanup: Callable[[], None]) -> Any:
    """A uvicorn server that lets the data home go (``cleanup``) once it has shut down, before
    uvicorn raises the signal that stopped it again (SIGTERM would end the process first)."""
    import uvicorn

    class OwningServer(uvicorn.Server):
        @contextmanager
        def capture_signals(self) -> Iterator[None]:
            with super().capture_signals():
                try:
                    yield
                finally:
                    cleanup()

    return OwningServer(config)


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port``, bound before the server starts so that the
    address written into the data home is the one in use (``--port 0`` picks a free one).

    Raises:
        ConfigError: The address is taken or cannot be used.
    """
    from reelsearch.core.errors import ConfigError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def _url_host(host: str) -> str:
    """The host to put in a URL for clients: a wildcard address becomes the loopback one."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host
