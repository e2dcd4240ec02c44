"""Both store backends against the store contract, plus what is particular to each."""

from __future__ import annotations

import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from qdrant_client import QdrantClient, models

import reelsearch.core.store as store_package
from reelsearch.core.errors import StoreError
from reelsearch.core.store import CollectionSpec, FieldType, PointFilter, VectorStore, open_store
from reelsearch.core.store.edge import SPEC_FILE, EdgeStore
from reelsearch.core.store.server import ServerStore
from reelsearch.sdk.testing.store_contract import CLIPS, NOTES, StoreContract, clip, unit_vectors


class TestEdgeStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[VectorStore]:
        with EdgeStore(tmp_path / "edge") as store:
            yield store

    @pytest.fixture
    def reopen(self, tmp_path: Path) -> Any:
        return lambda: EdgeStore(tmp_path / "edge")


class TestServerStoreLocalMode(StoreContract):
    """qdrant-client's local mode stands in for a Qdrant server (none is reachable here)."""

    @pytest.fixture
    def store(self) -> Iterator[VectorStore]:
        with ServerStore(QdrantClient(location=":memory:")) as store:
            yield store


class TestServerStoreLocalPath:
    def test_data_persists_in_a_local_path(self, tmp_path: Path) -> None:
        with ServerStore(QdrantClient(path=str(tmp_path / "qdrant"))) as store:
            store.ensure_collection(NOTES)
            store.upsert(NOTES.name, [clip(i) for i in range(3)])
        with ServerStore(QdrantClient(path=str(tmp_path / "qdrant"))) as again:
            assert again.collections() == [NOTES.name]
            assert again.count(NOTES.name) == 3

    def test_api_key_needs_a_url(self) -> None:
        with pytest.raises(StoreError, match="api_key"):
            ServerStore(QdrantClient(location=":memory:"), api_key="secret")


