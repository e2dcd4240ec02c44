"""Hostile requests to the jobs API (ingest by path and by upload, jobs, backfill, assets) and
hostile arguments to the jobs commands: each gets one clear refusal, nothing outside the
allowed folders is read, and the catalog keeps only what was really ingested."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from runtimes import isolated_settings
from typer.testing import CliRunner

from reelsearch.core.executor import LocalExecutor
from reelsearch.core.media.sample import PALETTE, write_video
from reelsearch.core.runtime import Runtime
from reelsearch.server import create_app

MAX_VIDEO = 64 * 1024


class Api:
    def __init__(self, client: TestClient, runtime: Runtime, root: Path, outside: Path) -> None:
        self.client, self.runtime, self.root, self.outside = client, runtime, root, outside

    def ingest(self, *paths: str, **fields: Any) -> Any:
        return self.client.post("/api/ingest", json={"paths": list(paths), **fields})

    def upload(self, name: str, data: bytes, **form: str) -> Any:
        return self.client.post(
            "/api/ingest/upload", files={"file": (name, data, "video/mp4")}, data=form
        )

    def wait(self, job_id: int) -> dict[str, Any]:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job: dict[str, Any] = self.client.get(f"/api/jobs/{job_id}").json()
            if job["state"] in ("done", "failed", "cancelled"):
                return job
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not end")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    base = tmp_path_factory.mktemp("live-api")
    root, outside = base / "allowed", base / "outside"
    root.mkdir()
    outside.mkdir()
    for folder in (root, outside):
        write_video(
            folder / "clip.mp4", [(PALETTE["red"], 12), (PALETTE["blue"], 12)], size=(64, 48)
        )
    (outside / "secret.txt").write_text("not for you")
    (root / "link-out.mp4").symlink_to(outside / "clip.mp4")
    (root / "dir-out").symlink_to(outside)
    settings = isolated_settings(
        base / "home",
        plugins=["shots", "content-detector", "postprocessors"],
        algos=["shots"],
        ingest_roots=[root],
        max_video_upload_bytes=MAX_VIDEO,
    )
    with (
        Runtime(settings, executor=LocalExecutor()) as runtime,
        TestClient(create_app(runtime, warm=False)) as client,
    ):
        yield Api(client, runtime, root, outside)


def problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    assert "\n" not in detail
    return detail


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "/",
        "relative/clip.mp4",
        "clip.mp4",
        "~/clip.mp4",
        "http://example.com/clip.mp4",
        "file:///etc/passwd",
        "s3://bucket/clip.mp4",
        "\\\\server\\share\\clip.mp4",
    ],
)
def test_paths_outside_the_roots_are_refused(api: Api, path: str) -> None:
    assert "not" in problem(api.ingest(path), 403) or "URL" in problem(api.ingest(path), 403)


def test_dot_dot_and_symlinks_out_of_a_root_are_refused(api: Api) -> None:
    root = api.root
    assert "'..'" in problem(api.ingest(f"{root}/../outside/clip.mp4"), 403)
    assert "'..'" in problem(api.ingest(f"{root}/sub/../../outside/clip.mp4"), 403)
    assert "not under" in problem(api.ingest(str(root / "link-out.mp4")), 403)
    assert "not under" in problem(api.ingest(str(root / "dir-out" / "clip.mp4")), 403)
    assert "not under" in problem(api.ingest(str(root) + "-twin/clip.mp4"), 403)


def test_missing_files_and_bad_bodies(api: Api) -> None:
    assert "no file" in problem(api.ingest(str(api.root / "nope.mp4")), 404)
    assert "no file" in problem(api.ingest(str(api.root)), 404)
    problem(api.ingest(), 422)
    problem(api.client.post("/api/ingest", json={"paths": ["x"] * 101}), 422)
    nul = api.client.post("/api/ingest", json={"paths": [f"{api.root}/a\u0000b.mp4"]})
    assert "NUL" in problem(nul, 403)
    problem(api.client.post("/api/ingest", json={"paths": [str(api.root)], "rm": 1}), 422)
    problem(api.client.post("/api/ingest", json={"paths": ["x" * 5000]}), 422)
    problem(
        api.client.post("/api/ingest", content=b"{", headers={"content-type": "application/json"}),
        422,
    )
    assert api.client.get("/api/jobs", params={"state": "running"}).json()["total"] == 0


def test_a_refused_path_queues_nothing(api: Api) -> None:
    before = api.client.get("/api/jobs").json()["total"]
    api.ingest(str(api.root / "clip.mp4"), "/etc/passwd")
    assert api.client.get("/api/jobs").json()["total"] == before


def test_markup_and_unicode_titles_stay_text(api: Api) -> None:
    title = "[bold red]Ünïcödé 🎬[/] <script>alert(1)</script> \u202e"
    queued = api.ingest(str(api.root / "clip.mp4"), title=title, metadata={"k": "[i]v[/i]"})
    assert queued.status_code == 202, queued.text
    job = api.wait(queued.json()["jobs"][0]["id"])
    assert job["state"] == "done", job
    assert job["payload"]["title"] == title
    assets = api.client.get("/api/assets").json()["assets"]
    assert [a["title"] for a in assets if a["title"] == title] == [title]
    titles = [t["title"] for t in api.client.get("/api/titles").json()["titles"]]
    assert title in titles


def test_uploads(api: Api) -> None:
    video = (api.root / "clip.mp4").read_bytes()
    assert len(video) < MAX_VIDEO
    ok = api.upload("../../etc/évil name<>.mp4", video, title="Uploaded")
    assert ok.status_code == 202, ok.text
    job = api.wait(ok.json()["jobs"][0]["id"])
    assert job["state"] == "done", job
    assert "<data home>" in job["payload"]["paths"][0], "no path of the home is shown"
    stored = [a for a in api.runtime.catalog.assets() if a.title == "Uploaded"]
    assert len(stored) == 1
    kept = Path(stored[0].uri)
    assert kept.is_relative_to(api.runtime.settings.home / "uploads" / "videos")
    assert ".." not in kept.parts
    assert "/" not in kept.name


def test_bad_uploads_leave_nothing(api: Api) -> None:
    uploads = api.runtime.settings.home / "uploads" / "videos"
    before = sorted(uploads.rglob("*")) if uploads.exists() else []
    assert "not a video" in problem(api.upload("a.mp4", b"hello, not a video"), 415)
    assert "not a video" in problem(api.upload("a.png", _png()), 415)
    assert "not a video" in problem(api.upload("empty.mp4", b""), 415)
    problem(api.upload("big.mp4", b"\0" * (MAX_VIDEO + ENVELOPE_SLACK)), 413)
    two = api.client.post(
        "/api/ingest/upload",
        files=[("file", ("a.mp4", b"a", "video/mp4")), ("file", ("b.mp4", b"b", "video/mp4"))],
    )
    assert "one video per request" in problem(two, 400)
    problem(api.upload("a.mp4", b"x", metadata="[1, 2]"), 400)
    problem(api.upload("a.mp4", b"x", metadata="{"), 400)
    after = sorted(uploads.rglob("*")) if uploads.exists() else []
    assert after == before


ENVELOPE_SLACK = 128 * 1024


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("job_id", ["0", "-1", "abc", "1.5", str(2**70), "%00", "1;DROP"])
def test_bad_job_ids(api: Api, job_id: str) -> None:
    for method in ("GET", "DELETE"):
        problem(api.client.request(method, f"/api/jobs/{job_id}"), 422)


def test_unknown_jobs_and_cancel(api: Api) -> None:
    assert problem(api.client.get("/api/jobs/987654"), 404) == "there is no job 987654"
    problem(api.client.delete("/api/jobs/987654"), 404)
    queued = api.ingest(str(api.root / "clip.mp4"), title="To cancel").json()["jobs"][0]
    cancelled = api.client.delete(f"/api/jobs/{queued['id']}").json()
    assert cancelled["state"] in ("cancelled", "running", "done")
    assert api.wait(queued["id"])["state"] in ("cancelled", "done")


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"state": "exploded"}, 422),
        ({"limit": 0}, 422),
        ({"limit": 10**6}, 422),
        ({"offset": -1}, 422),
        ({"offset": 10**12}, 422),
        ({"kind": "rm -rf"}, 422),
    ],
)
def test_job_listing_bounds(api: Api, params: dict[str, Any], status: int) -> None:
    problem(api.client.get("/api/jobs", params=params), status)


def test_backfill_refusals(api: Api) -> None:
    assert "nope" in problem(api.client.post("/api/backfill", json={"algo": "nope"}), 404)
    problem(api.client.post("/api/backfill", json={"per_minute": 0}), 422)
    problem(api.client.post("/api/backfill", json={"per_minute": "inf"}), 422)
    problem(api.client.post("/api/backfill", json={"max_concurrent": 10**9}), 422)
    problem(api.client.post("/api/backfill", json={"algo": "shots", "x": 1}), 422)
    problem(api.client.get("/api/backfill", params={"plan": "true", "algo": "nope"}), 404)
    problem(api.client.get("/api/assets/../../etc"), 404)
    problem(api.client.get("/api/assets/ZZZZZZZZ"), 422)


def test_the_api_key_guards_every_jobs_route(api: Api) -> None:
    settings = api.runtime.settings.model_copy(update={"api_key": "k3y"})
    keyed = TestClient(create_app(api.runtime, settings=settings, warm=False))
    for method, path in [
        ("POST", "/api/ingest"),
        ("POST", "/api/ingest/upload"),
        ("GET", "/api/jobs"),
        ("GET", "/api/jobs/1"),
        ("DELETE", "/api/jobs/1"),
        ("GET", "/api/backfill"),
        ("POST", "/api/backfill"),
        ("GET", "/api/assets"),
    ]:
        assert keyed.request(method, path).status_code == 401, (method, path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["jobs", "--state", "exploded"], "--state takes one of"),
        (["jobs", "cancel", "abc"], "Invalid value"),
        (["jobs", "cancel", "0"], "Invalid value"),
        (["jobs", "cancel", "424242"], "there is no job 424242"),
        (["backfill", "--rate", "0", "--dry-run"], "Invalid value"),
        (["ingest", "--no-wait", "x.mp4"], "none runs on this home"),
    ],
)
def test_jobs_commands_refuse_bad_arguments(
    reelsearch_home: Path, args: list[str], message: str
) -> None:
    from reelsearch.cli import app

    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
