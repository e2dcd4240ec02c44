"""The ``shots`` algo: shot segmentation, thumbnails and clips from one decoding pass."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.shots.clips import ShotClipWriter
from reelsearch.plugins.shots.record import ShotRecord
from reelsearch.plugins.shots.segmentation import shots_from_cuts
from reelsearch.plugins.shots.sink import ShotsSink
from reelsearch.plugins.shots.thumbnails import ShotThumbnails, ThumbnailSampler
from reelsearch.sdk import (
    Algo,
    AlgoContext,
    FrameBatch,
    FrameTap,
    MediaError,
    MediaInfo,
    ProgressCallback,
    Shot,
    decode_frames,
    probe,
    run_taps,
    scaled_size,
)

CANDIDATES_PER_SECOND = 4
"""Thumbnail candidates kept per second of video while it decodes (fewer for long videos)."""


class ShotsConfig(BaseModel):
    """Options of the ``shots`` algo."""

    model_config = ConfigDict(extra="forbid")

    detector: str = Field(default="content", description="Shot detector to run.")
    min_shot_seconds: float = Field(
        default=0.2, ge=0, description="Cuts leaving a shorter shot are dropped."
    )
    thumbnails: bool = Field(default=True, description="Write a JPEG per shot.")
    thumbnail_width: int = Field(default=320, ge=16, description="Thumbnail width in pixels.")
    clips: bool = Field(
        default=False, description="Write an MP4 per shot (a second decoding pass)."
    )
    clip_width: int = Field(default=640, ge=16, description="Clip width in pixels (at most).")
    fast_decode: bool = Field(
        default=True,
        description="Skip the codec's deblocking filter in the detection pass: ~1.4x faster "
        "decoding, the same cuts, slightly less clean thumbnails (clips are decoded in full).",
    )


class ShotsAlgo(Algo[ShotRecord, ShotsConfig]):
    """Splits a video into shots with a registered shot detector.

    One sequential decoding pass feeds the detector its small frames and keeps thumbnail
    candidates on the side; only clips (or the thumbnails of shots too short to have had a
    candidate) take a second pass, which stops after the last frame it needs.
    """

    name = "shots"
    description = "Shot segmentation with thumbnails and optional clips."
    version = "1"
    depends_on = ()

    def run(self, ctx: AlgoContext) -> list[ShotRecord]:
        settings = self.config
        path = local_path(ctx.asset.uri)
        info = ctx.asset.media or probe(path)
        detector = ctx.detector(settings.detector)
        size = (info.width, info.height)
        sampler = (
            ThumbnailSampler(
                scaled_size(size, settings.thumbnail_width),
                every=max(1, round(info.fps / CANDIDATES_PER_SECOND)),
            )
            if settings.thumbnails
            else None
        )
        frames = _Frames(
            decode_frames(
                path,
                detector.frame_size,
                taps=[sampler] if sampler else [],
                skip_loop_filter=settings.fast_decode,
            ),
            ctx.progress,
            info.frame_count,
        )
        cuts = detector.detect(frames, info.fps)
        min_frames = max(1, round(settings.min_shot_seconds * info.fps))
        shots = shots_from_cuts(
            ctx.asset.content_hash, cuts, frames.count, info.fps, min_frames=min_frames
        )
        media = ShotMedia(shots, ctx.media_dir, info, settings, sampler)
        media.write(path)
        return [
            ShotRecord(**shot.model_dump(), thumbnail=media.thumbnail(shot), clip=media.clip(shot))
            for shot in shots
        ]

    def sink(self) -> ShotsSink:
        return ShotsSink(self.name, self.version)


class ShotMedia:
    """The thumbnails and clips of a video's shots, written into its media folder."""

    def __init__(
        self,
        shots: list[Shot],
        directory: Path,
        info: MediaInfo,
        settings: ShotsConfig,
        sampler: ThumbnailSampler | None,
    ) -> None:
        self.directory = directory
        self.thumbnails = (
            ShotThumbnails(shots, sampler, directory, info.fps) if sampler is not None else None
        )
        clip_size = scaled_size((info.width, info.height), settings.clip_width)
        self.clips = (
            ShotClipWriter(shots, directory, clip_size, info.fps) if settings.clips else None
        )
        self._thumbnails: dict[int, Path] = {}

    def write(self, video: Path) -> None:
        """Run the second pass if one is needed, then write every file."""
        fallback = self.thumbnails.fallback if self.thumbnails is not None else None
        taps: list[FrameTap] = [tap for tap in (fallback, self.clips) if tap is not None]
        try:
            run_taps(video, taps)
        except BaseException as error:
            if self.clips is not None:
                self.clips.close(error)
            raise
        if self.clips is not None:
            self.clips.close()
        if self.thumbnails is not None:
            self._thumbnails = self.thumbnails.write()
        self._remove_stale()

    def thumbnail(self, shot: Shot) -> str | None:
        return self._link(self._thumbnails.get(shot.index))

    def clip(self, shot: Shot) -> str | None:
        return self._link(self.clips.written.get(shot.index) if self.clips else None)

    def _link(self, path: Path | None) -> str | None:
        if path is None:
            return None
        home = self.directory.parent.parent.parent
        if self.directory.parent.parent.name == "media" and path.is_relative_to(home):
            return path.relative_to(home).as_posix()
        return str(path)

    def _remove_stale(self) -> None:
        """Delete shot files of an earlier run that this run did not write."""
        current = {*self._thumbnails.values(), *(self.clips.written.values() if self.clips else ())}
        for pattern in ("shot-*.jpg", "shot-*.mp4"):
            for path in self.directory.glob(pattern):
                if path not in current:
                    path.unlink(missing_ok=True)


class _Frames:
    """Passes batches through, counting frames and reporting progress."""

    def __init__(
        self, batches: Iterable[FrameBatch], progress: ProgressCallback, total: int | None
    ) -> None:
        self._batches = batches
        self._progress = progress
        self._total = total
        self.count = 0

    def __iter__(self) -> Iterator[FrameBatch]:
        for batch in self._batches:
            self.count += len(batch)
            self._progress(self.count, self._total)
            yield batch


def local_path(uri: str) -> Path:
    """The local file behind ``uri`` (a path or a ``file://`` URL)."""
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file") or len(parsed.scheme) == 1:  # "C:\\..." on Windows
        return Path(parsed.path if parsed.scheme == "file" else uri)
    raise MediaError(f"{uri}: the shots algo reads local files only, not {parsed.scheme}:// URLs")
