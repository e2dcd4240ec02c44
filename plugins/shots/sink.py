"""Where shot records go in the store: one payload-only point per shot in ``shots``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from reelsearch.plugins.shots.record import ShotRecord
from reelsearch.sdk import Asset, CollectionSpec, FieldType, Point, Sink, point_id, shot_payload

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
                payload=shot_payload(asset, record),
            )
