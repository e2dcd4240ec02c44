"""``VectorStore.search(hnsw_ef=...)``: every backend takes the HNSW candidate list size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from reelsearch.core.store import CollectionSpec, Point, VectorSpec, VectorStore, open_store

SPEC = CollectionSpec(name="vectors", vectors={"v": VectorSpec(size=16)})


@pytest.fixture(params=["edge", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    url = None if request.param == "edge" else "memory://"
    with open_store(url, home=tmp_path) as opened:
        opened.ensure_collection(SPEC)
        vectors = np.random.default_rng(3).normal(size=(300, 16))
        opened.upsert(
            SPEC.name,
            [
                Point(
                    id=f"00000000-0000-0000-0000-{i:012d}",
                    vectors={"v": v.tolist()},
                    payload={"asset_id": "a", "title": "t", "start": float(i), "end": i + 1.0},
                )
                for i, v in enumerate(vectors)
            ],
        )
        yield opened


def test_hnsw_ef_is_accepted_and_finds_what_exact_search_finds(store: VectorStore) -> None:
    query = np.random.default_rng(4).normal(size=16).tolist()
    exact = store.search(SPEC.name, query, using="v", limit=5, exact=True)
    for ef in (None, 8, 128):
        found = store.search(SPEC.name, query, using="v", limit=5, hnsw_ef=ef)
        assert [p.id for p in found] == [p.id for p in exact]
