"""Hostile requests to ``POST /api/export`` and hostile names in search warnings: bad formats,
huge and non-finite handles, forged and unknown hits, both or neither of search and hits,
names that would break a header, markup in metadata keys, unknown everything."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

pytest_plugins = ["served_catalog"]


@pytest.fixture(scope="module")
def hits(client: TestClient) -> list[dict[str, Any]]:
    answer = client.post("/api/search", json={"text": "red", "limit": 2})
    found: list[dict[str, Any]] = answer.json()["hits"]
    return found


def problem_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    return detail


def export(client: TestClient, **body: Any) -> httpx.Response:
    return client.post("/api/export", json=body)


@pytest.mark.parametrize("fmt", ["pdf", "EDL ", "", "../edl", None, 3, ["edl"]])
def test_an_unknown_format_is_a_422_naming_the_field(
    client: TestClient, hits: list[dict[str, Any]], fmt: object
) -> None:
    assert "format" in problem_of(export(client, hits=hits, format=fmt), 422)


@pytest.mark.parametrize("handles", [-1, 601, 1e308, "5", True])
def test_handles_out_of_range_are_a_422(
    client: TestClient, hits: list[dict[str, Any]], handles: object
) -> None:
    assert "handles" in problem_of(export(client, hits=hits, format="edl", handles=handles), 422)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_handles_are_refused(client: TestClient, value: str) -> None:
    body = '{"search": {"text": "red"}, "format": "edl", "handles": ' + value + "}"
    response = client.post(
        "/api/export", content=body, headers={"content-type": "application/json"}
    )
    assert "finite" in problem_of(response, 422)


def test_exactly_one_of_search_and_hits(client: TestClient, hits: list[dict[str, Any]]) -> None:
    both = export(client, search={"text": "red"}, hits=hits, format="csv")
    assert "exactly one of search or hits" in problem_of(both, 422)
    assert "exactly one of search or hits" in problem_of(export(client, format="csv"), 422)
    assert "hits" in problem_of(export(client, hits=[], format="csv"), 422)
    small = {key: hits[0][key] for key in ("id", "asset_id", "title", "algo", "score")}
    many = [{**small, "start": 0, "end": 1}] * 1001
    assert "hits" in problem_of(export(client, hits=many, format="csv"), 422)


def test_hits_of_unknown_files_and_searches_with_no_hits_are_a_400(
    client: TestClient, hits: list[dict[str, Any]]
) -> None:
    forged = [{**hits[0], "asset_id": "f" * 32}]
    assert "cannot export" in problem_of(export(client, hits=forged, format="edl"), 400)
    nothing = {"text": "red", "filter": {"titles": ["No Such Title"]}}
    assert "no hits" in problem_of(export(client, search=nothing, format="csv"), 400)


def test_an_export_search_keeps_the_search_limits(client: TestClient) -> None:
    assert "limit" in problem_of(
        export(client, search={"text": "red", "limit": 5000}, format="csv"), 422
    )
    clip = {"clip": "/etc/passwd"}
    assert problem_of(export(client, search=clip, format="csv"), 400)


@pytest.mark.parametrize(
    "name",
    ['evil"\r\nSet-Cookie: a=b', "../../etc/passwd", "[bold]cut[/bold]", "名前", "\u202etxt.exe"],
)
def test_a_hostile_name_gives_a_safe_file_name(
    client: TestClient, hits: list[dict[str, Any]], name: str
) -> None:
    response = export(client, hits=hits, format="edl", name=name)
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    filename = disposition.removeprefix('attachment; filename="').removesuffix('"')
    assert filename.endswith(".edl")
    assert set(filename) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    assert not filename.startswith(".")
    assert "set-cookie" not in response.headers


def test_a_lone_surrogate_name_is_refused(client: TestClient, hits: list[dict[str, Any]]) -> None:
    body = '{"hits": [], "format": "edl", "name": "\\ud800"}'
    response = client.post(
        "/api/export", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("key", ["season_2", "ключ", "hdr-10"])
def test_unknown_metadata_keys_come_back_as_text(client: TestClient, key: str) -> None:
    answer = client.post("/api/search", json={"text": "red", "filter": {"metadata": {key: 1}}})
    assert answer.status_code == 200, answer.text
    assert answer.json()["warnings"] == [f"no asset has the metadata key {key!r}"]


@pytest.mark.parametrize("key", ["[red]season[/red]", "<script>", "a\nb", "a.b", "", "a b"])
def test_metadata_keys_that_are_no_names_are_a_422(client: TestClient, key: str) -> None:
    answer = client.post("/api/search", json={"text": "red", "filter": {"metadata": {key: 1}}})
    assert "metadata key" in problem_of(answer, 422)


def test_unknown_everything_is_named(client: TestClient) -> None:
    request = {
        "text": "red",
        "filter": {"titles": ["Nigth Sky", "Zzz"], "asset_ids": ["0" * 32], "metadata": {"x": 1}},
    }
    warnings = client.post("/api/search", json=request).json()["warnings"]
    assert warnings == [
        "no title 'Nigth Sky' in the catalog; closest: 'Night Sky'",
        "no title 'Zzz' in the catalog; known: 'Green Valley', 'Night Sky', 'Red Planet'",
        f"no asset {'0' * 32!r} in the catalog",
        "no asset has the metadata key 'x'",
    ]
    unknown_algo = client.post("/api/search", json={"text": "red", "algos": ["colorstat"]})
    assert "unknown searcher 'colorstat'" in problem_of(unknown_algo, 404)
