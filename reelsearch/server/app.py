"""The FastAPI application: the JSON API under ``/api`` (OpenAPI docs at ``/api/docs``) and the
editor web UI at ``/``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from reelsearch import __version__
from reelsearch.core.config import Settings
from reelsearch.core.runtime import Runtime
from reelsearch.server.access import HEADER, KeyOutOfUrls
from reelsearch.server.limits import BodyLimit
from reelsearch.server.openapi import install_openapi
from reelsearch.server.problems import install_error_handlers
from reelsearch.server.routes import (
    catalog,
    characters,
    export,
    jobs,
    matchcuts,
    media,
    search,
    speakers,
)
from reelsearch.server.state import Served

STATIC = Path(__file__).with_name("static")
DOCS_STATIC = "/api/docs-static"
"""Where the Swagger UI of ``/api/docs`` loads its script and styles from (this server)."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
)
"""The UI loads nothing from elsewhere: no CDN, no fonts, no analytics."""

DESCRIPTION = """Every registered search over HTTP: search by text, by an uploaded image or by
an indexed shot (``like``), across the whole catalog or chosen titles; hits come with timecodes
and signed, expiring links to their thumbnails, clips and source videos (range requests
supported). Errors answer problem details (RFC 9457, ``application/problem+json``) whose
``detail`` is one readable line. When the server has an API key, send it in the ``X-API-Key``
header, never in a URL."""


def create_app(
    runtime: Runtime | None = None,
    settings: Settings | None = None,
    *,
    watch: Sequence[Path] = (),
    warm: bool = True,
) -> FastAPI:
    """The application serving ``runtime``, which runs its data home's jobs while it lives.

    When the app starts, its job worker and backfill pacer start, its watch folders catch up
    and are followed, and its searchers' models warm up (``/api/health`` says ``starting``
    until they are warm); when it stops, they stop.

    Args:
        runtime: The runtime to serve; it stays open while the app lives and its owner closes
            it. Default: a runtime opened from ``settings``, closed when the app shuts down.
        settings: The server's settings (API key, CORS origins, limits); default: the runtime's.
        watch: Folders to watch besides the ``watch_folders`` setting.
        warm: Warm the searchers' models up at start.

    Raises:
        ReelsearchError: The runtime cannot open (a data home locked by another process, an
            invalid configuration, a broken plugin).
    """
    owned = runtime is None
    runtime = runtime or Runtime(settings)
    settings = settings or runtime.settings
    try:
        served = Served.of(runtime, settings, watch, warm=warm)
    except BaseException:
        if owned:
            runtime.close()
        raise

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        served.jobs.start()
        try:
            yield
        finally:
            try:
                served.jobs.stop()
            finally:
                if owned:
                    served.runtime.close()

    app = FastAPIOffline(  # a FastAPI whose docs page loads Swagger UI from here, not a CDN
        title="reelsearch",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        static_url=DOCS_STATIC,
    )
    app.state.served = served
    install_error_handlers(app)
    keyed_routers = (catalog.router, search.router, jobs.router, matchcuts.router, media.router)
    keyed_routers += (characters.router, export.router)
    keyed_routers += (speakers.router,)
    for router in (catalog.health_router, *keyed_routers):
        app.include_router(router, prefix="/api")
    keyed = {
        "/api" + str(getattr(route, "path", ""))
        for router in keyed_routers
        for route in router.routes
    }
    install_openapi(app, settings, keyed)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(
            STATIC / "index.html",
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "Cache-Control": "no-cache",
            },
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    limits = served.limits
    app.add_middleware(BodyLimit, limits=limits)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=[HEADER, "Content-Type", "Range"],
            expose_headers=["Content-Range", "Accept-Ranges", "Content-Length"],
        )
    app.add_middleware(KeyOutOfUrls)  # outermost: before anything reads or logs the URL
    return app
