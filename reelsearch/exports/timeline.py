"""Search hits and shot lists as an OpenTimelineIO timeline: one clip per hit or shot.

Each clip points at its source file (an ``ExternalReference`` to the original path, its
available range the whole file) and takes a frame-exact source range at the file's own rate
(``24000/1001`` for 23.976, ``30000/1001`` for 29.97), counted from the file's embedded start
timecode, so that a file that starts at 01:00:00:00 exports as 01:00:00:00. Handles widen each
clip within the file's bounds. The hit's title, score, line and speaker travel in the clip's
name and in its ``reelsearch`` metadata.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from reelsearch.core.errors import ReelsearchError
from reelsearch.core.models import Asset, Hit, Shot
from reelsearch.core.timecode import is_drop_frame

METADATA_KEY = "reelsearch"
"""The key of each clip's metadata that holds what reelsearch knows about it."""

MAX_NAME_CHARS = 200
"""Clip names are cut to this many characters (the full line stays in the metadata)."""

RECORD_START = "01:00:00:00"
"""Where the hits are laid on the record side of an edit."""

NTSC_BASES = (24, 30, 48, 60, 120)
_EPSILON = 1e-6


class ExportError(ReelsearchError, ValueError):
    """Nothing to export, or hits that cannot be placed on a timeline."""


def edit_rate(fps: float) -> Fraction:
    """The exact frame rate behind ``fps``: NTSC rates as ``N*1000/1001`` (23.976 is
    ``24000/1001``), others as the nearest fraction with a denominator up to 1001."""
    for base in NTSC_BASES:
        ntsc = Fraction(base * 1000, 1001)
        if abs(fps - float(ntsc)) < 0.005:
            return ntsc
    return Fraction(fps).limit_denominator(1001)


@dataclass(frozen=True)
class EditSource:
    """A source file as an edit sees it.

    Attributes:
        path: Where the file is (a path or a URL), as the catalog recorded it.
        rate: Its exact frame rate.
        frame_count: How many frames it has.
        first_frame: The frame number of its embedded start timecode (0 without one).
    """

    path: str
    rate: Fraction
    frame_count: int
    first_frame: int = 0

    @property
    def name(self) -> str:
        """The file's name."""
        return Path(self.path).name or self.path

    @property
    def url(self) -> str:
        """The file as a URL (``file://`` for a local path)."""
        if "://" in self.path:
            return self.path
        return Path(self.path).absolute().as_uri()

    @classmethod
    def of(cls, asset: Asset) -> EditSource:
        """The edit source of an ingested (probed) asset.

        Raises:
            ExportError: The asset was never probed, or its start timecode does not fit its rate.
        """
        if asset.media is None:
            raise ExportError(f"{asset.title}: its frame rate is unknown (the file was not probed)")
        rate = edit_rate(asset.media.fps)
        first = 0
        if asset.media.start_timecode:
            try:
                first = round(otio.opentime.from_timecode(asset.media.start_timecode, rate).value)
            except ValueError:
                raise ExportError(
                    f"{asset.title}: start timecode {asset.media.start_timecode} does not fit "
                    f"its rate of {float(rate):.3f} fps"
                ) from None
        return cls(asset.uri, rate, asset.media.frame_count, first)


@dataclass(frozen=True)
class EditEvent:
    """One clip of the timeline: frames ``start``..``end`` (end exclusive, counted from the
    file's first frame) of ``source``, before handles."""

    source: EditSource
    start: int
    end: int
    name: str
    metadata: dict[str, Any] = field(default_factory=dict)


