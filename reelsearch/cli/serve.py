"""``reelsearch serve``: the HTTP API and the editor web UI, from one process."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from reelsearch.cli._app import app, console, errors, plain
from reelsearch.core.errors import StoreError
from reelsearch.core.runtime import Runtime

FACTORY = "reelsearch.server.app:create_app"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    reload: Annotated[
        bool, typer.Option(help="Restart when the code changes (development).")
    ] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn's log level.")] = "info",
) -> None:
    """Serve every registered search over HTTP, with the web UI at / and docs at /api/docs.

    The server holds the data home's store open while it runs: stop other reelsearch
    processes on the same data home first (or give each its own REELSEARCH_HOME).
    """
    # The server's modules load here, so that the other commands start without them.
    with errors():  # without the server extra: one line naming the pip command
        from reelsearch.server import create_app
    import uvicorn

    from reelsearch.server.live import KEEP_ALIVE_SECONDS

    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": log_level,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
    }
    if reload:
        # The reloader imports the app in a worker process, which opens the runtime itself.
        uvicorn.run(FACTORY, factory=True, reload=True, **options)
        return
    with errors():
        runtime = Runtime.open()
        try:
            application = create_app(runtime)
        except StoreError as exc:
            runtime.close()
            raise StoreError(
                f"{exc}; is another reelsearch process using {runtime.settings.home}? "
                "Only one process at a time can open a data home"
            ) from exc
        except BaseException:
            runtime.close()
            raise
    with runtime:
        console.print(plain(f"Serving {runtime.settings.home} on http://{host}:{port}"))
        uvicorn.run(application, **options)
