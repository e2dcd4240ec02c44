"""Hits over HTTP: why each matched (raw scores, intersected partners), warnings about names
nothing carries, and ``POST /api/export`` (a search's page or given hits as an edit file)."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest
from api_calls import search
from fastapi.testclient import TestClient

from reelsearch.server import create_app

pytest_plugins = ["served_catalog"]


def test_hits_carry_their_raw_score_and_their_intersection_partners(client: TestClient) -> None:
    intersect = [{"query": {"text": "red", "filter": {"titles": ["Green Valley"]}}}]
    answer = search(client, text="red", intersect=intersect, limit=3)
    assert answer["warnings"] == []
    for hit in answer["hits"]:
        (partner,) = hit["partners"]
        assert partner["asset_id"] == hit["asset_id"]
        assert partner["start"] <= hit["end"]
        assert partner["end"] >= hit["start"]
        assert partner["searcher"] == "colorstats"
        assert hit["raw_score"] != hit["score"]  # the score is the intersection's (rrf)
    plain = search(client, text="red", limit=3)["hits"]
    assert all(h["raw_score"] == h["score"] and h["partners"] == [] for h in plain)


def test_unknown_names_and_a_page_past_the_end_are_warned_about(client: TestClient) -> None:
    answer = search(client, text="red", filter={"titles": ["Red Plant"]})
    assert answer["hits"] == []
    assert answer["warnings"] == ["no title 'Red Plant' in the catalog; closest: 'Red Planet'"]
    keyed = search(client, text="red", filter={"metadata": {"seasn": 1}})
    assert [w.split(";")[0] for w in keyed["warnings"]] == ["no asset has the metadata key 'seasn'"]
    far = search(client, text="red", limit=10, page=50)
    assert far["hits"] == []
    assert far["warnings"] == [f"this page starts at hit 491, past the last of {far['total']} hits"]


def test_a_search_is_exported_as_a_file_to_save(client: TestClient) -> None:
    body = {"search": {"text": "red", "limit": 4}, "format": "csv", "handles": 0.5}
    response = client.post("/api/export", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="red.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    hits = search(client, text="red", limit=4)["hits"]
    assert [row["hit_id"] for row in rows] == [hit["id"] for hit in hits]
    assert float(rows[0]["start"]) == pytest.approx(max(0.0, hits[0]["start"] - 0.5), abs=0.05)


@pytest.mark.parametrize(
    ("fmt", "media_type", "marker"),
    [
        ("edl", "text/plain; charset=utf-8", "TITLE: my cut"),
        ("otio", "application/json", '"OTIO_SCHEMA"'),
        ("fcpxml", "application/xml", "<fcpxml"),
        ("xml", "application/xml", "<xmeml"),
        ("json", "application/json", '"hit_id"'),
    ],
)
def test_given_hits_are_exported_in_every_format(
    client: TestClient, fmt: str, media_type: str, marker: str
) -> None:
    hits = search(client, text="blue", limit=3)["hits"]
    body = {"hits": hits, "format": fmt, "name": "my cut"}
    response = client.post("/api/export", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == f'attachment; filename="my-cut.{fmt}"'
    assert marker in response.text
    if fmt == "json":
        assert [row["hit_id"] for row in json.loads(response.text)] == [h["id"] for h in hits]


def test_a_catalog_file_is_removed_by_a_job(tmp_path: Path) -> None:
    from served_catalog import served_catalog  # the plugin module pytest_plugins loaded

    with served_catalog(tmp_path) as runtime, TestClient(create_app(runtime)) as own:
        (asset,) = runtime.catalog.assets(["Night Sky"])
        assert own.delete(f"/api/assets/{'f' * 32}").status_code == 404
        answer = own.delete(f"/api/assets/{asset.id}")
        assert answer.status_code == 202, answer.text
        job = answer.json()
        assert (job["kind"], job["payload"]["asset_ids"]) == ("remove", [asset.id])
        deadline = time.monotonic() + 30
        while job["state"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.1)
            job = own.get(f"/api/jobs/{job['id']}").json()
        assert job["state"] == "done", job
        assert runtime.catalog.get(asset.id) is None
        assert search(own, text="blue", filter={"titles": ["Night Sky"]})["hits"] == []
        assert own.delete(f"/api/assets/{asset.id}").status_code == 404
