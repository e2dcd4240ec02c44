"""Conversions both backends share between their records and ours."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from reelsearch.core.errors import StoreError
from reelsearch.core.store.base import Point, ScoredPoint


def batches(points: Sequence[Point], batch_size: int) -> Iterator[Sequence[Point]]:
    """``points`` in consecutive slices of at most ``batch_size``.

    Raises:
        StoreError: ``batch_size`` is below 1.
    """
    if batch_size < 1:
        raise StoreError(f"batch_size must be at least 1, not {batch_size}")
    for start in range(0, len(points), batch_size):
        yield points[start : start + batch_size]


def to_point(record: Any) -> Point:
    """Our point from a binding's record (both have ``id``, ``vector`` and ``payload``)."""
    return Point.model_validate(
        {"id": str(record.id), "vectors": record.vector or {}, "payload": record.payload or {}}
    )


def to_scored(hit: Any) -> ScoredPoint:
    """Our scored point from a binding's search hit (its vectors are not fetched). The binding's
    types are already right, so nothing is validated: a search returns hundreds of these."""
    return ScoredPoint.model_construct(
        id=str(hit.id), vectors={}, payload=hit.payload or {}, score=float(hit.score)
    )


def in_order(records: Iterable[Any], ids: Sequence[str]) -> list[Point]:
    """The records as points in the order of ``ids``, skipping ids that were not found."""
    found = {str(r.id): to_point(r) for r in records}
    return [found[i] for i in ids if i in found]


def page(records: Iterable[Any], next_offset: object) -> tuple[list[Point], str | None]:
    """A scroll page: the records as points and the next offset as a string."""
    return [to_point(r) for r in records], None if next_offset is None else str(next_offset)