class TestServerStoreIndexes:
    def test_a_server_gets_every_payload_index(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Local mode skips indexes; a server (local mode told otherwise here) gets them all."""
        made: list[tuple[str, str, object]] = []
        client = QdrantClient(location=":memory:")
        create_index = client.create_payload_index

        def record(name: str, field: str, *, field_schema: Any, wait: bool) -> Any:
            made.append((name, field, field_schema))
            with warnings.catch_warnings():  # local mode: "payload indexes have no effect"
                warnings.simplefilter("ignore")
                return create_index(name, field, field_schema=field_schema, wait=wait)

        monkeypatch.setattr(client, "create_payload_index", record)
        store = ServerStore(client)
        monkeypatch.setattr(store, "_local", False)
        with store:
            store.ensure_collection(NOTES)
            store.ensure_collection(
                CollectionSpec(name=NOTES.name, indexes={"season": FieldType.INTEGER})
            )
        fields = {field: schema for _, field, schema in made}
        assert sorted(fields) == ["asset_id", "end", "season", "start", "text", "title"]
        assert fields["season"] == models.PayloadSchemaType.INTEGER
        assert fields["start"] == models.PayloadSchemaType.FLOAT
        text = fields["text"]
        assert isinstance(text, models.TextIndexParams)
        assert text.tokenizer == models.TokenizerType.WORD
        assert text.phrase_matching


class TestEdgeStoreSpecifics:
    def test_unreadable_spec_raises(self, tmp_path: Path) -> None:
        with EdgeStore(tmp_path) as store:
            store.ensure_collection(NOTES)
        (tmp_path / NOTES.name / SPEC_FILE).write_text("{not json")
        with pytest.raises(StoreError, match=SPEC_FILE):
            EdgeStore(tmp_path)

    def test_layout_is_one_folder_per_collection_with_its_spec(self, tmp_path: Path) -> None:
        with EdgeStore(tmp_path) as store:
            store.ensure_collection(CLIPS)
            store.ensure_collection(NOTES)
            store.ensure_collection(
                CollectionSpec(name=NOTES.name, indexes={"season": FieldType.INTEGER})
            )
        saved = CollectionSpec.model_validate_json((tmp_path / NOTES.name / SPEC_FILE).read_text())
        assert saved.indexes == {"text": FieldType.TEXT, "season": FieldType.INTEGER}
        assert (tmp_path / CLIPS.name / SPEC_FILE).is_file()

    def test_index_of_another_type_raises(self, tmp_path: Path) -> None:
        with EdgeStore(tmp_path) as store:
            store.ensure_collection(NOTES)
            with pytest.raises(StoreError, match="'text'"):
                store.ensure_collection(
                    CollectionSpec(name=NOTES.name, indexes={"text": FieldType.KEYWORD})
                )

    def test_folder_without_spec_is_debris_replaced_on_create(self, tmp_path: Path) -> None:
        with EdgeStore(tmp_path) as store:
            store.ensure_collection(NOTES)
            store.upsert(NOTES.name, [clip(0)])
        (tmp_path / NOTES.name / SPEC_FILE).unlink()
        with EdgeStore(tmp_path) as store:
            assert store.collections() == []
            store.ensure_collection(NOTES)
            assert store.count(NOTES.name) == 0

    def test_closed_store_refuses_work(self, tmp_path: Path) -> None:
        store = EdgeStore(tmp_path)
        store.ensure_collection(NOTES)
        store.close()
        store.close()
        with pytest.raises(StoreError, match="closed"):
            store.count(NOTES.name)
        with pytest.raises(StoreError, match="closed"):
            store.ensure_collection(NOTES)

    def test_optimize_after_bulk_load_keeps_results(self, tmp_path: Path) -> None:
        vectors = unit_vectors(2_000, seed=8)
        store = EdgeStore(tmp_path)
        with store:
            store.ensure_collection(CLIPS)
            store.upsert(CLIPS.name, [clip(i, v) for i, v in enumerate(vectors)], batch_size=500)
            query = vectors[10].tolist()
            before = store.search(CLIPS.name, query, using="image", limit=5, exact=True)
            store.optimize()
            store.optimize(CLIPS.name)
            assert store.search(CLIPS.name, query, using="image", limit=5, exact=True) == before
            with pytest.raises(StoreError, match="'missing'"):
                store.optimize("missing")

    def test_threads_can_share_a_store(self, tmp_path: Path) -> None:
        vectors = unit_vectors(400, seed=9)
        failures: list[BaseException] = []
        with EdgeStore(tmp_path) as store:
            store.ensure_collection(CLIPS)

            def write(part: int) -> None:
                try:
                    points = [clip(i, vectors[i]) for i in range(part, 400, 4)]
                    store.upsert(CLIPS.name, points, batch_size=10)
                    store.search(CLIPS.name, vectors[part].tolist(), using="image")
                except BaseException as exc:  # pragma: no cover - reported below
                    failures.append(exc)

            threads = [threading.Thread(target=write, args=(p,)) for p in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert failures == []
            assert store.count(CLIPS.name) == 400


class TestOpenStore:
    def test_default_is_edge_in_home(self, tmp_path: Path) -> None:
        with open_store(None, home=tmp_path) as store:
            assert isinstance(store, EdgeStore)
            assert store.root == tmp_path / "store"

    @pytest.mark.parametrize("prefix", ["", "edge://", "file://"])
    def test_paths_and_edge_urls_open_edge(self, tmp_path: Path, prefix: str) -> None:
        with open_store(f"{prefix}{tmp_path / 'there'}", home=tmp_path / "home") as store:
            assert isinstance(store, EdgeStore)
            assert store.root == tmp_path / "there"
            store.ensure_collection(NOTES)
        assert (tmp_path / "there" / NOTES.name / SPEC_FILE).is_file()

    def test_relative_edge_url(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        with open_store("edge://data/store", home=tmp_path / "home") as store:
            assert isinstance(store, EdgeStore)
            assert store.root.resolve() == tmp_path / "data" / "store"

    def test_memory_opens_local_mode(self, tmp_path: Path) -> None:
        with open_store("memory://", home=tmp_path) as store:
            assert isinstance(store, ServerStore)
            store.ensure_collection(NOTES)
            assert store.collections() == [NOTES.name]
        assert not (tmp_path / "store").exists()

    @pytest.mark.parametrize("url", ["http://qdrant.example:6333", "https://qdrant.example"])
    def test_http_urls_open_a_server_client(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
    ) -> None:
        made: list[dict[str, Any]] = []

        class FakeClient:
            """Records how it was made; no connection is attempted."""

            def __init__(self, **kwargs: Any) -> None:
                made.append(kwargs)
                self.init_options = kwargs

            def close(self) -> None:
                made.append({"closed": True})

        monkeypatch.setattr("reelsearch.core.store.server.QdrantClient", FakeClient)
        with open_store(url, home=tmp_path, api_key="secret") as store:
            assert isinstance(store, ServerStore)
        assert made == [{"url": url, "api_key": "secret"}, {"closed": True}]

    @pytest.mark.parametrize("url", ["ftp://host/store", "qdrant://host"])
    def test_unknown_scheme_lists_the_known_ones(self, tmp_path: Path, url: str) -> None:
        with pytest.raises(StoreError, match="unknown store URL scheme") as raised:
            open_store(url, home=tmp_path)
        for scheme in ("edge://", "file://", "http://", "https://", "memory://"):
            assert scheme in str(raised.value)

    def test_url_without_folder_raises(self, tmp_path: Path) -> None:
        with pytest.raises(StoreError, match="no folder"):
            open_store("edge://", home=tmp_path)


def test_package_exports_and_imports_no_backend() -> None:
    assert sorted(store_package.__all__) == [
        "CollectionSpec",
        "Distance",
        "FieldType",
        "Point",
        "PointFilter",
        "ScoredPoint",
        "VectorSpec",
        "VectorStore",
        "is_embedded",
        "open_store",
    ]
    assert all(hasattr(store_package, name) for name in store_package.__all__)
    probe = (
        "import sys, reelsearch.core.store as s; "
        "print(sorted(m for m in ('qdrant_edge', 'qdrant_client') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_filter_translation_is_shared_by_both_backends() -> None:
    """Both backends turn one PointFilter into equivalent filters (spot check of the shape)."""
    from reelsearch.core.store import edge, server
    from reelsearch.core.store.filters import to_filter

    flt = PointFilter(asset_ids=["a"], exclude_ids=[clip(0).id], metadata={"rating": 1.5})
    for binding in (edge._MODELS, server._MODELS):
        built = to_filter(flt, binding)
        assert built is not None
        assert len(built.must) == 2
        assert len(built.must_not) == 1
    assert to_filter(PointFilter(), server._MODELS) is None
    rating = to_filter(flt, server._MODELS)
    assert rating is not None
    assert np.isclose(rating.must[1].range.gte, 1.5)
