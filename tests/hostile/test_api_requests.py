"""Hostile HTTP requests: forged cursors, costly intersections, keys in URLs, media links,
decompression bombs, uploads that must not stay on disk, and input that once gave a 500."""

from __future__ import annotations

import base64
import io
import json
import logging
import stat
import struct
import time
import zlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from api_calls import app_with, png
from fastapi.testclient import TestClient
from PIL import Image

from reelsearch.core.runtime import Runtime
from reelsearch.core.secret import SECRET_FILE, home_key, sign
from reelsearch.server import LiveServer, create_app

pytest_plugins = ["served_catalog"]

UUID = "6f1b8a52-5b0f-4f0e-9d8e-3c9a5d8e2b71"


def bomb_png(width: int, height: int) -> bytes:
    """A small PNG whose header declares ``width`` x ``height`` pixels."""
    data = bytearray(png((9, 9, 9), 8))
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


def problem_of(response: httpx.Response, status: int) -> str:
    """The ``detail`` of a problem-details answer with ``status``, checked to be one."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    detail: str = body["detail"]
    return detail


def raw_post(client: TestClient, body: str) -> httpx.Response:
    return client.post(
        "/api/search", content=body.encode(), headers={"Content-Type": "application/json"}
    )


def nested(depth: int) -> dict[str, Any]:
    query: dict[str, Any] = {"text": "red"}
    for _ in range(depth):
        query = {"text": "red", "intersect": [{"query": query}]}
    return query


# ---------------------------------------------------------------- cursors


@pytest.mark.parametrize("offset", [10**8, 2**64])
def test_a_forged_cursor_is_refused(client: TestClient, offset: int) -> None:
    fingerprint = client.post("/api/search", json={"text": "red", "limit": 2}).json()
    token = json.dumps({"v": 2, "o": offset, "q": "0" * 16})
    forged = base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")
    for cursor in (forged, f"{forged}.{'0' * 32}", "garbage", "a.b.c"):
        response = client.post("/api/search", json={"text": "red", "cursor": cursor})
        assert "not one this server made" in problem_of(response, 400)
    assert fingerprint["next_cursor"]


def test_an_altered_cursor_is_refused_and_a_real_one_works(client: TestClient) -> None:
    cursor = client.post("/api/search", json={"text": "red", "limit": 2}).json()["next_cursor"]
    body, signature = cursor.split(".")
    token = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    altered = base64.urlsafe_b64encode(json.dumps({**token, "o": 10**8}).encode()).decode()
    response = client.post(
        "/api/search", json={"text": "red", "cursor": f"{altered.rstrip('=')}.{signature}"}
    )
    assert "not one this server made" in problem_of(response, 400)
    assert client.post("/api/search", json={"text": "red", "cursor": cursor}).status_code == 200


def test_an_oversized_cursor_is_a_422(client: TestClient) -> None:
    response = client.post("/api/search", json={"text": "red", "cursor": "x" * 600})
    assert "cursor" in problem_of(response, 422)


def test_the_signing_secret_is_private(served_runtime: Runtime) -> None:
    secret = served_runtime.settings.home / SECRET_FILE
    assert secret.is_file()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


# ---------------------------------------------------------------- cost


def test_a_thousand_intersections_are_refused_at_once(client: TestClient) -> None:
    many = [{"query": {"text": "red"}, "within": 1.0}] * 1000
    started = time.monotonic()
    response = client.post("/api/search", json={"text": "red", "intersect": many})
    assert "intersect" in problem_of(response, 422)
    assert time.monotonic() - started < 5


def test_more_intersections_than_the_server_allows(client: TestClient) -> None:
    nine = [{"query": {"text": "red"}}] * 9
    response = client.post("/api/search", json={"text": "red", "intersect": nine})
    assert "intersects at most 8" in problem_of(response, 400)


@pytest.mark.parametrize("depth", [150, 5000])
def test_deep_nesting_is_a_clean_error(client: TestClient, depth: int) -> None:
    opening = '{"text": "red", "intersect": [{"query": '
    response = raw_post(client, opening * depth + '{"text": "red"}' + "}]}" * depth)
    assert response.status_code in (400, 422), response.text
    assert "deep" in response.json()["detail"] or "parsing the body" in response.json()["detail"]


def test_nesting_deeper_than_the_server_allows(client: TestClient) -> None:
    assert client.post("/api/search", json=nested(2)).status_code == 200
    assert "at most 2" in problem_of(client.post("/api/search", json=nested(3)), 400)


def test_the_candidate_budget(served_runtime: Runtime) -> None:
    with TestClient(app_with(served_runtime, max_search_candidates=150)) as small:
        assert small.post("/api/search", json={"text": "red"}).status_code == 200
        response = small.post("/api/search", json={"text": "red", "offset": 200})
        assert "budget of 150" in problem_of(response, 400)


def test_the_response_size_bound(served_runtime: Runtime) -> None:
    with TestClient(app_with(served_runtime, max_response_bytes=2048)) as small:
        assert small.post("/api/search", json={"text": "red", "limit": 1}).status_code == 200
        response = small.post("/api/search", json={"text": "red", "limit": 20})
        assert "fewer hits" in problem_of(response, 400)


def test_a_json_body_is_bounded(served_runtime: Runtime) -> None:
    with TestClient(app_with(served_runtime, max_request_bytes=2048)) as small:
        response = small.post("/api/search", json={"text": "red", "algos": ["x" * 4000]})
        assert "at most 2048 bytes" in problem_of(response, 413)


# ---------------------------------------------------------------- the API key


def test_the_key_in_a_url_is_refused_and_never_logged(served_runtime: Runtime) -> None:
    key = "k3y-n0t-f0r-l0gs"
    seen: list[str] = []

    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    handler = Lines()
    access = logging.getLogger("uvicorn.access")
    with LiveServer(app_with(served_runtime, api_key=key), log_level="info") as server:
        access.addHandler(handler)
        try:
            with httpx.Client(base_url=server.url) as http:
                refused = http.get("/api/titles", params={"api_key": key})
                health = http.get("/api/health", params={"api_key": key})
                keyed = http.get("/api/titles", headers={"X-API-Key": key})
        finally:
            access.removeHandler(handler)
    assert "never in the URL" in problem_of(refused, 401)
    assert health.status_code == 200
    assert keyed.status_code == 200
    assert any("api_key=redacted" in line for line in seen), seen
    assert not any(key in line for line in seen)


def test_the_spec_declares_the_key_only_when_there_is_one(
    served_runtime: Runtime, client: TestClient
) -> None:
    open_spec = client.get("/api/openapi.json").json()
    assert "securitySchemes" not in open_spec["components"]
    assert all("security" not in op for ops in open_spec["paths"].values() for op in ops.values())
    with TestClient(app_with(served_runtime, api_key="s3cret")) as keyed:
        spec = keyed.get("/api/openapi.json", headers={"X-API-Key": "s3cret"}).json()
    schemes = spec["components"]["securitySchemes"]
    assert [s["in"] for s in schemes.values()] == ["header"]
    assert "401" in spec["paths"]["/api/search"]["post"]["responses"]
    assert "401" not in spec["paths"]["/api/health"]["get"]["responses"]


# ---------------------------------------------------------------- signed media links


def test_signed_media_links(served_runtime: Runtime) -> None:
    with TestClient(app_with(served_runtime, api_key="s3cret")) as keyed:
        hit = keyed.post(
            "/api/search", json={"text": "red", "limit": 1}, headers={"X-API-Key": "s3cret"}
        ).json()["hits"][0]
        for url in (hit["thumbnail_url"], hit["clip_url"], hit["source_url"]):
            assert keyed.get(url).status_code == 200, url
        link = urlsplit(hit["thumbnail_url"])
        query = parse_qs(link.query)
        expires, signature = query["expires"][0], query["sig"][0]
        tampered = f"{link.path}?expires={expires}&sig={'0' * 32}"
        assert "not valid" in problem_of(keyed.get(tampered), 403)
        later = f"{link.path}?expires={int(expires) + 1}&sig={signature}"
        assert "not valid" in problem_of(keyed.get(later), 403)
        other = urlsplit(hit["clip_url"]).path
        assert problem_of(keyed.get(f"{other}?expires={expires}&sig={signature}"), 403)
        past = int(time.time()) - 10
        relative = link.path.removeprefix("/api/media/")
        key = home_key(served_runtime.settings.home, "media")
        message = f"media/{relative}\n{past}"
        expired = f"{link.path}?expires={past}&sig={sign(key, message)}"
        assert "expired" in problem_of(keyed.get(expired), 403)
        assert problem_of(keyed.get(f"{link.path}?sig={signature}"), 403)


# ---------------------------------------------------------------- uploads


def test_a_decompression_bomb_is_a_clean_413_on_a_kept_connection(
    served_runtime: Runtime,
) -> None:
    with (
        LiveServer(create_app(served_runtime)) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        response = http.post(
            "/api/search/image", files={"file": ("bomb.png", bomb_png(20000, 20000), "image/png")}
        )
        assert "pixels" in problem_of(response, 413)
        assert response.headers.get("connection", "").lower() != "close"
        after = http.post(
            "/api/search/image", files={"file": ("ok.png", png((40, 70, 220)), "image/png")}
        )
        assert after.status_code == 200, after.text


def test_thirty_uploads_leave_no_files(served_runtime: Runtime) -> None:
    app = app_with(served_runtime, upload_keep_count=4)
    with TestClient(app) as http:
        uploads = app.state.served.uploads
        names = []
        for n in range(30):
            response = http.post(
                "/api/search/image",
                files={"file": ("s.png", png((n * 8, 70, 220)), "image/png")},
                data={"params": '{"limit": 1}'},
            )
            assert response.status_code == 200, response.text
            names.append(response.json()["upload"])
            assert uploads.files() == []
        following = http.post("/api/search", json={"image": names[-1], "limit": 1})
        assert following.status_code == 200
        gone = http.post("/api/search", json={"image": names[0], "limit": 1})
        assert "upload the image again" in problem_of(gone, 404)
        assert uploads.files() == []


def test_an_upload_is_deleted_when_its_search_fails(served_runtime: Runtime) -> None:
    app = create_app(served_runtime)
    with TestClient(app) as http:
        response = http.post(
            "/api/search/image",
            files={"file": ("s.png", png((1, 2, 3)), "image/png")},
            data={"params": '{"options": {"nope": {}}}'},
        )
        assert "neither a searcher nor" in problem_of(response, 400)
        assert app.state.served.uploads.files() == []


def test_a_truncated_upload_names_no_path(served_runtime: Runtime, client: TestClient) -> None:
    whole = io.BytesIO()
    Image.effect_noise((64, 64), 50).convert("RGB").save(whole, format="JPEG")
    cut = ((png((1, 2, 3), 64)[:-40], "image/png"), (whole.getvalue()[:400], "image/jpeg"))
    for data, kind in cut:
        response = client.post("/api/search/image", files={"file": ("t", data, kind)})
        detail = problem_of(response, 415)
        assert "/" not in detail.replace("image/", "")
        assert str(served_runtime.settings.home) not in response.text


# ---------------------------------------------------------------- input that gave a 500


@pytest.mark.parametrize(
    "body",
    [
        '{"text": "red", "filter": {"titles": ["\\ud800"]}}',
        '{"text": "red", "options": {"dialogue": {"speaker": "a\\udc00b"}}}',
        '{"text": "re\\udfffd"}',
    ],
)
def test_lone_surrogates_are_a_clean_422(client: TestClient, body: str) -> None:
    response = raw_post(client, body)
    detail = problem_of(response, 422)
    assert "lone surrogate" in detail
    assert "PyO3" not in response.text
    assert "utf-8" not in response.text.lower()


@pytest.mark.parametrize("ids", [[""], ["not-a-uuid"], [UUID, "x"]])
def test_exclude_ids_must_be_uuids(client: TestClient, ids: list[str]) -> None:
    response = client.post("/api/search", json={"text": "red", "filter": {"exclude_ids": ids}})
    assert "not a point id" in problem_of(response, 422)


def test_valid_exclude_ids_work(client: TestClient) -> None:
    best = client.post("/api/search", json={"text": "red", "limit": 1}).json()["hits"][0]
    again = client.post(
        "/api/search", json={"text": "red", "limit": 1, "filter": {"exclude_ids": [best["id"]]}}
    )
    assert again.json()["hits"][0]["id"] != best["id"]


@pytest.mark.parametrize(
    "request_json",
    [
        {"text": "red", "limit": True},
        {"text": "red", "limit": "5"},
        {"text": "red", "offset": 1.0},
        {"text": "red", "intersect": [{"query": {"text": "red"}, "within": "1"}]},
        {"text": "red", "min_score": "0.5"},
        {"text": "red", "filter": {"time_range": {"start": "1"}}},
    ],
)
def test_numbers_are_strictly_typed(client: TestClient, request_json: dict[str, Any]) -> None:
    problem_of(client.post("/api/search", json=request_json), 422)


@pytest.mark.parametrize(
    "body",
    [
        '{"text": "red", "min_score": NaN}',
        '{"text": "red", "min_score": Infinity}',
        '{"text": "red", "options": {"fuse": {"weights": {"colorstats": NaN}}}}',
        '{"text": "red", "intersect": [{"query": {"text": "red"}, "within": -Infinity}]}',
    ],
)
def test_numbers_must_be_finite(client: TestClient, body: str) -> None:
    assert "finite" in problem_of(raw_post(client, body), 422)


def test_upload_params_must_be_finite(client: TestClient) -> None:
    response = client.post(
        "/api/search/image",
        files={"file": ("s.png", png((1, 2, 3)), "image/png")},
        data={"params": '{"min_score": NaN}'},
    )
    assert "finite" in problem_of(response, 400)


def test_a_validation_problem_matches_its_documented_schema(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    documented = spec["paths"]["/api/search"]["post"]["responses"]
    assert set(documented) >= {"200", "400", "404", "413", "422", "503"}
    assert "application/problem+json" in documented["422"]["content"]
    schema = spec["components"]["schemas"]["ValidationProblem"]
    body = client.post("/api/search", json={"text": "red", "limit": 0}).json()
    assert set(body) == set(schema["properties"])
    assert body["errors"][0]["loc"] == ["body", "limit"]
