"""Where shot embeddings go: one point per shot in ``shot_embeddings``, its vector named after
the encoder that made it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from reelsearch.plugins.visual.record import ShotEmbedding
from reelsearch.sdk import (
    Asset,
    CollectionSpec,
    Distance,
    Encoder,
    FieldType,
    Point,
    Sink,
    VectorSpec,
    point_id,
    shot_payload,
)

COLLECTION = "shot_embeddings"


class ShotEmbeddingsSink(Sink[ShotEmbedding]):
    """Writes each shot's vector (cosine) with the standard shot payload and its thumbnail.

    The vector is named after the encoder, so a store filled by another encoder refuses the
    points with a clear error instead of mixing two embedding spaces.

    Args:
        algo: The algo's name, for point ids.
        version: The algo's version, for point ids.
        encoder: The encoder that made the vectors (its name and dimension).
    """

    def __init__(self, algo: str, version: str, encoder: Encoder) -> None:
        self.algo = algo
        self.version = version
        self.encoder = encoder

    def collection(self) -> CollectionSpec:
        return CollectionSpec(
            name=COLLECTION,
            vectors={
                self.encoder.name: VectorSpec(size=self.encoder.dimension, distance=Distance.COSINE)
            },
            indexes={"shot_index": FieldType.INTEGER},
        )

    def points(self, asset: Asset, records: Sequence[ShotEmbedding]) -> Iterator[Point]:
        for record in records:
            yield Point(
                id=point_id(asset.id, self.algo, self.version, record.index),
                vectors={self.encoder.name: record.vector},
                payload=shot_payload(
                    asset,
                    record,
                    thumbnail=record.thumbnail,
                    clip=record.clip,
                    frames=record.frames,
                    encoder=self.encoder.name,
                ),
            )
