"""Text-to-video retrieval evaluation: (video, caption) manifests and the standard metrics.

Each caption is a query whose one relevant item is its own video, among all the manifest's
videos (MSR-VTT 1k-A: 1,000 captions, 1,000 videos). The metrics are those of the retrieval
literature: recall at K (the share of queries whose video ranks in the top K), median and mean
rank, and mean average precision, which with one relevant item per query is the mean of
``1 / rank``. Ties count against the query: a target scoring the same as another video ranks
below it, so a degenerate model that scores everything alike gets no credit.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from reelsearch.core.errors import ReelsearchError

DEFAULT_KS = (1, 5, 10)


class ManifestError(ReelsearchError):
    """An evaluation manifest is missing, malformed or names no videos."""


@dataclass(frozen=True)
class Pair:
    """One line of a manifest: a video (or a time range of it) and a caption describing it.

    Attributes:
        video: The video file.
        caption: What is in the video, or in the range.
        start: Start of the range in seconds; ``None``: the start of the video.
        end: End of the range in seconds; ``None``: the end of the video.
    """

    video: Path
    caption: str
    start: float | None = None
    end: float | None = None


def read_manifest(path: Path) -> list[Pair]:
    """The (video, caption) pairs of a JSONL or CSV manifest.

    JSONL: one object per line with ``video`` and ``caption``. CSV: a header row naming the
    ``video`` and ``caption`` columns. Either may give an optional time range in seconds,
    ``start`` and ``end`` (empty or absent: the start or end of the video). Relative video
    paths are resolved against the manifest's folder. A video may appear on several lines
    (several captions, or several ranges).

    Raises:
        ManifestError: The file cannot be read or parsed, a line lacks a field, a range is not
            ``0 <= start < end``, or there is no pair.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc.strerror or exc}") from None
    rows = _csv_rows(path, text) if path.suffix.lower() == ".csv" else _jsonl_rows(path, text)
    pairs = []
    for line, row in rows:
        video, caption = row.get("video"), row.get("caption")
        if not isinstance(video, str) or not video or not isinstance(caption, str) or not caption:
            raise ManifestError(f"{path}:{line}: needs a non-empty 'video' and 'caption'")
        start, end = _seconds(path, line, row, "start"), _seconds(path, line, row, "end")
        if (start is not None and end is not None and end <= start) or (end == 0):
            raise ManifestError(f"{path}:{line}: 'end' must come after 'start'")
        pairs.append(Pair((path.parent / video).expanduser(), caption, start, end))
    if not pairs:
        raise ManifestError(f"{path} holds no (video, caption) pairs")
    return pairs


def _jsonl_rows(path: Path, text: str) -> list[tuple[int, dict[str, object]]]:
    rows = []
    for line, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except ValueError as exc:
            raise ManifestError(f"{path}:{line}: not JSON ({exc})") from None
        if not isinstance(row, dict):
            raise ManifestError(f"{path}:{line}: expected an object with video and caption")
        rows.append((line, row))
    return rows


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict[str, object]]]:
    reader = csv.DictReader(text.splitlines())
    try:
        missing = {"video", "caption"} - set(reader.fieldnames or ())
        if missing:
            raise ManifestError(f"{path}: the header lacks {', '.join(sorted(missing))}")
        return [(line, dict(row)) for line, row in enumerate(reader, 2)]
    except csv.Error as exc:  # a NUL byte, a field over the csv module's size limit
        raise ManifestError(f"{path}:{reader.line_num + 1}: not CSV ({exc})") from None


def _seconds(path: Path, line: int, row: dict[str, object], field: str) -> float | None:
    """The optional time ``field`` of ``row``: a finite number of seconds >= 0, else ``None``."""
    value = row.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            value = None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ManifestError(f"{path}:{line}: '{field}' must be a number of seconds")
    if not math.isfinite(value) or value < 0:
        raise ManifestError(f"{path}:{line}: '{field}' must be a finite number >= 0")
    return float(value)


def target_ranks(similarity: NDArray[np.floating], targets: Sequence[int]) -> NDArray[np.int64]:
    """The 1-based rank of each query's target among the candidates (ties count against it).

    Args:
        similarity: ``(queries, candidates)`` scores, higher is better.
        targets: The index of each query's relevant candidate.
    """
    scores = np.asarray(similarity)
    wanted = scores[np.arange(len(targets)), np.asarray(targets, dtype=np.int64)]
    ranks: NDArray[np.int64] = (scores >= wanted[:, None]).sum(axis=1).astype(np.int64)
    return ranks


@dataclass(frozen=True)
class RetrievalMetrics:
    """Retrieval quality over a set of queries with one relevant item each.

    Attributes:
        queries: How many queries were ranked.
        recall: K -> share of queries whose target ranks within the top K (0..1).
        median_rank: Median rank of the targets (1 is best).
        mean_rank: Mean rank of the targets.
        mean_average_precision: Mean of ``1 / rank`` (average precision with one relevant item).
    """

    queries: int
    recall: dict[int, float]
    median_rank: float
    mean_rank: float
    mean_average_precision: float

    def as_dict(self) -> dict[str, float | int]:
        """Flat, JSON-ready: ``R@1``, ``R@5``, ..., ``median_rank``, ``mean_rank``, ``mAP``."""
        return {
            "queries": self.queries,
            **{f"R@{k}": value for k, value in self.recall.items()},
            "median_rank": self.median_rank,
            "mean_rank": self.mean_rank,
            "mAP": self.mean_average_precision,
        }


def retrieval_metrics(
    ranks: Sequence[int] | NDArray[np.int64], ks: Sequence[int] = DEFAULT_KS
) -> RetrievalMetrics:
    """Recall at each K, median and mean rank and mAP from the targets' 1-based ranks.

    Raises:
        ValueError: No ranks, or a rank below 1.
    """
    values = np.asarray(ranks, dtype=np.float64)
    if values.size == 0:
        raise ValueError("no queries to compute metrics over")
    if values.min() < 1:
        raise ValueError("ranks start at 1")
    return RetrievalMetrics(
        queries=int(values.size),
        recall={k: float((values <= k).mean()) for k in ks},
        median_rank=float(np.median(values)),
        mean_rank=float(values.mean()),
        mean_average_precision=float((1.0 / values).mean()),
    )
