"""The scale-out backend: a Qdrant server or cluster through ``qdrant_client``.

One Qdrant collection per :class:`~reelsearch.core.store.base.CollectionSpec`, with its named
dense vectors and a payload index per field of ``spec.all_indexes()``; ``TEXT`` fields get a
full-text index (word tokenizer, lowercase, phrase matching).

``qdrant_client``'s local mode (``QdrantClient(location=":memory:")`` or ``path=...``) also
works, as a stand-in for a server in tests only: it is pure Python, slow and single-process.
It builds no payload indexes (it filters by scanning, tokenizing text like the server's word
tokenizer, phrases included) and always searches exactly, so this backend creates no indexes
and sends no search parameters there: local mode would only warn that they have no effect.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ApiException

from reelsearch.core.errors import StoreError
from reelsearch.core.store.base import (
    CollectionSpec,
    Distance,
    FieldType,
    Point,
    PointFilter,
    ScoredPoint,
    VectorSpec,
    VectorStore,
)
from reelsearch.core.store.compat import missing_indexes, unknown_collection
from reelsearch.core.store.filters import FilterModels, deletion, to_filter, to_selection
from reelsearch.core.store.records import batches, in_order, page, to_scored

_DISTANCES = {
    Distance.COSINE: models.Distance.COSINE,
    Distance.DOT: models.Distance.DOT,
    Distance.EUCLID: models.Distance.EUCLID,
}
_FROM_DISTANCES = {qdrant: ours for ours, qdrant in _DISTANCES.items()}
_FIELD_TYPES = {kind.value: kind for kind in FieldType}
_TEXT_INDEX = models.TextIndexParams(
    type=models.TextIndexType.TEXT,
    tokenizer=models.TokenizerType.WORD,
    lowercase=True,
    phrase_matching=True,
)
# Local mode raises ValueError (pydantic's ValidationError included) where a server answers
# with an HTTP error; ApiException covers those and failed connections.
_CLIENT_ERRORS = (ApiException, ValueError)


def _has_id(ids: list[str]) -> models.HasIdCondition:
    return models.HasIdCondition(has_id=list[models.ExtendedPointId](ids))


_MODELS = FilterModels(namespace=models, float_range=models.Range, has_id=_has_id)


class ServerStore(VectorStore):
    """Collections in a Qdrant server, reached through ``qdrant_client``.

    Args:
        client: The URL of a server (``http://`` or ``https://``), or an open ``QdrantClient``.
            The store owns the client either way and closes it on :meth:`close`.
        api_key: The server's API key; only with a URL.
    """

    backend = "server"

    def __init__(self, client: QdrantClient | str, *, api_key: str | None = None) -> None:
        if isinstance(client, str):
            client = QdrantClient(url=client, api_key=api_key)
        elif api_key is not None:
            raise StoreError("api_key goes with a URL; configure an existing client yourself")
        self._client = client
        options = client.init_options
        self._local = options.get("location") == ":memory:" or options.get("path") is not None
        self._closed = False

    def ensure_collection(self, spec: CollectionSpec) -> None:
        with self._errors(spec.name):
            if not self._client.collection_exists(spec.name):
                self._client.create_collection(
                    spec.name,
                    vectors_config={
                        name: models.VectorParams(size=v.size, distance=_DISTANCES[v.distance])
                        for name, v in spec.vectors.items()
                    },
                )
                self._index(spec.name, spec.all_indexes())
                return
            info = self._client.get_collection(spec.name)
            vectors = _vectors(spec.name, info.config.params.vectors)
            indexes = {
                field: _FIELD_TYPES[index.data_type.value]
                for field, index in info.payload_schema.items()
                if index.data_type.value in _FIELD_TYPES
            }
            self._index(spec.name, missing_indexes(spec.name, vectors, indexes, spec))

    def collections(self) -> list[str]:
        with self._errors(None):
            return sorted(c.name for c in self._client.get_collections().collections)

    def drop_collection(self, name: str) -> None:
        with self._errors(name):
            if self._client.collection_exists(name):
                self._client.delete_collection(name)

    def upsert(self, collection: str, points: Sequence[Point], *, batch_size: int = 256) -> None:
        for chunk in batches(points, batch_size):
            batch = [
                models.PointStruct(id=p.id, vector=dict(p.vectors), payload=p.payload)
                for p in chunk
            ]
            with self._errors(collection):
                self._client.upsert(collection, points=batch, wait=True)

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
        # Local mode always searches exactly, and warns when given search parameters.
        params = (
            models.SearchParams(exact=exact, hnsw_ef=hnsw_ef)
            if (exact or hnsw_ef is not None) and not self._local
            else None
        )
        with self._errors(collection):
            response = self._client.query_points(
                collection,
                query=[float(x) for x in vector],
                using=using,
                query_filter=to_filter(filter, _MODELS),
                search_params=params,
                limit=limit,
                offset=offset,
                score_threshold=score_threshold,
                with_payload=True,
                with_vectors=False,
            )
        return [to_scored(p) for p in response.points]

    def retrieve(
        self, collection: str, ids: Sequence[str], *, with_vectors: bool = False
    ) -> list[Point]:
        with self._errors(collection):
            records = self._client.retrieve(
                collection, ids=list(ids), with_payload=True, with_vectors=with_vectors
            )
        return in_order(records, ids)

    def scroll(
        self,
        collection: str,
        *,
        filter: PointFilter | None = None,
        limit: int = 100,
        offset: str | None = None,
        with_vectors: bool = False,
    ) -> tuple[list[Point], str | None]:
        with self._errors(collection):
            records, next_offset = self._client.scroll(
                collection,
                scroll_filter=to_filter(filter, _MODELS),
                limit=limit,
                offset=offset,
                with_payload=True,
                with_vectors=with_vectors,
            )
        return page(records, next_offset)

    def count(self, collection: str, *, filter: PointFilter | None = None) -> int:
        with self._errors(collection):
            return self._client.count(
                collection, count_filter=to_filter(filter, _MODELS), exact=True
            ).count

    def delete(
        self,
        collection: str,
        *,
        ids: Sequence[str] | None = None,
        filter: PointFilter | None = None,
    ) -> None:
        """Delete the points among ``ids`` (all if ``None``) that match ``filter`` (all if
        ``None``); at least one of the two must be given."""
        selector = models.FilterSelector(filter=deletion(ids, filter, _MODELS))
        with self._errors(collection):
            self._client.delete(collection, points_selector=selector, wait=True)

    def set_payload(self, collection: str, payload: dict[str, Any], *, filter: PointFilter) -> None:
        selector = models.FilterSelector(filter=to_selection(filter, _MODELS))
        with self._errors(collection):
            self._client.set_payload(collection, payload=payload, points=selector, wait=True)

    def close(self) -> None:
        """Close the client; later calls do nothing."""
        if not self._closed:
            self._closed = True
            self._client.close()

    def _index(self, name: str, indexes: dict[str, FieldType]) -> None:
        if self._local:  # local mode builds no payload indexes (see the module docstring)
            return
        for field, kind in indexes.items():
            schema = _TEXT_INDEX if kind is FieldType.TEXT else models.PayloadSchemaType(kind.value)
            self._client.create_payload_index(name, field, field_schema=schema, wait=True)

    @contextlib.contextmanager
    def _errors(self, collection: str | None) -> Iterator[None]:
        """Turn client errors into ``StoreError``, naming a collection that does not exist."""
        try:
            yield
        except _CLIENT_ERRORS as exc:
            raise self._explain(collection, exc) from exc

    def _explain(self, collection: str | None, exc: Exception) -> StoreError:
        if collection is None:
            return StoreError(f"Qdrant failed: {exc}")
        with contextlib.suppress(*_CLIENT_ERRORS):
            if not self._client.collection_exists(collection):
                known = [c.name for c in self._client.get_collections().collections]
                return unknown_collection(collection, known)
        return StoreError(f"Qdrant failed on collection {collection!r}: {exc}")


def _vectors(name: str, config: Any) -> dict[str, VectorSpec]:
    """Our view of a collection's dense vectors config (``None``, one unnamed or named ones)."""
    if config is None:
        return {}
    named = config if isinstance(config, dict) else {"": config}
    vectors = {}
    for vector_name, params in named.items():
        if params.distance not in _FROM_DISTANCES:
            raise StoreError(
                f"collection {name!r} uses distance {params.distance} for vector "
                f"{vector_name!r}, which reelsearch does not support"
            )
        vectors[vector_name] = VectorSpec(
            size=params.size, distance=_FROM_DISTANCES[params.distance]
        )
    return vectors
