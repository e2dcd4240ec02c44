"""The embedded backend: Qdrant Edge, the Rust engine in-process (``qdrant-edge-py``).

Layout on disk: one Edge shard per collection in ``<root>/<name>/``, with the collection's
:class:`~reelsearch.core.store.base.CollectionSpec` saved beside the shard's own files as
``<root>/<name>/collection.json``. Opening a root reads every collection's spec; a folder
without one is debris of an interrupted create and is replaced when the collection is created.
A shard loads on first use, and only shards written to are flushed on :meth:`close`: a command
that reads the catalog alone (``reelsearch titles``, a re-ingest with nothing to write) loads
and flushes one shard, not every collection's.

One process at a time opens a root: the store takes :class:`~reelsearch.core.home.HomeLock` on
it (``<root>/.lock``) before it creates or loads anything, and lets it go on :meth:`close`; a
second opener gets :class:`~reelsearch.core.errors.HomeLockedError` naming the holder.

Edge requires a shard to declare dense or sparse vectors. A collection without dense vectors
(payload only) therefore gets one sparse vector, ``_payload_only``, that no point ever fills:
it costs nothing and makes the shard valid.

The binding is thread-safe; a lock guards only the maps of specs and open shards (create,
load, drop, close).
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import qdrant_edge as qe

from reelsearch.core.errors import StoreError
from reelsearch.core.home import HomeLock
from reelsearch.core.store.base import (
    CollectionSpec,
    Distance,
    FieldType,
    Point,
    PointFilter,
    ScoredPoint,
    VectorStore,
)
from reelsearch.core.store.compat import missing_indexes, unknown_collection
from reelsearch.core.store.filters import (
    FilterModels,
    deletion,
    to_filter,
    to_selection,
)
from reelsearch.core.store.records import batches, in_order, page, to_scored

SPEC_FILE = "collection.json"
PAYLOAD_ONLY_VECTOR = "_payload_only"

_DISTANCES = {
    Distance.COSINE: qe.Distance.Cosine,
    Distance.DOT: qe.Distance.Dot,
    Distance.EUCLID: qe.Distance.Euclid,
}
_SCHEMAS = {
    FieldType.KEYWORD: qe.PayloadSchemaType.Keyword,
    FieldType.INTEGER: qe.PayloadSchemaType.Integer,
    FieldType.FLOAT: qe.PayloadSchemaType.Float,
    FieldType.BOOL: qe.PayloadSchemaType.Bool,
}


def _exact_value(value: str | int | bool) -> object:
    # qdrant-edge-py 0.9 reads a Python bool in MatchValue as an integer (bool subclasses int),
    # which matches no boolean payload; numpy.bool_ is read as a boolean.
    return np.bool_(value) if isinstance(value, bool) else value


_MODELS = FilterModels(
    namespace=qe,
    float_range=qe.RangeFloat,
    has_id=lambda ids: qe.HasIdCondition(point_ids=set(ids)),
    exact_value=_exact_value,
)


class EdgeStore(VectorStore):
    """Collections in Qdrant Edge shards under one folder.

    Until :meth:`optimize` builds a shard's HNSW graph, searches scan its vectors (exact, but
    slow at scale): call it after a bulk load.

    Args:
        root: The folder holding one sub-folder per collection; created if missing.
        lock_timeout: Seconds to wait for another process holding ``root`` to let it go.

    Raises:
        HomeLockedError: Another process (or another open store in this one) holds ``root``.
    """

    backend = "edge"

    def __init__(self, root: Path | str, *, lock_timeout: float = 0.0) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._closed = False
        self._specs: dict[str, CollectionSpec] = {}
        self._shards: dict[str, qe.EdgeShard] = {}
        self._written: set[str] = set()
        self._owner = HomeLock(self.root)
        self._owner.acquire(lock_timeout)
        try:
            for spec_file in sorted(self.root.glob(f"*/{SPEC_FILE}")):
                self._read_spec(spec_file)
        except BaseException:
            self.close()
            raise

    def ensure_collection(self, spec: CollectionSpec) -> None:
        with self._lock:
            self._check_open()
            current = self._specs.get(spec.name)
            if current is None:
                self._create(spec)
                return
            missing = missing_indexes(spec.name, current.vectors, current.all_indexes(), spec)
            if missing:
                self._index(spec.name, self._loaded(spec.name), missing)
                self._written.add(spec.name)
                merged = CollectionSpec(
                    name=spec.name,
                    vectors=current.vectors,
                    indexes={**current.indexes, **missing},
                )
                self._save_spec(merged)

    def collections(self) -> list[str]:
        with self._lock:
            return sorted(self._specs)

    def drop_collection(self, name: str) -> None:
        with self._lock:
            self._check_open()
            if self._specs.pop(name, None) is None:
                return
            shard = self._shards.pop(name, None)
            self._written.discard(name)
            if shard is not None:
                with _errors(name):
                    shard.close()
            folder = self.root / name
            # The spec goes first: a folder left without one is debris, replaced on create.
            (folder / SPEC_FILE).unlink(missing_ok=True)
            shutil.rmtree(folder, ignore_errors=True)

    def upsert(self, collection: str, points: Sequence[Point], *, batch_size: int = 256) -> None:
        shard = self._shard(collection, write=True)
        for chunk in batches(points, batch_size):
            batch = [qe.Point(p.id, dict(p.vectors), p.payload) for p in chunk]
            with _errors(collection):
                shard.update(qe.UpdateOperation.upsert_points(batch))

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
        shard = self._shard(collection)
        vectors = self._specs[collection].vectors
        if using not in vectors:
            known = ", ".join(sorted(vectors)) or "none"
            raise StoreError(
                f"collection {collection!r} has no vector {using!r}; its vectors: {known}"
            )
        request = qe.SearchRequest(
            query=qe.Query.Nearest([float(x) for x in vector], using=using),
            limit=limit,
            offset=offset,
            filter=to_filter(filter, _MODELS),
            params=qe.SearchParams(exact=exact, hnsw_ef=hnsw_ef),
            with_vector=False,
            with_payload=True,
            score_threshold=score_threshold,
        )
        with _errors(collection):
            hits = shard.search(request)
        return [to_scored(h) for h in hits]

    def retrieve(
        self, collection: str, ids: Sequence[str], *, with_vectors: bool = False
    ) -> list[Point]:
        shard = self._shard(collection)
        with _errors(collection):
            records = shard.retrieve(list(ids), with_payload=True, with_vector=with_vectors)
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
        shard = self._shard(collection)
        request = qe.ScrollRequest(
            offset=offset,
            limit=limit,
            filter=to_filter(filter, _MODELS),
            with_payload=True,
            with_vector=with_vectors,
        )
        with _errors(collection):
            records, next_offset = shard.scroll(request)
        return page(records, next_offset)

    def count(self, collection: str, *, filter: PointFilter | None = None) -> int:
        shard = self._shard(collection)
        with _errors(collection):
            return shard.count(qe.CountRequest(exact=True, filter=to_filter(filter, _MODELS)))

    def delete(
        self,
        collection: str,
        *,
        ids: Sequence[str] | None = None,
        filter: PointFilter | None = None,
    ) -> None:
        """Delete the points among ``ids`` (all if ``None``) that match ``filter`` (all if
        ``None``); at least one of the two must be given."""
        shard = self._shard(collection, write=True)
        operation = qe.UpdateOperation.delete_points_by_filter(deletion(ids, filter, _MODELS))
        with _errors(collection):
            shard.update(operation)

    def set_payload(self, collection: str, payload: dict[str, Any], *, filter: PointFilter) -> None:
        shard = self._shard(collection, write=True)
        selection = to_selection(filter, _MODELS)
        with _errors(collection):
            shard.update(qe.UpdateOperation.set_payload_by_filter(selection, payload))

    def optimize(self, collection: str | None = None) -> None:
        """Build the HNSW graphs (and merge segments) after a bulk load; blocks until done.

        Args:
            collection: The collection to optimize; ``None`` optimizes every one.
        """
        names = self.collections() if collection is None else [collection]
        for name in names:
            shard = self._shard(name, write=True)
            with _errors(name):
                shard.optimize()

    def close(self) -> None:
        """Flush every shard written to since it loaded, close every loaded shard; later calls
        do nothing."""
        with self._lock:
            shards, self._shards, self._specs = self._shards, {}, {}
            written, self._written = self._written, set()
            self._closed = True
        try:
            for name, shard in shards.items():
                with _errors(name):
                    if name in written:
                        shard.flush()
                    shard.close()
        finally:
            self._owner.release()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"the store at {self.root} is closed")

    def _shard(self, name: str, *, write: bool = False) -> qe.EdgeShard:
        """Collection ``name``'s shard, loaded on first use; ``write``: it is to be written."""
        with self._lock:
            self._check_open()
            if name not in self._specs:
                raise unknown_collection(name, self._specs)
            shard = self._loaded(name)
            if write:
                self._written.add(name)
            return shard

    def _loaded(self, name: str) -> qe.EdgeShard:
        """The shard of a collection whose spec is known, loaded if it is not (lock held)."""
        shard = self._shards.get(name)
        if shard is None:
            with _errors(name):
                shard = qe.EdgeShard.load(str(self.root / name))
            self._shards[name] = shard
        return shard

    def _read_spec(self, spec_file: Path) -> None:
        try:
            spec = CollectionSpec.model_validate_json(spec_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read the collection spec {spec_file}: {exc}") from exc
        self._specs[spec.name] = spec

    def _create(self, spec: CollectionSpec) -> None:
        folder = self.root / spec.name
        if folder.exists():  # debris of an interrupted create or drop (no spec); the root is ours
            shutil.rmtree(folder)
        config = qe.EdgeConfig(
            vectors={
                name: qe.EdgeVectorParams(size=v.size, distance=_DISTANCES[v.distance])
                for name, v in spec.vectors.items()
            }
            or None,
            sparse_vectors=(
                None if spec.vectors else {PAYLOAD_ONLY_VECTOR: qe.EdgeSparseVectorParams()}
            ),
        )
        with _errors(spec.name):
            shard = qe.EdgeShard.create(str(folder), config)
        try:
            self._index(spec.name, shard, spec.all_indexes())
            self._save_spec(spec)
        except BaseException:
            shard.close()
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._shards[spec.name] = shard
        self._written.add(spec.name)

    def _save_spec(self, spec: CollectionSpec) -> None:
        path = self.root / spec.name / SPEC_FILE
        partial = path.with_suffix(".partial")
        partial.write_text(spec.model_dump_json(indent=2), encoding="utf-8")
        partial.replace(path)
        self._specs[spec.name] = spec

    @staticmethod
    def _index(name: str, shard: qe.EdgeShard, indexes: dict[str, FieldType]) -> None:
        for field, kind in indexes.items():
            with _errors(name):
                shard.update(qe.UpdateOperation.create_field_index(field, _schema(kind)))


def _schema(kind: FieldType) -> Any:
    if kind is FieldType.TEXT:
        return qe.TextIndexParams(
            tokenizer=qe.TokenizerType.Word, lowercase=True, phrase_matching=True
        )
    return _SCHEMAS[kind]


@contextlib.contextmanager
def _errors(collection: str) -> Iterator[None]:
    """Turn the binding's errors (it raises bare ``Exception``) into ``StoreError``."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"Qdrant Edge failed on collection {collection!r}: {exc}") from exc
