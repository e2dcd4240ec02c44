"""Nothing stored is lost: concurrent ingests, kills mid-write, copies of a file, bad files.

Real processes where the failure is between processes: ``reelsearch ingest`` twice at once into
a fresh home, and a worker killed by SIGKILL in the middle of a sink's write.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from media_files import MakeVideo
from pydantic import BaseModel
from runtimes import isolated_runtime, numbered_point

from reelsearch.core.errors import AlgoError, HomeLockedError, MediaError
from reelsearch.core.home import HomeLock
from reelsearch.core.runtime import Runtime
from reelsearch.core.store.edge import EdgeStore
from reelsearch.sdk import (
    Algo,
    AlgoContext,
    Asset,
    CollectionSpec,
    Point,
    PointFilter,
    Sink,
    hookimpl,
)
from reelsearch.sdk.testing.fixtures import RegisterPlugin

REELSEARCH = Path(sys.executable).with_name("reelsearch")
WORKER = Path(__file__).with_name("data_loss_worker.py")
SHOTS_ONLY = {"REELSEARCH_PLUGINS": "shots,content-detector", "COLUMNS": "400"}


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REELSEARCH_")}
    return {**env, "REELSEARCH_HOME": str(home), **extra}


def _ingest_at_once(home: Path, batches: Sequence[Sequence[Path]], *args: str) -> list[Result]:
    """Start one ``reelsearch ingest`` per batch at the same moment; wait for all."""
    procs = [
        subprocess.Popen(
            [str(REELSEARCH), "ingest", *map(str, batch), "--algo", "shots", *args],
            env=_env(home, **SHOTS_ONLY),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for batch in batches
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        results.append(Result(proc.returncode, out, " ".join(err.split())))
    return results


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def _titles(home: Path) -> dict[str, int]:
    """Each title in ``home``'s catalog with its number of stored shots."""
    with isolated_runtime(home, plugins=()) as rs:
        return {
            title: rs.store.count("shots", filter=PointFilter(titles=[title]))
            for title in rs.catalog.titles()
        }


@pytest.fixture
def batches(make_video: MakeVideo) -> list[list[Path]]:
    colours = [("red", "blue"), ("green", "yellow"), ("blue", "green"), ("yellow", "red")]
    videos = [make_video(f"v{i}.mp4", [(a, 12), (b, 12)]) for i, (a, b) in enumerate(colours)]
    return [videos[:2], videos[2:]]


@pytest.mark.parametrize("trial", range(3))
def test_two_ingests_into_a_fresh_home_lose_nothing(
    tmp_path: Path, batches: list[list[Path]], trial: int
) -> None:
    home = tmp_path / f"home{trial}"
    results = _ingest_at_once(home, batches)
    titles = _titles(home)
    refused = [r for r in results if r.code != 0]
    assert len(refused) <= 1, [r.err for r in results]
    for result, batch in zip(results, batches, strict=True):
        names = {video.stem for video in batch}
        if result.code == 0:
            assert all(titles.get(name, 0) >= 1 for name in names), (titles, result.out)
        else:  # refused before it stored anything, saying who holds the home
            assert re.search(r"in use by pid \d+ \(reelsearch ingest .*\)", result.err), result.err
            assert "--wait" in result.err
            assert not names & set(titles)
    assert set(titles) == {
        v.stem for r, b in zip(results, batches, strict=True) if r.code == 0 for v in b
    }


def test_the_second_ingest_waits_for_the_first_with_wait(
    tmp_path: Path, batches: list[list[Path]]
) -> None:
    home = tmp_path / "home"
    results = _ingest_at_once(home, batches, "--wait", "120")
    assert [r.code for r in results] == [0, 0], [r.err for r in results]
    assert set(_titles(home)) == {"v0", "v1", "v2", "v3"}
    assert all(count >= 1 for count in _titles(home).values())


def test_a_locked_home_names_its_holder_and_a_later_opener_gets_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from reelsearch.core.home import HomeLock; "
            f"HomeLock({str(home)!r}).acquire(); print('held', flush=True); input()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        seen = HomeLock(home).holder()
        assert seen is not None
        assert seen.pid == holder.pid
        with isolated_runtime(home) as rs, pytest.raises(HomeLockedError) as refused:
            rs.store  # noqa: B018 - opening the store takes the lock
        assert f"pid {holder.pid}" in str(refused.value)
        assert refused.value.holder is not None
        assert refused.value.holder.pid == holder.pid
        assert not (home / "store").exists(), "nothing is created before the lock is held"
    finally:
        holder.kill()  # its lock dies with it
        holder.communicate()
    with isolated_runtime(home) as rs:
        assert rs.store.collections() == []
        assert HomeLock(home).holder() is not None
    assert HomeLock(home).holder() is None, "closing lets the home go"


