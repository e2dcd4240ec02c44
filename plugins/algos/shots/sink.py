"""Where shot records go in the store: one payload-only point per shot in ``shots``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from reelsearch.plugins.algos.shots.record import ShotRecord
from reelsearch.sdk import Asset, CollectionSpec, FieldType, Point, Sink, point_id

COLLECTION = "shots"


class ShotsSink(Sink[ShotRecord]):
    """Writes each shot as a point without vectors: its time range, frames and media links.

    Args:
        algo: The algo's name, for point ids.
        version: The algo's version, for point ids.
    """

    def __init__(self, algo: str, version: str) -> None:
        self.algo = algo
        self.version = version

    def collection(self) -> CollectionSpec:
        return CollectionSpec(name=COLLECTION, indexes={"shot_index": FieldType.INTEGER})

    def points(self, asset: Asset, records: Sequence[ShotRecord]) -> Iterator[Point]:
        for record in records:
            yield Point(
                id=point_id(asset.id, self.algo, self.version, record.index),
                payload={
                    "asset_id": asset.id,
                    "title": asset.title,
                    "metadata": dict(asset.metadata),
                    "start": record.start,
                    "end": record.end,
                    "shot_index": record.index,
                    "start_frame": record.start_frame,
                    "end_frame": record.end_frame,
                    "fps": record.fps,
                    "thumbnail": record.thumbnail,
                    "clip": record.clip,
                },
            )
