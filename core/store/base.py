"""The store interface: one API over Qdrant, whichever backend holds the data.

This module never imports a backend. :func:`reelsearch.core.store.open_store` picks one from a
URL. Every backend passes the same contract suite
(:class:`reelsearch.sdk.testing.StoreContract`).

Payload conventions: every point carries ``asset_id``, ``title``, ``start`` and ``end``
(seconds) and may carry ``metadata`` (a dict, filtered as ``metadata.<key>``); these fields are
always indexed. A collection declares any further indexed fields in :class:`CollectionSpec`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reelsearch.core.models import MetadataValue, SearchFilter


class Distance(StrEnum):
    COSINE = "cosine"
    DOT = "dot"
    EUCLID = "euclid"


class FieldType(StrEnum):
    """Payload index types."""

    KEYWORD = "keyword"
    INTEGER = "integer"
    FLOAT = "float"
    BOOL = "bool"
    TEXT = "text"
    """Full-text index: word and phrase matches."""


STANDARD_INDEXES: dict[str, FieldType] = {
    "asset_id": FieldType.KEYWORD,
    "title": FieldType.KEYWORD,
    "start": FieldType.FLOAT,
    "end": FieldType.FLOAT,
}
"""Indexed on every collection: the fields :class:`SearchFilter` filters on."""

_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,127}$")


class VectorSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    size: int = Field(gt=0)
    distance: Distance = Distance.COSINE


class CollectionSpec(BaseModel):
    """A collection: its name, its named dense vectors and its indexed payload fields.

    A collection may have no vectors at all (payload only, e.g. a shot list).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    vectors: dict[str, VectorSpec] = Field(default_factory=dict)
    indexes: dict[str, FieldType] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(
                f"collection name {value!r} must be lowercase letters, digits, '_' or '-'"
            )
        return value

    def all_indexes(self) -> dict[str, FieldType]:
        """The standard indexes plus this collection's own."""
        return {**STANDARD_INDEXES, **self.indexes}


class Point(BaseModel):
    """One record in a collection."""

    id: str = Field(description="A UUID string (see reelsearch.core.models.point_id).")
    vectors: dict[str, list[float]] = Field(default_factory=dict)
    payload: dict[str, Any] = Field(default_factory=dict)


class ScoredPoint(Point):
    score: float


class PointFilter(SearchFilter):
    """A :class:`SearchFilter` plus conditions on a collection's own payload fields: exact
    values (e.g. a speaker) and full text on ``TEXT``-indexed fields."""

    fields: dict[str, MetadataValue] = Field(
        default_factory=dict,
        description="Payload field -> exact value, like ``metadata``; a list matches any value.",
    )

    phrases: dict[str, str] = Field(
        default_factory=dict, description="Field -> exact phrase that must occur in it."
    )
    words: dict[str, str] = Field(
        default_factory=dict, description="Field -> words that must all occur in it."
    )


class VectorStore(ABC):
    """A Qdrant-backed store of collections of points.

    Every method that takes a collection name raises :class:`~reelsearch.core.errors.StoreError`
    naming it when it does not exist.
    """

    backend: ClassVar[str]

    @abstractmethod
    def ensure_collection(self, spec: CollectionSpec) -> None:
        """Create the collection, or check that the existing one has the same vectors (a
        different size or distance is a ``StoreError``) and add any missing payload indexes."""

    @abstractmethod
    def collections(self) -> list[str]:
        """Names of all collections, sorted."""

    @abstractmethod
    def drop_collection(self, name: str) -> None:
        """Delete a collection and all its points; no error if it does not exist."""

    @abstractmethod
    def upsert(self, collection: str, points: Sequence[Point], *, batch_size: int = 256) -> None:
        """Insert or replace ``points`` (same id: replaced), in batches of ``batch_size``."""

    @abstractmethod
    def search(
        self,
        collection: str,
        vector: Sequence[float],
        *,
        using: str,
        filter: PointFilter | None = None,
        limit: int = 10,
        offset: int = 0,
        score_threshold: float | None = None,
        exact: bool = False,
        hnsw_ef: int | None = None,
    ) -> list[ScoredPoint]:
        """Nearest neighbours of ``vector`` in vector field ``using``, best first.

        ``hnsw_ef`` is the size of the HNSW candidate list (higher: better recall, slower);
        ``None`` leaves the backend's default. It has no effect on an exact search."""

    @abstractmethod
    def retrieve(
        self, collection: str, ids: Sequence[str], *, with_vectors: bool = False
    ) -> list[Point]:
        """The points with these ids that exist, in the order of ``ids``."""

    @abstractmethod
    def scroll(
        self,
        collection: str,
        *,
        filter: PointFilter | None = None,
        limit: int = 100,
        offset: str | None = None,
        with_vectors: bool = False,
    ) -> tuple[list[Point], str | None]:
        """A page of points in id order and the offset of the next page (``None``: the end)."""

    @abstractmethod
    def count(self, collection: str, *, filter: PointFilter | None = None) -> int:
        """How many points match ``filter``."""

    @abstractmethod
    def delete(
        self,
        collection: str,
        *,
        ids: Sequence[str] | None = None,
        filter: PointFilter | None = None,
    ) -> None:
        """Delete the points with ``ids`` and/or matching ``filter``."""

    @abstractmethod
    def set_payload(self, collection: str, payload: dict[str, Any], *, filter: PointFilter) -> None:
        """Merge ``payload`` into every point matching ``filter`` (e.g. a renamed title)."""

    def points(
        self,
        collection: str,
        *,
        filter: PointFilter | None = None,
        with_vectors: bool = False,
        page_size: int = 1_000,
    ) -> Iterator[Point]:
        """Every point matching ``filter``, in id order, read a page at a time."""
        offset: str | None = None
        while True:
            page, offset = self.scroll(
                collection, filter=filter, limit=page_size, offset=offset, with_vectors=with_vectors
            )
            yield from page
            if offset is None:
                return

    def delete_asset(self, asset_id: str) -> None:
        """Delete every point of ``asset_id`` in every collection."""
        for name in self.collections():
            self.delete(name, filter=PointFilter(asset_ids=[asset_id]))

    def close(self) -> None:  # noqa: B027 - optional
        """Flush and release the backend."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
