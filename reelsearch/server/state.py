"""What every route works with: the open runtime, the settings and the folders it serves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from reelsearch.core.config import Settings
from reelsearch.core.runtime import Runtime
from reelsearch.server.files import MediaFolder, MediaLinks, Uploads
from reelsearch.server.jobs import JobService
from reelsearch.server.limits import Limits
from reelsearch.server.problems import Scrubber
from reelsearch.server.shot_media import ShotMedia


@dataclass(frozen=True)
class Served:
    """The runtime an app serves, with the settings' limits and folders.

    Attributes:
        runtime: Open for the app's lifetime (one runtime per data home).
        settings: The server's settings (API key, CORS origins, limits).
        limits: Page size, query length and upload size caps.
        media: The folder thumbnails and clips are served from.
        links: Signs and checks the media links in hits.
        uploads: The uploaded query images.
        shot_media: Finds the thumbnail and clip of the shot a hit lies in.
        scrub: Hides the data home's folders in messages to clients.
        jobs: The job queue and the threads that work it.
    """

    runtime: Runtime
    settings: Settings
    limits: Limits
    media: MediaFolder
    links: MediaLinks
    uploads: Uploads
    shot_media: ShotMedia
    scrub: Scrubber
    jobs: JobService

    @classmethod
    def of(
        cls,
        runtime: Runtime,
        settings: Settings,
        watch: Sequence[Path] = (),
        *,
        warm: bool = True,
    ) -> Served:
        """Open ``runtime``'s store, plugins and gateway now, so that a locked data home or a
        broken plugin stops the server at start rather than failing the first request.

        Args:
            runtime: The runtime to serve; its data home holds the media served.
            settings: The server's settings: API key, CORS origins, limits.
            watch: Folders to watch besides the ``watch_folders`` setting.
            warm: Warm the searchers' models up when the app starts.
        """
        _ = runtime.store, runtime.gateway, runtime.catalog
        home = runtime.settings
        return cls(
            runtime=runtime,
            settings=settings,
            limits=Limits.of(settings),
            media=MediaFolder(home.home, home.media_dir),
            links=MediaLinks(home.home, settings.media_link_seconds),
            uploads=Uploads(
                home.home / "uploads",
                max_bytes=settings.max_upload_bytes,
                max_pixels=settings.max_upload_pixels,
                keep_count=settings.upload_keep_count,
                keep_bytes=settings.upload_keep_bytes,
                keep_seconds=settings.upload_keep_seconds,
            ),
            shot_media=ShotMedia(runtime),
            scrub=Scrubber.of(home),
            jobs=JobService(runtime, watch, warm=warm),
        )


async def served(request: Request) -> Served:
    """The :class:`Served` of the app handling ``request`` (async: FastAPI would run a plain
    function on its thread pool, a hop that costs more than this)."""
    value: Served = request.app.state.served
    return value


ServedDep = Annotated[Served, Depends(served)]
