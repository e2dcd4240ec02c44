"""Shot-text pairs to train on: from a manifest or harvested from the catalog, split by video.

A pair is a frame range of one video and a caption. A manifest row names a video and an
optional time range in seconds (:func:`reelsearch.evaluation.read_manifest`); a catalogued
shot becomes a pair with the dialogue lines spoken over it as its caption. The held-out split
is drawn by video (its content hash), so no footage of a held-out video is ever trained on.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from reelsearch.core.errors import MediaError, ReelsearchError
from reelsearch.core.media.probe import content_hash, probe
from reelsearch.core.models import MediaInfo
from reelsearch.core.runtime import Runtime
from reelsearch.core.store.base import PointFilter
from reelsearch.evaluation import read_manifest

MAX_CAPTION_CHARS = 2_000
"""Longer captions are skipped: CLIP's text tower reads 77 tokens, a few hundred characters."""

TRAIN = "train"
HELD_OUT = "held_out"


class TrainingError(ReelsearchError):
    """Training cannot start or go on: too few pairs, a bad option, a run that failed."""


@dataclass(frozen=True)
class ShotText:
    """One training pair: frames ``[start_frame, end_frame)`` of a video and their caption.

    Attributes:
        video: The video file (resolved path).
        content_hash: The video's content hash: its identity for the split and the cache.
        start_frame: First frame of the range.
        end_frame: Frame after the last one of the range.
        caption: The text describing the range.
        origin: Where the pair comes from, for messages (``manifest.jsonl:3``, ``catalog``).
        split: :data:`TRAIN` or :data:`HELD_OUT` once split.
    """

    video: str
    content_hash: str
    start_frame: int
    end_frame: int
    caption: str
    origin: str = ""
    split: str = TRAIN

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields (what a run records and its workers read)."""
        return asdict(self)


@dataclass
class Skipped:
    """Rows or shots left out, counted by reason, with the first few messages to show."""

    counts: Counter[str] = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)
    shown: int = 20

    def add(self, reason: str, message: str) -> None:
        """Count one item left out for ``reason``; keep ``message`` if few are kept yet."""
        self.counts[reason] += 1
        if len(self.messages) < self.shown:
            self.messages.append(message)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))


class _Videos:
    """Probes each video once; remembers the ones that fail."""

    def __init__(self) -> None:
        self._known: dict[Path, tuple[MediaInfo, str] | MediaError] = {}

    def get(self, video: Path) -> tuple[MediaInfo, str]:
        if video not in self._known:
            try:
                self._known[video] = (probe(video), content_hash(video))
            except MediaError as exc:
                self._known[video] = exc
        known = self._known[video]
        if isinstance(known, MediaError):
            raise known
        return known


def frame_range(media: MediaInfo, start: float | None, end: float | None) -> tuple[int, int]:
    """The frames ``[first, after last)`` of a time range in seconds (``None``: the ends)."""
    total = media.frame_count or round(media.duration * media.fps)
    first = 0 if start is None else round(start * media.fps)
    last = total if end is None else min(total, round(end * media.fps))
    return first, last


def pairs_from_manifest(
    manifest: Path, skipped: Skipped, *, max_caption_chars: int = MAX_CAPTION_CHARS
) -> list[ShotText]:
    """The pairs of a JSONL or CSV manifest (``video``, ``caption``, optional ``start`` and
    ``end`` in seconds). Rows whose video is missing or unreadable, whose caption is too long
    or whose range holds no frame are left out and counted in ``skipped``.

    Raises:
        ManifestError: The manifest cannot be read or parsed (one line naming the problem).
    """
    videos = _Videos()
    pairs = []
    for line, row in enumerate(read_manifest(manifest), 1):
        origin = f"{manifest.name}:{line}"
        caption = " ".join(row.caption.split())
        if len(caption) > max_caption_chars:
            skipped.add("caption too long", f"{origin}: caption over {max_caption_chars} chars")
            continue
        if not caption:
            skipped.add("empty caption", f"{origin}: the caption is blank")
            continue
        try:
            media, digest = videos.get(row.video)
        except MediaError as exc:
            skipped.add("unreadable video", f"{origin}: {exc}")
            continue
        first, last = frame_range(media, row.start, row.end)
        if last <= first:
            skipped.add("range outside the video", f"{origin}: no frame in the range")
            continue
        resolved = str(row.video.expanduser().resolve())
        pairs.append(ShotText(resolved, digest, first, last, caption, origin))
    return pairs


def pairs_from_catalog(
    rs: Runtime, skipped: Skipped, *, titles: Sequence[str] | None = None, min_words: int = 3
) -> list[ShotText]:
    """Weak pairs from the catalog: each shot with the dialogue lines spoken over it (a line
    belongs to the shot its middle falls in), kept when they hold ``min_words`` words or more.

    Raises:
        TrainingError: The catalog has no such title, or the shots or dialogue algo is missing.
    """
    assets = rs.catalog.assets(list(titles) if titles else None)
    if not assets:
        which = f"titles {', '.join(titles)}" if titles else "anything"
        raise TrainingError(f"the catalog holds no {which}; ingest videos with dialogue first")
    shots_collection = _collection(rs, "shots")
    lines_collection = _collection(rs, "dialogue")
    pairs = []
    for asset in assets:
        where = PointFilter(asset_ids=[asset.id])
        shots = sorted(
            (p.payload for p in rs.store.points(shots_collection, filter=where)),
            key=lambda payload: float(payload["start"]),
        )
        lines = [p.payload for p in rs.store.points(lines_collection, filter=where)]
        for shot in shots:
            origin = f"catalog:{asset.title}#{shot.get('shot_index', '?')}"
            spoken = sorted(
                (line for line in lines if _inside(line, shot)), key=lambda x: x["start"]
            )
            caption = " ".join(" ".join(str(line.get("text", "")) for line in spoken).split())
            if len(caption.split()) < min_words:
                skipped.add("shot with too little dialogue", f"{origin}: under {min_words} words")
                continue
            pair = ShotText(
                asset.uri,
                asset.content_hash,
                int(shot["start_frame"]),
                int(shot["end_frame"]),
                caption[:MAX_CAPTION_CHARS],
                origin,
            )
            pairs.append(pair)
    return pairs


def _collection(rs: Runtime, algo: str) -> str:
    try:
        sink = rs.algo(algo).sink()
    except ReelsearchError as exc:
        raise TrainingError(f"--from-catalog needs the {algo} algo: {exc}") from None
    if sink is None:
        raise TrainingError(f"the {algo} algo stores no points to harvest pairs from")
    return sink.collection().name


def _inside(line: dict[str, Any], shot: dict[str, Any]) -> bool:
    middle = (float(line["start"]) + float(line["end"])) / 2
    return float(shot["start"]) <= middle < float(shot["end"])


def split_by_video(pairs: Iterable[ShotText], fraction: float, seed: int) -> list[ShotText]:
    """``pairs`` with their split set: a ``fraction`` of the videos (by content hash, drawn
    with ``seed``, at least one when ``fraction`` > 0 and there are two videos or more) is
    held out, with all of its pairs."""
    pairs = list(pairs)
    videos = sorted({pair.content_hash for pair in pairs})
    random.Random(seed).shuffle(videos)
    count = round(len(videos) * fraction)
    if fraction > 0 and len(videos) > 1:
        count = min(max(count, 1), len(videos) - 1)
    held = set(videos[:count])
    return [replace(p, split=HELD_OUT if p.content_hash in held else TRAIN) for p in pairs]