def test_an_embedded_store_folder_has_one_owner(tmp_path: Path) -> None:
    with EdgeStore(tmp_path / "store"), pytest.raises(HomeLockedError, match="this process"):
        EdgeStore(tmp_path / "store")
    with EdgeStore(tmp_path / "store") as store:  # closed: free again
        assert store.collections() == []


def _worker(home: Path, video: Path, kill: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(WORKER), str(home), str(video), *([kill] if kill else [])],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).parents[2],
    )


@pytest.mark.parametrize("kill", ["before-write", "mid-write"])
def test_a_kill_during_the_sink_write_is_repaired_by_the_next_ingest(
    tmp_path: Path, make_video: MakeVideo, kill: str
) -> None:
    home = tmp_path / "home"
    video = make_video("talk.mp4", [("red", 12)])
    lines = Path(f"{video}.lines.txt")
    lines.write_text("hello there\nhow are you\nfine thanks\n", encoding="utf-8")
    first = _worker(home, video)
    assert first.returncode == 0, first.stderr
    lines.write_text("hello there\nhow ARE you\nFINE, THANKS\n", encoding="utf-8")  # same count

    killed = _worker(home, video, kill)
    assert killed.returncode == -9, killed.stderr

    rerun = _worker(home, video)
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["reused"] == ["lines"], "the killed run had memoised the new records"
    assert report["lines"] == 3, "the points are written again"
    with isolated_runtime(home, plugins=()) as rs:
        stored = sorted(rs.store.points("lines"), key=lambda p: p.payload["start"])
        assert [p.payload["text"] for p in stored] == ["hello there", "how ARE you", "FINE, THANKS"]
    again = _worker(home, video)
    assert json.loads(again.stdout) == {"computed": [], "reused": ["lines"]}, "now up to date"


class Frame(BaseModel):
    index: int
    value: int


class FramesSink(Sink[Frame]):
    def collection(self) -> CollectionSpec:
        return CollectionSpec(name="frames")

    def points(self, asset: Asset, records: Sequence[Frame]) -> Iterable[Point]:
        for r in records:
            yield numbered_point(asset, "frames", r.index, value=r.value)


class Frames(Algo[Frame]):
    """One record per frame count; explodes on files named ``bad*``, like a detector crash."""

    name = "frames"
    version = "1"
    Record = Frame
    runs: ClassVar[list[str]] = []

    def run(self, ctx: AlgoContext) -> list[Frame]:
        type(self).runs.append(Path(ctx.asset.uri).name)
        if Path(ctx.asset.uri).name.startswith("bad"):
            raise ValueError("operands could not be broadcast together")
        frames = ctx.asset.media.frame_count if ctx.asset.media else 0
        return [Frame(index=0, value=frames), Frame(index=1, value=2 * frames)]

    def sink(self) -> FramesSink:
        return FramesSink()


class FramesPlugin:
    @staticmethod
    @hookimpl
    def register_algos(register: object) -> None:
        register(Frames)  # type: ignore[operator]


@pytest.fixture
def frames_runtime(register_plugin: RegisterPlugin) -> Runtime:
    Frames.runs = []
    return register_plugin(FramesPlugin)


def _titles_of(rs: Runtime, collection: str = "frames") -> dict[str, int]:
    points = rs.store.points(collection)
    counts: dict[str, int] = {}
    for p in points:
        counts[p.payload["title"]] = counts.get(p.payload["title"], 0) + 1
    return counts


def test_copies_of_one_file_are_two_entries_sharing_features(
    frames_runtime: Runtime, make_video: MakeVideo, tmp_path: Path
) -> None:
    rs = frames_runtime
    original = make_video("pilot.mp4", [("red", 12), ("blue", 12)])
    copy = tmp_path / "copies" / "pilot-directors-cut.mp4"
    copy.parent.mkdir()
    shutil.copyfile(original, copy)

    rs.ingest([original], title="Pilot", algos=["frames"])
    (report,) = rs.ingest([copy], title="Director's cut", algos=["frames"]).reports
    assert report.reused == ["frames"], "features are shared"
    assert Frames.runs == ["pilot.mp4"]
    assert rs.catalog.titles() == {"Director's cut": 1, "Pilot": 1}
    assert _titles_of(rs) == {"Director's cut": 2, "Pilot": 2}
    assets = {a.title: a for a in rs.catalog.assets()}
    assert assets["Pilot"].id != assets["Director's cut"].id
    assert assets["Pilot"].content_hash == assets["Director's cut"].content_hash
    for title in ("Pilot", "Director's cut"):
        hits = rs.store.points("frames", filter=PointFilter(titles=[title]))
        assert len(list(hits)) == 2, f"a search on {title!r} finds its points"

    rs.ingest([original, original], title="Pilot (renamed)", algos=["frames"])  # same file
    assert rs.catalog.titles() == {"Director's cut": 1, "Pilot (renamed)": 1}

    rs.catalog.remove(assets["Pilot"].id)
    assert rs.catalog.titles() == {"Director's cut": 1}
    assert _titles_of(rs) == {"Director's cut": 2}
    assert rs.features.keys_for(assets["Pilot"].content_hash), "the copy keeps the features"


