"""The ``faces`` algo: the faces of each shot, followed into tracks."""

from __future__ import annotations

import math
from pathlib import Path
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.characters.encoder import face_crop
from reelsearch.plugins.characters.media import media_link, save_crop
from reelsearch.plugins.characters.records import FaceTrack, ShotSpan
from reelsearch.plugins.characters.sinks import FaceTracksSink
from reelsearch.plugins.characters.tracking import Detection, Track, track_faces
from reelsearch.sdk import (
    Algo,
    AlgoContext,
    Encoder,
    FaceDetector,
    MediaError,
    prefetch_frames,
    probe,
    sample_frames,
    scaled_size,
)


class FacesConfig(BaseModel):
    """Options of the ``faces`` algo (``[components.algos.faces]``)."""

    model_config = ConfigDict(extra="forbid")

    detector: str = Field(default="dlib-hog", description="Face detector to run.")
    encoder: str = Field(default="dlib-face", description="Face encoder of the crops.")
    every_seconds: float = Field(
        default=0.5, gt=0, description="One frame sampled per this many seconds of a shot."
    )
    max_frames_per_shot: int = Field(default=24, ge=1, description="At most this many.")
    frame_width: int = Field(
        default=640, ge=64, description="Frames are searched for faces at this width (at most)."
    )
    min_face: int = Field(
        default=20,
        ge=1,
        description="Faces smaller than this (pixels, at frame_width) are left out.",
    )
    max_distance: float = Field(
        default=0.6, gt=0, description="Descriptor distance that still continues a track."
    )


class FacesAlgo(Algo[FaceTrack, FacesConfig]):
    """Samples frames evenly in each shot, finds and embeds their faces, and follows each
    face through its shot: one record per track, with its time range, mean descriptor, box
    sizes and its best crop saved as a thumbnail."""

    name = "faces"
    description = "Face tracks per shot (dlib), with crops and descriptors."
    version = "1"
    depends_on = ("shots",)
    stateful = True

    def detector(self) -> FaceDetector:
        return self.component(FaceDetector, self.config.detector)

    def encoder(self) -> Encoder:
        return self.component(Encoder, self.config.encoder)

    def run(self, ctx: AlgoContext) -> list[FaceTrack]:
        settings = self.config
        shots = ctx.records("shots", ShotSpan)
        path = local_path(ctx.asset.uri)
        info = ctx.asset.media or probe(path)
        size = scaled_size((info.width, info.height), min(settings.frame_width, info.width))
        to_source = info.width / size[0]
        samples = {shot.index: self._samples(shot) for shot in shots}
        shot_of = {frame: index for index, frames in samples.items() for frame in frames}
        detector, encoder = self.detector().warmed(), self.encoder().warmed()
        found: dict[int, list[list[Detection]]] = {shot.index: [] for shot in shots}
        frames = prefetch_frames(path, shot_of, size, skip_loop_filter=True)
        for done, (frame, image) in enumerate(frames, 1):
            boxes = [b for b in detector.detect_faces([image])[0] if b.size >= settings.min_face]
            crops = [face_crop(image, box) for box in boxes]
            vectors = encoder.encode_images(crops) if crops else []
            found[shot_of[frame]].append(
                [Detection(frame, b, v, c) for b, v, c in zip(boxes, vectors, crops, strict=True)]
            )
            ctx.progress(done, len(shot_of))
        records = []
        for shot in shots:
            tracks = track_faces(found[shot.index], max_distance=settings.max_distance)
            for number, track in enumerate(tracks):
                records.append(
                    self._record(ctx, shot, samples[shot.index], number, track, to_source)
                )
        _remove_stale(ctx.media_dir, {Path(r.thumbnail).name for r in records if r.thumbnail})
        return records

    def _samples(self, shot: ShotSpan) -> list[int]:
        seconds = (shot.end_frame - shot.start_frame) / shot.fps
        count = min(
            self.config.max_frames_per_shot, max(1, math.ceil(seconds / self.config.every_seconds))
        )
        return sample_frames(shot.start_frame, shot.end_frame, count)

    def _record(
        self,
        ctx: AlgoContext,
        shot: ShotSpan,
        samples: list[int],
        number: int,
        track: Track,
        to_source: float,
    ) -> FaceTrack:
        frames = [d.frame for d in track.detections]
        first, last = samples.index(frames[0]), samples.index(frames[-1])
        # Each sample stands for the frames up to halfway to its neighbours (or the shot's ends).
        start = shot.start_frame if first == 0 else (samples[first - 1] + samples[first] + 1) // 2
        end = (
            shot.end_frame
            if last == len(samples) - 1
            else (samples[last] + samples[last + 1] + 1) // 2
        )
        key = f"{shot.index}.{number}"
        thumbnail = ctx.media_dir / f"face-{shot.index:05d}-{number:02d}.jpg"
        save_crop(track.best().crop, thumbnail)
        return FaceTrack(
            key=key,
            shot_index=shot.index,
            start=start / shot.fps,
            end=end / shot.fps,
            fps=shot.fps,
            start_frame=start,
            end_frame=end,
            frames=frames,
            box_sizes=[round(d.box.size * to_source) for d in track.detections],
            thumbnail=media_link(thumbnail, ctx.media_dir),
            vector=[float(x) for x in track.mean_vector()],
        )

    def sink(self) -> FaceTracksSink:
        return FaceTracksSink(self.name, self.version, self.encoder().dimension)


def _remove_stale(directory: Path, keep: set[str]) -> None:
    for path in directory.glob("face-*.jpg"):
        if path.name not in keep:
            path.unlink(missing_ok=True)


def local_path(uri: str) -> Path:
    """The local file behind ``uri`` (a path or a ``file://`` URL)."""
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file") or len(parsed.scheme) == 1:
        return Path(parsed.path if parsed.scheme == "file" else uri)
    raise MediaError(f"{uri}: the faces algo reads local files only, not {parsed.scheme}:// URLs")
