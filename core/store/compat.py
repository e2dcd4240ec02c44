"""Checks shared by the backends: does an existing collection fit a spec, and naming errors."""

from __future__ import annotations

from collections.abc import Iterable

from reelsearch.core.errors import StoreError
from reelsearch.core.store.base import CollectionSpec, FieldType, VectorSpec


def missing_indexes(
    name: str,
    vectors: dict[str, VectorSpec],
    indexes: dict[str, FieldType],
    wanted: CollectionSpec,
) -> dict[str, FieldType]:
    """Check that an existing collection can serve ``wanted``; return the indexes to add.

    Args:
        name: The collection's name, for error messages.
        vectors: The collection's dense vectors as they are.
        indexes: The collection's payload indexes as they are (may be incomplete where the
            backend does not report them).
        wanted: The spec the caller asks for.

    Returns:
        The fields of ``wanted.all_indexes()`` that have no index yet, with their types.

    Raises:
        StoreError: The vectors differ (names, size or distance), or a field is indexed with
            another type.
    """
    if vectors != wanted.vectors:
        raise StoreError(
            f"collection {name!r} exists with vectors {_describe(vectors)}, not "
            f"{_describe(wanted.vectors)}; use another collection name or drop it first"
        )
    for field, kind in wanted.all_indexes().items():
        if indexes.get(field, kind) != kind:
            raise StoreError(
                f"collection {name!r} indexes {field!r} as {indexes[field]}, not {kind}"
            )
    return {f: k for f, k in wanted.all_indexes().items() if f not in indexes}


def unknown_collection(name: str, known: Iterable[str]) -> StoreError:
    """The error for an operation on a collection that does not exist."""
    listing = ", ".join(sorted(known)) or "none"
    return StoreError(f"unknown collection {name!r}; existing collections: {listing}")


def _describe(vectors: dict[str, VectorSpec]) -> str:
    if not vectors:
        return "(none)"
    return ", ".join(f"{n}[{v.size}, {v.distance}]" for n, v in sorted(vectors.items()))
