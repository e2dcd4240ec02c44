"""The colorstats algo and its sink."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.sdk import (
    Algo,
    AlgoContext,
    Asset,
    CollectionSpec,
    Distance,
    FieldType,
    Point,
    Sink,
    VectorSpec,
    decode_frames,
    point_id,
    record_payload,
)

COLLECTION = "colorstats"


class ColorStats(BaseModel):
    """Mean colour of one window of a video."""

    window: int = Field(ge=0, description="Window number, from 0.")
    start: float = Field(description="Seconds.")
    end: float
    rgb: tuple[float, float, float] = Field(description="Mean red, green, blue in 0..1.")
    brightness: float = Field(description="Mean luma (Rec. 601) in 0..1.")


class ColorStatsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_seconds: float = Field(default=1.0, gt=0, description="Length of each window.")


class ColorStatsAlgo(Algo[ColorStats, ColorStatsConfig]):
    """Mean colour and brightness per window, from one decode pass at 32x18."""

    name = "colorstats"
    version = "1"
    description = "Mean RGB colour and brightness per time window."

    def run(self, ctx: AlgoContext) -> list[ColorStats]:
        media = ctx.asset.media
        assert media is not None, "the runtime probes every asset"
        per_window = max(1, round(self.config.window_seconds * media.fps))
        sums: list[np.ndarray] = []
        counts: list[int] = []
        decoded = 0
        for batch in decode_frames(ctx.asset.uri, (32, 18)):
            means = batch.reshape(len(batch), -1, 3).mean(axis=1)
            windows = (decoded + np.arange(len(batch))) // per_window
            for window in np.unique(windows):
                while len(sums) <= window:
                    sums.append(np.zeros(3))
                    counts.append(0)
                chosen = windows == window
                sums[window] += means[chosen].sum(axis=0)
                counts[window] += int(chosen.sum())
            decoded += len(batch)
            ctx.progress(decoded, media.frame_count)
        records = []
        for window, (total, count) in enumerate(zip(sums, counts, strict=True)):
            r, g, b = (total / count / 255.0).tolist()
            records.append(
                ColorStats(
                    window=window,
                    start=window * per_window / media.fps,
                    end=min(decoded, (window + 1) * per_window) / media.fps,
                    rgb=(r, g, b),
                    brightness=0.299 * r + 0.587 * g + 0.114 * b,
                )
            )
        return records

    def sink(self) -> ColorStatsSink:
        return ColorStatsSink()


class ColorStatsSink(Sink[ColorStats]):
    """One point per window: vector ``rgb`` (Euclidean), brightness indexed for filters."""

    def collection(self) -> CollectionSpec:
        return CollectionSpec(
            name=COLLECTION,
            vectors={"rgb": VectorSpec(size=3, distance=Distance.EUCLID)},
            indexes={"brightness": FieldType.FLOAT},
        )

    def points(self, asset: Asset, records: Sequence[ColorStats]) -> Iterable[Point]:
        for record in records:
            yield Point(
                id=point_id(asset.id, ColorStatsAlgo.name, ColorStatsAlgo.version, record.window),
                vectors={"rgb": list(record.rgb)},
                payload=record_payload(record, window=record.window, brightness=record.brightness),
            )