def one_line(text: str, limit: int = MAX_NAME_CHARS) -> str:
    """``text`` with every run of whitespace (newlines included) as one space, cut to ``limit``."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def hit_events(hits: Sequence[Hit], assets: Mapping[str, Asset]) -> list[EditEvent]:
    """One event per hit, in the given order.

    Args:
        hits: Search hits.
        assets: The catalog's assets by id (every hit's asset must be there).

    Raises:
        ExportError: No hits, or a hit whose asset is unknown or was never probed.
    """
    if not hits:
        raise ExportError("nothing to export: there are no hits")
    sources: dict[str, EditSource] = {}
    events = []
    for hit in hits:
        if hit.asset_id not in sources:
            asset = assets.get(hit.asset_id)
            if asset is None:
                raise ExportError(f"{hit.title}: asset {hit.asset_id} is not in the catalog")
            sources[hit.asset_id] = EditSource.of(asset)
        source = sources[hit.asset_id]
        start = math.floor(hit.start * source.rate + _EPSILON)
        end = max(start + 1, math.ceil(hit.end * source.rate - _EPSILON))
        text, speaker = hit.extra.get("text"), hit.extra.get("speaker")
        label = hit.title if not text else f"{hit.title}: {text}"
        if speaker:
            label = f"{label} ({speaker})"
        metadata = {
            "hit_id": hit.id,
            "asset_id": hit.asset_id,
            "title": hit.title,
            "score": hit.score,
            "algo": hit.algo,
            "searcher": hit.searcher,
            "shot_index": hit.shot_index,
            "text": None if text is None else str(text),
            "speaker": None if speaker is None else str(speaker),
            "start": hit.start,
            "end": hit.end,
        }
        events.append(EditEvent(source, start, end, one_line(label), metadata))
    return events


def shot_events(shots: Sequence[Shot], asset: Asset) -> list[EditEvent]:
    """One event per shot of ``asset``, in the given order.

    Raises:
        ExportError: No shots, or the asset was never probed.
    """
    if not shots:
        raise ExportError(f"nothing to export: {asset.title} has no shots")
    source = EditSource.of(asset)
    return [
        EditEvent(
            source,
            shot.start_frame,
            shot.end_frame,
            one_line(f"{asset.title} shot {shot.index}"),
            {"asset_id": asset.id, "title": asset.title, "shot_index": shot.index},
        )
        for shot in shots
    ]


def build_timeline(
    events: Sequence[EditEvent], name: str, handles: float = 0.0
) -> otio.schema.Timeline:
    """A timeline of one video track with a clip per event, laid end to end.

    Args:
        events: The events, in timeline order.
        name: The timeline's name (one line).
        handles: Seconds added before and after each event, within its file.

    Raises:
        ExportError: No events, or negative handles.
    """
    if not events:
        raise ExportError("nothing to export: there are no hits")
    if not handles >= 0:
        raise ExportError(f"handles must be zero or more seconds, not {handles}")
    timeline = otio.schema.Timeline(name=one_line(name) or "reelsearch")
    # Edits conventionally start at 01:00:00:00.
    rate = float(events[0].source.rate)
    start = RECORD_START[:-3] + ";00" if is_drop_frame(rate) else RECORD_START
    timeline.global_start_time = otio.opentime.from_timecode(start, rate)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for event in events:
        track.append(_clip(event, handles))
    return timeline


def _clip(event: EditEvent, handles: float) -> otio.schema.Clip:
    source = event.source
    rate = float(source.rate)
    pad = round(handles * source.rate)
    last = source.frame_count or event.end + pad
    start = min(max(0, event.start - pad), last - 1)
    end = max(start + 1, min(last, event.end + pad))
    reference = otio.schema.ExternalReference(
        target_url=source.url,
        available_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(source.first_frame, rate),
            otio.opentime.RationalTime(source.frame_count, rate),
        ),
    )
    reference.name = source.name
    if is_drop_frame(rate):
        # Final Cut 7 XML writes a file's timecode as drop frame only when told so.
        reference.metadata["fcp_xml"] = {"timecode": {"displayformat": "DF"}}
    clip = otio.schema.Clip(
        name=event.name,
        media_reference=reference,
        source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(source.first_frame + start, rate),
            otio.opentime.RationalTime(end - start, rate),
        ),
    )
    clip.metadata[METADATA_KEY] = {
        **event.metadata,
        "path": source.path,
        "rate": [source.rate.numerator, source.rate.denominator],
        "start_frame": start,
        "end_frame": end,
        "handles": [max(0, event.start - start), max(0, end - event.end)],
    }
    return clip
