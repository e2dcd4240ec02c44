"""Hostile requests to GET /api/speakers: unknown, overlong, blank and markup titles, bad
limits, no key; a catalog without dialogue lists nobody."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from reelsearch.core.runtime import Runtime
from reelsearch.server import create_app

pytest_plugins = ["served_catalog"]


def test_a_catalog_without_dialogue_lists_no_speakers(client: TestClient) -> None:
    answer = client.get("/api/speakers")
    assert answer.status_code == 200
    assert answer.json() == {"title": None, "total": 0, "speakers": []}
    assert client.get("/api/speakers", params={"title": "Night Sky"}).json()["total"] == 0


def test_an_unknown_title_is_a_404_naming_close_ones(client: TestClient) -> None:
    answer = client.get("/api/speakers", params={"title": "Nite Sky"})
    assert answer.status_code == 404
    assert "Night Sky" in answer.json()["detail"]
    markup = client.get("/api/speakers", params={"title": "[bold]<b>x</b>"})
    assert markup.status_code == 404
    assert "[bold]<b>x</b>" in markup.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [{"title": ""}, {"title": "x" * 501}, {"limit": 0}, {"limit": 1001}, {"limit": "many"}],
)
def test_bad_parameters_are_a_422(client: TestClient, params: dict[str, object]) -> None:
    assert client.get("/api/speakers", params=params).status_code == 422


def test_the_key_is_needed(served_runtime: Runtime) -> None:
    settings = served_runtime.settings.model_copy(update={"api_key": "s3cret"})
    with TestClient(create_app(served_runtime, settings=settings)) as keyed:
        assert keyed.get("/api/speakers").status_code == 401
        assert keyed.get("/api/speakers", headers={"X-API-Key": "s3cret"}).status_code == 200
