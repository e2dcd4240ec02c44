"""The HTTP server: every route on a real catalog, limits, API key, CORS, range requests, path
traversal, readable errors, and 50 concurrent clients against a live uvicorn."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from api_calls import app_with, png, search
from fastapi.testclient import TestClient
from PIL import Image
from typer.testing import CliRunner

from reelsearch.core.errors import (
    ConfigError,
    MediaError,
    ModelUnavailableError,
    RequestError,
    StoreError,
    UnknownComponentError,
)
from reelsearch.core.runtime import Runtime
from reelsearch.core.store.base import CollectionSpec, VectorSpec
from reelsearch.server import LiveServer, create_app
from reelsearch.server.problems import status_of

pytest_plugins = ["served_catalog"]


def noise_png(size: int) -> bytes:
    """A PNG that compresses badly: roughly ``size * size * 3`` bytes."""
    buffer = io.BytesIO()
    Image.effect_noise((size, size), 100).convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- listing


def test_health_needs_no_key(served_runtime: Runtime) -> None:
    with TestClient(app_with(served_runtime, api_key="s3cret")) as keyed:
        keyed.app.state.served.jobs.ready.wait(60)  # type: ignore[attr-defined]
        health = keyed.get("/api/health")
    assert health.status_code == 200
    assert health.json() == {
        "status": "ok",
        "version": health.json()["version"],
        "store": "edge",
        "searches": 2,
    }


def test_searches_lists_each_searcher_with_the_request_schema(client: TestClient) -> None:
    listing = client.get("/api/searches").json()
    by_name = {s["name"]: s for s in listing["searches"]}
    assert set(by_name) == {"colorstats", "still-colour"}
    assert by_name["colorstats"]["algo"] == "colorstats"
    assert by_name["colorstats"]["query_kinds"] == ["like", "text"]
    assert by_name["still-colour"]["query_kinds"] == ["image"]
    assert by_name["colorstats"]["plugin"] == "colorstats"
    assert "vector" in by_name["colorstats"]["capabilities"]
    assert {"text", "image", "like", "filter", "limit"} <= set(
        listing["request_schema"]["properties"]
    )
    assert listing["limits"]["max_page_size"] == 100


def test_titles(client: TestClient) -> None:
    titles = client.get("/api/titles").json()["titles"]
    assert [t["title"] for t in titles] == ["Green Valley", "Night Sky", "Red Planet"]
    assert [t["assets"] for t in titles] == [1, 1, 1]
    assert [t["duration"] for t in titles] == pytest.approx([160 / 24] * 3, abs=0.1)


def test_openapi_document_and_docs_page(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    assert {"/api/search", "/api/search/image", "/api/searches", "/api/titles"} <= set(
        document["paths"]
    )
    assert "SearchRequest" in document["components"]["schemas"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.text  # works offline: Swagger UI comes from this server
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/api/docs-static/{asset}" in docs.text
        assert client.get(f"/api/docs-static/{asset}").status_code == 200


def test_the_ui_is_served_with_a_strict_content_policy(client: TestClient) -> None:
    index = client.get("/")
    assert index.status_code == 200
    assert '<form id="search-form"' in index.text
    assert "default-src 'self'" in index.headers["content-security-policy"]
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")


# ---------------------------------------------------------------- searching


def test_text_search_gives_hits_with_timecodes_and_media(client: TestClient) -> None:
    hits = search(client, text="red", limit=5)["hits"]
    assert len(hits) == 5
    best = hits[0]
    assert best["title"] in ("Red Planet", "Green Valley")
    assert best["start_timecode"].count(":") == 3
    assert best["thumbnail_url"].startswith("/api/media/")
    assert urlsplit(best["clip_url"]).path.endswith(".mp4")
    assert urlsplit(best["source_url"]).path == f"/api/assets/{best['asset_id']}/source"
    assert client.get(best["thumbnail_url"]).headers["content-type"] == "image/jpeg"


def test_title_filter(client: TestClient) -> None:
    hits = search(client, text="red", filter={"titles": ["Night Sky"]})["hits"]
    assert hits
    assert {h["title"] for h in hits} == {"Night Sky"}


def test_new_request_fields_pass_through_to_the_gateway(client: TestClient) -> None:
    first = search(client, text="blue", limit=4)
    assert first["next_cursor"]
    second = search(client, text="blue", limit=4, cursor=first["next_cursor"])
    assert {h["id"] for h in first["hits"]}.isdisjoint(h["id"] for h in second["hits"])
    by_time = search(client, text="blue", limit=4, sort="time")["hits"]
    assert [(h["title"], h["start"]) for h in by_time] == sorted(
        (h["title"], h["start"]) for h in by_time
    )


def test_nested_queries_of_an_intersection_run(client: TestClient) -> None:
    intersect = [{"query": {"text": "red", "filter": {"titles": ["Green Valley"]}}}]
    hits = search(client, text="red", intersect=intersect)["hits"]
    assert hits
    assert {h["title"] for h in hits} == {"Green Valley"}


def test_more_like_this(client: TestClient) -> None:
    best = search(client, text="green", limit=1)["hits"][0]
    like = search(client, like=best["id"], algos=[best["algo"]], limit=3)["hits"]
    assert like
    assert best["id"] not in {h["id"] for h in like}


def test_search_by_uploaded_image_and_its_next_page(client: TestClient) -> None:
    response = client.post(
        "/api/search/image",
        files={"file": ("still.png", png((40, 70, 220)), "image/png")},
        data={"params": '{"limit": 2}'},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [h["title"] for h in answer["hits"]] == ["Night Sky", "Night Sky"]
    assert answer["upload"].endswith(".png")
    following = search(client, image=answer["upload"], cursor=answer["next_cursor"], limit=2)
    assert {h["id"] for h in following["hits"]}.isdisjoint(h["id"] for h in answer["hits"])


# ---------------------------------------------------------------- errors and limits


@pytest.mark.parametrize(
    ("request_json", "status", "detail"),
    [
        ({}, 422, "a search needs exactly one of text, image, like or clip"),
        (
            {"text": "red", "like": "6f1b8a52-5b0f-4f0e-9d8e-3c9a5d8e2b71"},
            422,
            "exactly one of text, image, like or clip (got text",
        ),
        ({"text": "red", "limit": 0}, 422, "limit: Input should be greater than or equal to 1"),
        (
            {"text": "x" * 501},
            422,
            "text: the query has 501 characters; this server accepts at most 500",
        ),
        ({"text": "x" * 2001}, 422, "text: String should have at most 2000 characters"),
        (
            {"text": "red", "limit": 101},
            422,
            "limit: 101 hits per page is over this server's cap of 100",
        ),
        ({"text": "red", "offset": 20_000}, 422, "offset: 20000 is deeper than this server pages"),
        ({"text": "red", "page": 2_000}, 422, "page: 2000 is deeper than this server pages"),
        ({"text": "red", "colour": "x"}, 422, "colour: Extra inputs are not permitted"),
        ({"text": "red", "algos": ["nope"]}, 404, "unknown searcher 'nope'"),
        ({"text": "spaceship"}, 400, "colorstats understands colour names, not 'spaceship'"),
        ({"image": "/etc/passwd"}, 400, "image must name an upload from POST /api/search/image"),
        ({"image": "0" * 64 + ".png"}, 404, "is gone; upload the image again"),
        ({"clip": "/tmp/x.mp4"}, 400, "search by clip is not available over HTTP"),
        (
            {"text": "red", "intersect": [{"query": {"image": "/etc/passwd"}}]},
            400,
            "image must name an upload",
        ),
        (
            {"text": "red", "intersect": [{"query": {"text": "x" * 600}}]},
            422,
            "text: the query has 600 characters",
        ),
    ],
)
def test_bad_requests_get_a_readable_error(
    client: TestClient, request_json: dict[str, Any], status: int, detail: str
) -> None:
    response = client.post("/api/search", json=request_json)
    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_malformed_json_is_a_422(client: TestClient) -> None:
    response = client.post(
        "/api/search", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "JSON decode error" in response.json()["detail"]


def test_upload_limits(served_runtime: Runtime) -> None:
    with TestClient(app_with(served_runtime, max_upload_bytes=4096)) as small:
        too_big = small.post(
            "/api/search/image", files={"file": ("big.png", noise_png(64), "image/png")}
        )
        assert too_big.status_code == 413
        assert "at most 4096 bytes" in too_big.json()["detail"]
        declared = small.post(
            "/api/search/image",
            content=b"x" * 10,
            headers={"Content-Length": str(10**9), "Content-Type": "multipart/form-data"},
        )
        assert declared.status_code == 413
        not_image = small.post(
            "/api/search/image", files={"file": ("notes.txt", b"hello", "text/plain")}
        )
        assert not_image.status_code == 415
        assert "not an image" in not_image.json()["detail"]
        bad_params = small.post(
            "/api/search/image",
            files={"file": ("s.png", png((1, 2, 3)), "image/png")},
            data={"params": '{"text": "red"}'},
        )
        assert bad_params.status_code == 422
        assert "exactly one of text, image" in bad_params.json()["detail"]
        no_file = small.post("/api/search/image", data={"params": "{}"})
        assert no_file.status_code == 422
        assert "file: Field required" in no_file.json()["detail"]


def test_status_of_each_error() -> None:
    assert status_of(UnknownComponentError("searcher", "x", [])) == 404
    assert status_of(RequestError("x")) == 400
    assert status_of(MediaError("x")) == 400
    assert status_of(ModelUnavailableError("x")) == 503
    assert status_of(StoreError("x")) == 503
    assert status_of(ConfigError("x")) == 500


# ---------------------------------------------------------------- access


def test_api_key(served_runtime: Runtime) -> None:
    with TestClient(app_with(served_runtime, api_key="s3cret")) as keyed:
        refused = keyed.post("/api/search", json={"text": "red"})
        assert refused.status_code == 401
        assert "X-API-Key" in refused.json()["detail"]
        assert keyed.get("/api/titles", headers={"X-API-Key": "wrong"}).status_code == 401
        answer = keyed.post("/api/search", json={"text": "red"}, headers={"X-API-Key": "s3cret"})
        assert answer.status_code == 200
        thumbnail = answer.json()["hits"][0]["thumbnail_url"]
        assert keyed.get(thumbnail).status_code == 200  # a signed link needs no key
        unsigned = urlsplit(thumbnail).path
        assert keyed.get(unsigned).status_code == 401
        assert keyed.get(unsigned, headers={"X-API-Key": "s3cret"}).status_code == 200
        in_url = keyed.get("/api/titles", params={"api_key": "s3cret"})
        assert in_url.status_code == 401
        assert "never in the URL" in in_url.json()["detail"]
        assert keyed.get("/").status_code == 200


def test_cors(served_runtime: Runtime, client: TestClient) -> None:
    origin = "http://editor.example"
    with TestClient(app_with(served_runtime, cors_origins=[origin])) as open_to:
        allowed = open_to.get("/api/titles", headers={"Origin": origin})
        assert allowed.headers["access-control-allow-origin"] == origin
        preflight = open_to.options(
            "/api/search",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "X-API-Key, Content-Type",
            },
        )
        assert preflight.status_code == 200
        assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
        other = open_to.get("/api/titles", headers={"Origin": "http://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers
    assert (
        "access-control-allow-origin"
        not in client.get("/api/titles", headers={"Origin": origin}).headers
    )


# ---------------------------------------------------------------- files


def test_range_requests_on_clips(client: TestClient, served_runtime: Runtime) -> None:
    hit = search(client, text="red", limit=1)["hits"][0]
    relative = urlsplit(hit["clip_url"]).path.removeprefix("/api/media/")
    on_disk = served_runtime.settings.media_dir / relative
    data = on_disk.read_bytes()
    whole = client.get(hit["clip_url"])
    assert whole.status_code == 200
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.content == data
    part = client.get(hit["clip_url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    assert part.content == data[100:200]
    tail = client.get(hit["clip_url"], headers={"Range": "bytes=-50"})
    assert tail.status_code == 206
    assert tail.content == data[-50:]
    beyond = client.get(hit["clip_url"], headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416


def test_source_video(client: TestClient) -> None:
    hit = search(client, text="red", limit=1)["hits"][0]
    source = client.get(hit["source_url"], headers={"Range": "bytes=0-99"})
    assert source.status_code == 206
    assert source.headers["content-type"] == "video/mp4"
    assert len(source.content) == 100
    assert client.get("/api/assets/nope/source").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "..%2Fstore%2Fassets%2Fcollection.json",
        "..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "%2Fetc%2Fpasswd",
        "x%2F..%2F..%2Freelsearch.toml",
        "..%5C..%5Cstore",
        "a%00b",
    ],
)
def test_media_paths_outside_the_media_folder_are_refused(client: TestClient, path: str) -> None:
    response = client.get(f"/api/media/{path}")
    assert response.status_code == 403
    assert "outside the served media folder" in response.json()["detail"]


def test_symlinks_out_of_the_media_folder_are_refused(
    client: TestClient, served_runtime: Runtime, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for you")
    link = served_runtime.settings.media_dir / "escape.txt"
    link.symlink_to(secret)
    try:
        response = client.get("/api/media/escape.txt")
    finally:
        link.unlink()
    assert response.status_code == 403


def test_missing_media_is_a_404(client: TestClient) -> None:
    response = client.get("/api/media/nothing/here.jpg")
    assert response.status_code == 404
    assert response.json()["detail"] == "no media file 'nothing/here.jpg'"


# ---------------------------------------------------------------- a live server


def test_fifty_concurrent_clients_get_no_errors(served_runtime: Runtime) -> None:
    clients, seconds = 50, 3.0
    done: list[int] = []
    failures: list[str] = []
    start = threading.Barrier(clients)
    with LiveServer(create_app(served_runtime)) as server:

        def run(n: int) -> None:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                start.wait()
                deadline = time.monotonic() + seconds
                colours = ("red", "blue", "green", "yellow", "purple")
                while time.monotonic() < deadline:
                    response = http.post("/api/search", json={"text": colours[n % 5]})
                    if response.status_code != 200 or not response.json()["hits"]:
                        failures.append(f"{response.status_code}: {response.text[:200]}")
                    done.append(1)
                    n += 1

        threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert failures == []
    assert len(done) >= clients


def test_serve_command_explains_a_locked_data_home(
    reelsearch_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reelsearch.cli import app

    monkeypatch.setattr("uvicorn.run", lambda *a, **k: None)
    with Runtime.open() as holder:
        holder.store.ensure_collection(
            CollectionSpec(name="held", vectors={"v": VectorSpec(size=4)})
        )
        result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "is in use by" in " ".join(result.output.split())
    assert "Traceback" not in result.output