def test_an_entry_from_before_files_had_their_own_id_is_replaced(
    frames_runtime: Runtime, make_video: MakeVideo
) -> None:
    rs = frames_runtime
    video = make_video("old.mp4", [("red", 12)])
    fresh = rs.asset(video, "Old")
    legacy = Asset(id=fresh.content_hash, uri=fresh.uri, title="Old", media=fresh.media)
    rs.catalog.put(legacy)  # as catalogs were written when the content hash was the id
    rs.ingest([video], title="Old", algos=["frames"])
    assert [a.id for a in rs.catalog.assets()] == [fresh.id]
    assert rs.catalog.titles() == {"Old": 1}


def test_copies_in_one_batch_are_computed_once(
    frames_runtime: Runtime, make_video: MakeVideo, tmp_path: Path
) -> None:
    original = make_video("a.mp4", [("red", 12)])
    copy = tmp_path / "b.mp4"
    shutil.copyfile(original, copy)
    reports = frames_runtime.ingest([original, copy], algos=["frames"]).reports
    assert Frames.runs == ["a.mp4"]
    assert [r.computed for r in reports] == [["frames"], ["frames"]]
    assert frames_runtime.catalog.titles() == {"a": 1, "b": 1}
    assert _titles_of(frames_runtime) == {"a": 2, "b": 2}


def test_one_failing_file_fails_alone(
    frames_runtime: Runtime, make_video: MakeVideo, tmp_path: Path
) -> None:
    rs = frames_runtime
    good = make_video("good.mp4", [("red", 12)])
    bad = make_video("bad.mp4", [("green", 12)])
    other = make_video("other.mp4", [("blue", 14)])
    missing = tmp_path / "missing.mp4"

    result = rs.ingest([good, bad, missing, other], algos=["frames"], strict=False)
    assert sorted(Path(p).name for p in result.failures) == ["bad.mp4", "missing.mp4"]
    error = result.failures[str(bad.resolve())]
    assert isinstance(error, AlgoError)
    assert "algo 'frames' failed on" in str(error)
    assert "bad.mp4" in str(error)
    assert "could not be broadcast" in str(error)
    assert isinstance(result.failures[str(missing)], MediaError)
    assert [r.asset.title for r in result.reports] == ["good", "other"]
    assert rs.catalog.titles() == {"good": 1, "other": 1}
    assert _titles_of(rs) == {"good": 2, "other": 2}


def test_strict_ingest_raises_and_leaves_nothing_half_written(
    frames_runtime: Runtime, make_video: MakeVideo
) -> None:
    rs = frames_runtime
    rs.ingest([make_video("kept.mp4", [("red", 12)])], algos=["frames"])
    good = make_video("good.mp4", [("blue", 12)])
    bad = make_video("bad.mp4", [("green", 12)])
    with pytest.raises(AlgoError, match=r"algo 'frames' failed on .*bad\.mp4"):
        rs.ingest([good, bad], algos=["frames"])
    assert rs.catalog.titles() == {"kept": 1}
    assert _titles_of(rs) == {"kept": 2}


def test_a_refused_store_write_fails_only_that_new_file_and_leaves_none_of_it(
    register_plugin: RegisterPlugin, make_video: MakeVideo
) -> None:
    class RefusingSink(FramesSink):
        def collection(self) -> CollectionSpec:
            return CollectionSpec(name="other")

        def points(self, asset: Asset, records: Sequence[Frame]) -> Iterable[Point]:
            points = list(super().points(asset, records))
            if asset.title == "broken":
                points[-1].payload.pop("start")  # the write is refused
            return points

    class Second(Algo[Frame]):
        name = "second"
        version = "1"
        Record = Frame
        depends_on = ("frames",)

        def run(self, ctx: AlgoContext) -> list[Frame]:
            return ctx.records("frames", Frame)

        def sink(self) -> RefusingSink:
            return RefusingSink()

    class Plugin:
        @staticmethod
        @hookimpl
        def register_algos(register: object) -> None:
            register(Frames)  # type: ignore[operator]
            register(Second)  # type: ignore[operator]

    rs = register_plugin(Plugin)
    fine = make_video("fine.mp4", [("red", 12)])
    broken = make_video("broken.mp4", [("blue", 12)])
    result = rs.ingest([fine, broken], algos=["second"], strict=False)
    assert list(result.failures) == [str(broken.resolve())]
    assert "payload field" in str(result.failures[str(broken.resolve())])
    assert rs.catalog.titles() == {"fine": 1}
    assert _titles_of(rs, "frames") == {"fine": 2}, "its first sink's points are removed again"
    assert _titles_of(rs, "other") == {"fine": 2}
