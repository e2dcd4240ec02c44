"""Where the match-cutting records go: near-duplicate groups per shot, and match cuts (a point
per pair and one summary point per kind and video), all payload-only."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from pydantic import BaseModel

from reelsearch.plugins.match_cutting.records import MatchCuts, NearDuplicate
from reelsearch.sdk import Asset, CollectionSpec, FieldType, Point, Sink, point_id, shot_payload

NEAR_DUPLICATES = "near_duplicates"
MATCH_CUTS = "match_cuts"

RecordT = TypeVar("RecordT", bound=BaseModel)


class _AlgoSink(Sink[RecordT]):
    """A sink whose point ids name its algo.

    Args:
        algo: The algo's name, for point ids.
        version: The algo's version, for point ids.
    """

    def __init__(self, algo: str, version: str) -> None:
        self.algo = algo
        self.version = version


class NearDuplicatesSink(_AlgoSink[NearDuplicate]):
    """A point per shot: the standard shot payload plus ``group`` (the representative's
    index), ``representative``, ``similarity`` and ``dropped``."""

    def collection(self) -> CollectionSpec:
        return CollectionSpec(
            name=NEAR_DUPLICATES,
            indexes={"shot_index": FieldType.INTEGER, "group": FieldType.INTEGER},
        )

    def points(self, asset: Asset, records: Sequence[NearDuplicate]) -> Iterator[Point]:
        for record in records:
            yield Point(
                id=point_id(asset.id, self.algo, self.version, record.index),
                payload=shot_payload(
                    asset,
                    record,
                    group=record.group,
                    representative=record.representative,
                    similarity=record.similarity,
                    dropped=record.dropped,
                    thumbnail=record.thumbnail,
                ),
            )


class MatchCutsSink(_AlgoSink[MatchCuts]):
    """A point per pair (``row`` = ``"pair"``: ``kind``, ``rank``, ``score``, ``outgoing``,
    ``incoming``; ``start``/``end`` span both shots) and a summary point per kind (``row`` =
    ``"summary"``: ``shots``, ``representatives``, ``candidates``), so that an empty list can
    say why it is empty."""

    def collection(self) -> CollectionSpec:
        return CollectionSpec(
            name=MATCH_CUTS,
            indexes={
                "kind": FieldType.KEYWORD,
                "row": FieldType.KEYWORD,
                "rank": FieldType.INTEGER,
            },
        )

    def points(self, asset: Asset, records: Sequence[MatchCuts]) -> Iterator[Point]:
        base = {"asset_id": asset.id, "title": asset.title, "metadata": dict(asset.metadata)}
        for record in records:
            yield Point(
                id=point_id(asset.id, self.algo, self.version, f"{record.kind}:summary"),
                payload={
                    **base,
                    "row": "summary",
                    "kind": record.kind,
                    "start": 0.0,
                    "end": 0.0,
                    **record.model_dump(include={"shots", "representatives", "candidates"}),
                },
            )
            for pair in record.pairs:
                yield Point(
                    id=point_id(asset.id, self.algo, self.version, f"{record.kind}:{pair.rank}"),
                    payload={
                        **base,
                        "row": "pair",
                        "kind": record.kind,
                        "start": min(pair.outgoing.start, pair.incoming.start),
                        "end": max(pair.outgoing.end, pair.incoming.end),
                        **pair.model_dump(),
                    },
                )
