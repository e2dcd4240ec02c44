"""Contract tests every vector store backend must pass.

Subclass :class:`StoreContract` in a test class and provide a fixture ``store`` that yields a
fresh, empty :class:`VectorStore` (and closes it afterwards). A persistent backend also
provides ``reopen``: a callable that opens a new store on the same data, called after the test
closed ``store``; without it the persistence test is skipped::

    class TestMyStore(StoreContract):
        @pytest.fixture
        def store(self, tmp_path):
            with MyStore(tmp_path) as store:
                yield store

        @pytest.fixture
        def reopen(self, tmp_path):
            return lambda: MyStore(tmp_path)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from reelsearch.core.errors import StoreError
from reelsearch.sdk import (
    CollectionSpec,
    Distance,
    FieldType,
    Point,
    PointFilter,
    TimeRange,
    VectorSpec,
    VectorStore,
    point_id,
)

DIM = 8
CLIPS = CollectionSpec(
    name="clips",
    vectors={"image": VectorSpec(size=DIM)},
    indexes={"text": FieldType.TEXT, "metadata.tags": FieldType.KEYWORD},
)
NOTES = CollectionSpec(name="notes", indexes={"text": FieldType.TEXT})
"""A payload-only collection."""

Reopen = Callable[[], VectorStore]


def pid(key: str | int) -> str:
    """The deterministic id of the contract's point ``key``."""
    return point_id("contract-asset", "store-contract", "1", key)


def clip(
    key: str | int,
    vector: Sequence[float] | None = None,
    *,
    asset: str = "a1",
    title: str = "Alpha",
    start: float = 0.0,
    end: float = 1.0,
    **extra: Any,
) -> Point:
    """A point with the standard payload; ``vector`` goes in the ``image`` field."""
    return Point(
        id=pid(key),
        vectors={} if vector is None else {"image": [float(x) for x in vector]},
        payload={"asset_id": asset, "title": title, "start": start, "end": end, **extra},
    )


def unit_vectors(count: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    rng = np.random.default_rng(seed)
    vectors = rng.standard_normal((count, dim))
    normed: np.ndarray = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return normed


def ids_of(points: Sequence[Point]) -> list[str]:
    return [p.id for p in points]


def matching(store: VectorStore, collection: str, flt: PointFilter) -> set[str]:
    """Ids of the points matching ``flt``, read with scroll, checked against count."""
    points, next_offset = store.scroll(collection, filter=flt, limit=1_000)
    assert next_offset is None
    assert store.count(collection, filter=flt) == len(points)
    return set(ids_of(points))


def _filled(store: VectorStore, points: Sequence[Point], spec: CollectionSpec = CLIPS) -> None:
    store.ensure_collection(spec)
    store.upsert(spec.name, points)


_MISSING = "no-such-collection"
_ON_MISSING: dict[str, Callable[[VectorStore], object]] = {
    "upsert": lambda s: s.upsert(_MISSING, [clip(0, [0.0] * DIM)]),
    "search": lambda s: s.search(_MISSING, [1.0] * DIM, using="image"),
    "retrieve": lambda s: s.retrieve(_MISSING, [pid(0)]),
    "scroll": lambda s: s.scroll(_MISSING),
    "count": lambda s: s.count(_MISSING),
    "delete": lambda s: s.delete(_MISSING, ids=[pid(0)]),
    "set_payload": lambda s: s.set_payload(_MISSING, {"title": "x"}, filter=PointFilter()),
}

_METADATA = [
    {"lang": "en", "season": 1, "hd": True, "rating": 4.5, "tags": ["car", "night"]},
    {"lang": "fr", "season": 2, "hd": False, "rating": 3.0, "tags": ["day"]},
    {"lang": "en", "season": 2, "hd": True, "rating": 3.0, "tags": ["car"]},
]
_TEXTS = [
    "The quick brown fox jumps",
    "brown quick fox",
    "A quick red fox",
    "Quick, BROWN foxes!",
]
_SEGMENTS = [(0.0, 10.0), (10.0, 20.0), (20.0, 30.0), (5.0, 25.0)]


class StoreContract:
    """Behaviour every :class:`VectorStore` must show; see the module docstring."""

    @pytest.fixture
    def reopen(self) -> Reopen:
        """Opens a new store on the data of ``store``; persistent backends override it."""
        pytest.skip("this backend does not persist its data")

    # -- collections ---------------------------------------------------------------------

    def test_ensure_collection_is_idempotent(self, store: VectorStore) -> None:
        store.ensure_collection(CLIPS)
        store.upsert(CLIPS.name, [clip(0, unit_vectors(1)[0])])
        store.ensure_collection(CLIPS)
        assert store.collections() == [CLIPS.name]
        assert store.count(CLIPS.name) == 1

    def test_collections_are_sorted_and_dropped(self, store: VectorStore) -> None:
        for name in ("b-two", "a-one", "c_three"):
            store.ensure_collection(CollectionSpec(name=name))
        assert store.collections() == ["a-one", "b-two", "c_three"]
        store.drop_collection("b-two")
        store.drop_collection("never-created")
        assert store.collections() == ["a-one", "c_three"]
        with pytest.raises(StoreError, match="'b-two'"):
            store.count("b-two")
        store.ensure_collection(CollectionSpec(name="b-two"))
        assert store.count("b-two") == 0

    @pytest.mark.parametrize(
        "vectors",
        [
            {"image": VectorSpec(size=DIM * 2)},
            {"image": VectorSpec(size=DIM, distance=Distance.DOT)},
            {"other": VectorSpec(size=DIM)},
            {},
        ],
        ids=["size", "distance", "name", "none"],
    )
    def test_incompatible_vectors_raise(
        self, store: VectorStore, vectors: dict[str, VectorSpec]
    ) -> None:
        _filled(store, [clip(0, unit_vectors(1)[0])])
        with pytest.raises(StoreError, match=CLIPS.name):
            store.ensure_collection(CollectionSpec(name=CLIPS.name, vectors=vectors))
        assert store.count(CLIPS.name) == 1

    def test_ensure_collection_adds_missing_indexes(self, store: VectorStore) -> None:
        plain = CollectionSpec(name="docs")
        _filled(store, [clip(i, text=t) for i, t in enumerate(_TEXTS)], plain)
        store.ensure_collection(CollectionSpec(name="docs", indexes={"text": FieldType.TEXT}))
        found = matching(store, "docs", PointFilter(phrases={"text": "brown quick"}))
        assert found == {pid(1)}

    @pytest.mark.parametrize("operation", sorted(_ON_MISSING))
    def test_unknown_collection_raises_naming_it(self, store: VectorStore, operation: str) -> None:
        store.ensure_collection(CLIPS)
        with pytest.raises(StoreError, match=f"'{_MISSING}'"):
            _ON_MISSING[operation](store)

    # -- points ----------------------------------------------------------------------------

    def test_upsert_and_retrieve_round_trip(self, store: VectorStore) -> None:
        vectors = unit_vectors(3)
        payload: dict[str, Any] = {
            "metadata": {"lang": "en", "tags": ["a", "b"], "rating": 4.5},
            "n": 7,
            "hd": True,
        }
        points = [clip(i, vectors[i], start=1.5 * i, end=1.5 * i + 1, **payload) for i in range(3)]
        _filled(store, points)

        wanted = [pid(2), pid("absent"), pid(0)]
        found = store.retrieve(CLIPS.name, wanted, with_vectors=True)
        assert ids_of(found) == [pid(2), pid(0)]
        for point, original in zip(found, [points[2], points[0]], strict=True):
            assert point.payload == original.payload
            np.testing.assert_allclose(point.vectors["image"], original.vectors["image"], atol=1e-5)
        assert all(not p.vectors for p in store.retrieve(CLIPS.name, [pid(1)]))

    def test_same_id_replaces_the_point(self, store: VectorStore) -> None:
        first, second = unit_vectors(2)
        _filled(store, [clip(0, first, title="Old", extra="gone")])
        store.upsert(CLIPS.name, [clip(0, second, title="New")])
        assert store.count(CLIPS.name) == 1
        (point,) = store.retrieve(CLIPS.name, [pid(0)], with_vectors=True)
        assert point.payload["title"] == "New"
        assert "extra" not in point.payload
        np.testing.assert_allclose(point.vectors["image"], second, atol=1e-5)

    def test_batch_upsert_of_many_points(self, store: VectorStore) -> None:
        vectors = unit_vectors(1_000, seed=1)
        points = [clip(i, v, start=float(i), end=i + 1.0) for i, v in enumerate(vectors)]
        _filled(store, [])
        store.upsert(CLIPS.name, points, batch_size=96)
        assert store.count(CLIPS.name) == 1_000
        (last,) = store.retrieve(CLIPS.name, [pid(999)])
        assert last.payload["start"] == 999.0
        with pytest.raises(StoreError):
            store.upsert(CLIPS.name, points[:1], batch_size=0)

    # -- search ----------------------------------------------------------------------------

    @pytest.mark.parametrize("distance", list(Distance))
    def test_knn_matches_numpy(self, store: VectorStore, distance: Distance) -> None:
        spec = CollectionSpec(name="knn", vectors={"v": VectorSpec(size=DIM, distance=distance)})
        vectors = np.random.default_rng(2).standard_normal((60, DIM))
        store.ensure_collection(spec)
        store.upsert(
            spec.name,
            [
                Point(id=pid(i), vectors={"v": v.tolist()}, payload={"i": i})
                for i, v in enumerate(vectors)
            ],
        )
        query = np.random.default_rng(3).standard_normal(DIM)
        if distance is Distance.COSINE:
            normed = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
            scores = normed @ (query / np.linalg.norm(query))
            order = np.argsort(-scores)
        elif distance is Distance.DOT:
            scores = vectors @ query
            order = np.argsort(-scores)
        else:
            scores = np.linalg.norm(vectors - query, axis=1)
            order = np.argsort(scores)

        for exact in (True, False):
            hits = store.search(spec.name, query.tolist(), using="v", limit=10, exact=exact)
            assert ids_of(hits) == [pid(int(i)) for i in order[:10]]
        np.testing.assert_allclose([h.score for h in hits], scores[order[:10]], rtol=1e-4)
        assert [h.payload["i"] for h in hits] == [int(i) for i in order[:10]]
        assert all(not h.vectors for h in hits)

    def test_limit_and_offset_page_through_the_ranking(self, store: VectorStore) -> None:
        vectors = unit_vectors(20, seed=4)
        _filled(store, [clip(i, v) for i, v in enumerate(vectors)])
        query = vectors[0].tolist()
        everything = store.search(CLIPS.name, query, using="image", limit=20, exact=True)
        page = store.search(CLIPS.name, query, using="image", limit=4, offset=3, exact=True)
        assert len(everything) == 20
        assert ids_of(page) == ids_of(everything[3:7])
        assert store.search(CLIPS.name, query, using="image", offset=20, exact=True) == []

    def test_score_threshold(self, store: VectorStore) -> None:
        vectors = unit_vectors(20, seed=5)
        _filled(store, [clip(i, v) for i, v in enumerate(vectors)])
        query = vectors[0].tolist()
        ranked = store.search(CLIPS.name, query, using="image", limit=20, exact=True)
        threshold = (ranked[4].score + ranked[5].score) / 2
        kept = store.search(
            CLIPS.name, query, using="image", limit=20, score_threshold=threshold, exact=True
        )
        assert ids_of(kept) == ids_of(ranked[:5])

    def test_search_with_filter_ranks_only_matching_points(self, store: VectorStore) -> None:
        vectors = unit_vectors(30, seed=6)
        _filled(store, [clip(i, v, asset=f"a{i % 3}") for i, v in enumerate(vectors)])
        query = vectors[0].tolist()
        hits = store.search(
            CLIPS.name,
            query,
            using="image",
            filter=PointFilter(asset_ids=["a1", "a2"], exclude_ids=[pid(1)]),
            limit=30,
            exact=True,
        )
        everything = store.search(CLIPS.name, query, using="image", limit=30, exact=True)
        expected = [p.id for p in everything if p.payload["asset_id"] != "a0" and p.id != pid(1)]
        assert ids_of(hits) == expected
        assert len(expected) == 19

    def test_search_unknown_vector_raises(self, store: VectorStore) -> None:
        _filled(store, [clip(0, unit_vectors(1)[0])])
        with pytest.raises(StoreError, match="other"):
            store.search(CLIPS.name, [1.0] * DIM, using="other")
        with pytest.raises(StoreError):
            store.search(CLIPS.name, [1.0] * (DIM + 1), using="image")

    # -- filters ---------------------------------------------------------------------------

    def test_filter_asset_ids_titles_and_exclude_ids(self, store: VectorStore) -> None:
        owners = [("a1", "Alpha"), ("a2", "Alpha"), ("a3", "Beta"), ("a4", "Gamma")]
        _filled(store, [clip(i, asset=a, title=t) for i, (a, t) in enumerate(owners)], NOTES)
        assert matching(store, NOTES.name, PointFilter(asset_ids=["a1", "a3"])) == {pid(0), pid(2)}
        assert matching(store, NOTES.name, PointFilter(titles=["Alpha"])) == {pid(0), pid(1)}
        assert matching(store, NOTES.name, PointFilter(titles=["Beta", "Gamma"])) == {
            pid(2),
            pid(3),
        }
        both = PointFilter(titles=["Alpha"], asset_ids=["a2", "a3"])
        assert matching(store, NOTES.name, both) == {pid(1)}
        excluded = PointFilter(exclude_ids=[pid(0), pid(3)])
        assert matching(store, NOTES.name, excluded) == {pid(1), pid(2)}
        assert matching(store, NOTES.name, PointFilter()) == {pid(i) for i in range(4)}

    @pytest.mark.parametrize(
        ("metadata", "expected"),
        [
            ({"lang": "en"}, {0, 2}),
            ({"season": 2}, {1, 2}),
            ({"hd": False}, {1}),
            ({"rating": 3.0}, {1, 2}),
            ({"tags": ["night", "day"]}, {0, 1}),
            ({"tags": "car"}, {0, 2}),
            ({"lang": ["fr", "de"]}, {1}),
            ({"lang": "en", "season": 2}, {2}),
            ({"lang": "de"}, set()),
        ],
    )
    def test_filter_metadata(
        self, store: VectorStore, metadata: dict[str, Any], expected: set[int]
    ) -> None:
        _filled(store, [clip(i, metadata=m) for i, m in enumerate(_METADATA)], NOTES)
        found = matching(store, NOTES.name, PointFilter(metadata=metadata))
        assert found == {pid(i) for i in expected}

    @pytest.mark.parametrize(
        ("fields", "expected"),
        [
            ({"speaker": "eleven"}, {0, 2}),
            ({"speaker": ["mike", "dustin"]}, {1}),
            ({"line": 2}, {2}),
            ({"speaker": "eleven", "line": 0}, {0}),
            ({"lang": "en"}, {0, 2}),
            ({"speaker": "hopper"}, set()),
        ],
    )
    def test_filter_payload_fields(
        self, store: VectorStore, fields: dict[str, Any], expected: set[int]
    ) -> None:
        speakers = ["eleven", "mike", "eleven"]
        points = [
            clip(i, speaker=s, line=i, metadata={"lang": "fr"}, lang="en" if i != 1 else "de")
            for i, s in enumerate(speakers)
        ]
        _filled(store, points, NOTES)
        found = matching(store, NOTES.name, PointFilter(fields=fields))
        assert found == {pid(i) for i in expected}

    @pytest.mark.parametrize(
        ("start", "end", "expected"),
        [
            (12.0, 18.0, {1, 3}),
            (25.0, None, {2, 3}),
            (None, 5.0, {0, 3}),
            (20.0, 20.0, {1, 2, 3}),
            (31.0, None, set()),
            (None, None, {0, 1, 2, 3}),
        ],
    )
    def test_filter_time_range_keeps_overlapping_points(
        self, store: VectorStore, start: float | None, end: float | None, expected: set[int]
    ) -> None:
        _filled(store, [clip(i, start=s, end=e) for i, (s, e) in enumerate(_SEGMENTS)], NOTES)
        flt = PointFilter(time_range=TimeRange(start=start, end=end))
        assert matching(store, NOTES.name, flt) == {pid(i) for i in expected}

    @pytest.mark.parametrize(
        ("words", "expected"),
        [("quick fox", {0, 1, 2}), ("QUICK brown", {0, 1, 3}), ("fox jumps", {0}), ("cat", set())],
    )
    def test_full_text_words_match_in_any_order(
        self, store: VectorStore, words: str, expected: set[int]
    ) -> None:
        _filled(store, [clip(i, text=t) for i, t in enumerate(_TEXTS)], NOTES)
        found = matching(store, NOTES.name, PointFilter(words={"text": words}))
        assert found == {pid(i) for i in expected}

    @pytest.mark.parametrize(
        ("phrase", "expected"),
        [("quick brown", {0, 3}), ("brown quick", {1}), ("quick fox", {1}), ("red quick", set())],
    )
    def test_full_text_phrase_matches_words_in_order(
        self, store: VectorStore, phrase: str, expected: set[int]
    ) -> None:
        _filled(store, [clip(i, text=t) for i, t in enumerate(_TEXTS)], NOTES)
        found = matching(store, NOTES.name, PointFilter(phrases={"text": phrase}))
        assert found == {pid(i) for i in expected}

    # -- changes ---------------------------------------------------------------------------

    def test_delete_by_ids_and_by_filter(self, store: VectorStore) -> None:
        _filled(store, [clip(i, asset=f"a{i % 2}") for i in range(6)], NOTES)
        store.delete(NOTES.name, ids=[pid(0), pid("absent")])
        assert matching(store, NOTES.name, PointFilter()) == {pid(i) for i in range(1, 6)}
        store.delete(NOTES.name, filter=PointFilter(asset_ids=["a1"]))
        assert matching(store, NOTES.name, PointFilter()) == {pid(2), pid(4)}
        store.delete(NOTES.name, ids=[])
        assert store.count(NOTES.name) == 2

    def test_delete_with_ids_and_filter_deletes_their_intersection(
        self, store: VectorStore
    ) -> None:
        _filled(store, [clip(i, asset=f"a{i % 2}") for i in range(4)], NOTES)
        store.delete(NOTES.name, ids=[pid(0), pid(1)], filter=PointFilter(asset_ids=["a1"]))
        assert matching(store, NOTES.name, PointFilter()) == {pid(0), pid(2), pid(3)}
        with pytest.raises(StoreError):
            store.delete(NOTES.name)
        store.delete(NOTES.name, filter=PointFilter())
        assert store.count(NOTES.name) == 0

    def test_delete_asset_removes_it_from_every_collection(self, store: VectorStore) -> None:
        vectors = unit_vectors(4)
        _filled(store, [clip(i, vectors[i], asset=f"a{i % 2}") for i in range(4)])
        _filled(store, [clip(i, asset=f"a{i % 2}") for i in range(4)], NOTES)
        store.delete_asset("a0")
        for name in (CLIPS.name, NOTES.name):
            assert matching(store, name, PointFilter()) == {pid(1), pid(3)}

    def test_set_payload_renames_a_title_for_filters(self, store: VectorStore) -> None:
        vectors = unit_vectors(4)
        titles = ["Alpha", "Alpha", "Beta", "Alpha"]
        _filled(store, [clip(i, vectors[i], title=t, start=float(i)) for i, t in enumerate(titles)])
        store.set_payload(
            CLIPS.name, {"title": "Alpha Prime"}, filter=PointFilter(titles=["Alpha"])
        )
        assert matching(store, CLIPS.name, PointFilter(titles=["Alpha"])) == set()
        renamed = PointFilter(titles=["Alpha Prime"])
        assert matching(store, CLIPS.name, renamed) == {pid(0), pid(1), pid(3)}
        (point,) = store.retrieve(CLIPS.name, [pid(3)], with_vectors=True)
        assert point.payload["start"] == 3.0
        assert point.payload["asset_id"] == "a1"
        np.testing.assert_allclose(point.vectors["image"], vectors[3], atol=1e-5)
        hits = store.search(CLIPS.name, vectors[3].tolist(), using="image", filter=renamed)
        assert hits[0].id == pid(3)
        assert hits[0].payload["title"] == "Alpha Prime"

    # -- reading ---------------------------------------------------------------------------

    def test_scroll_pages_cover_every_point_once(self, store: VectorStore) -> None:
        _filled(store, [clip(i, asset=f"a{i % 3}") for i in range(57)], NOTES)
        for flt, limit, total in ((None, 10, 57), (PointFilter(asset_ids=["a2"]), 4, 19)):
            seen: list[str] = []
            offset: str | None = None
            pages = 0
            while True:
                page, offset = store.scroll(NOTES.name, filter=flt, limit=limit, offset=offset)
                assert len(page) <= limit
                seen.extend(ids_of(page))
                pages += 1
                if offset is None:
                    break
            assert len(seen) == total
            assert seen == sorted(set(seen))
            assert pages in (-(-total // limit), -(-total // limit) + 1)

    def test_points_reads_every_matching_point_across_pages(self, store: VectorStore) -> None:
        _filled(store, [clip(i, asset=f"a{i % 3}") for i in range(57)], NOTES)
        every = ids_of(list(store.points(NOTES.name, page_size=10)))
        assert len(every) == 57
        assert every == sorted(set(every))
        only = list(store.points(NOTES.name, filter=PointFilter(asset_ids=["a2"]), page_size=4))
        assert len(only) == 19
        assert {p.payload["asset_id"] for p in only} == {"a2"}

    def test_payload_only_collection(self, store: VectorStore) -> None:
        _filled(store, [clip(i, text=t) for i, t in enumerate(_TEXTS)], NOTES)
        assert store.count(NOTES.name) == len(_TEXTS)
        (point,) = store.retrieve(NOTES.name, [pid(2)], with_vectors=True)
        assert point.vectors == {}
        assert point.payload["text"] == _TEXTS[2]
        with pytest.raises(StoreError):
            store.search(NOTES.name, [1.0] * DIM, using="image")

    # -- lifecycle -------------------------------------------------------------------------

    def test_data_persists_across_close_and_reopen(
        self, store: VectorStore, reopen: Reopen
    ) -> None:
        vectors = unit_vectors(20, seed=7)
        _filled(store, [clip(i, vectors[i], text=_TEXTS[i % 4]) for i in range(20)])
        _filled(store, [clip(i, title="Notes") for i in range(3)], NOTES)
        store.set_payload(CLIPS.name, {"title": "Renamed"}, filter=PointFilter(asset_ids=["a1"]))
        store.delete(CLIPS.name, ids=[pid(19)])
        query = vectors[5].tolist()
        before = store.search(CLIPS.name, query, using="image", limit=5, exact=True)
        store.close()

        with reopen() as again:
            assert again.collections() == sorted([CLIPS.name, NOTES.name])
            assert again.count(CLIPS.name) == 19
            assert again.count(NOTES.name) == 3
            after = again.search(CLIPS.name, query, using="image", limit=5, exact=True)
            assert ids_of(after) == ids_of(before)
            assert after[0].payload["title"] == "Renamed"
            phrase = PointFilter(phrases={"text": "brown quick"})
            assert matching(again, CLIPS.name, phrase) == {pid(i) for i in range(1, 19, 4)}
            again.ensure_collection(CLIPS)
            with pytest.raises(StoreError):
                again.ensure_collection(
                    CollectionSpec(name=CLIPS.name, vectors={"image": VectorSpec(size=3)})
                )
