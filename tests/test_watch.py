"""Watch folders: a real folder followed with watchfiles, real ingests of generated videos."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from runtimes import FAKE_ENCODER, isolated_runtime

from reelsearch.core.jobs import Job, JobKind, JobQueue, JobState, Worker
from reelsearch.core.jobs.watch import FolderWatcher, belongs_to, ignored
from reelsearch.core.media.sample import PALETTE, write_video
from reelsearch.core.models import asset_id_for
from reelsearch.core.runtime import Runtime
from reelsearch.core.store.base import PointFilter

COLOURS = ["red", "blue", "green", "yellow", "white", "black"]
SRT = "1\n00:00:00,100 --> 00:00:00,900\nThe red car is here.\n"


def video(path: Path, n: int = 0, frames: int = 12) -> Path:
    """A small video of three coloured shots; ``n`` picks the colours, so bytes differ."""
    colours = [COLOURS[(n + k) % len(COLOURS)] for k in range(3)]
    return write_video(path, [(PALETTE[c], frames) for c in colours], size=(64, 48))


def wait_for(condition: Callable[[], object], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s")
        time.sleep(0.05)


class Setup:
    """A runtime, its queue and worker, and a watched folder."""

    def __init__(self, runtime: Runtime, queue: JobQueue, folder: Path) -> None:
        self.runtime, self.queue, self.folder = runtime, queue, folder
        self.worker = Worker(runtime, queue, poll_seconds=0.05)

    def watcher(self, **options: object) -> FolderWatcher:
        return FolderWatcher(self.worker, poll_seconds=0.05, **options)  # type: ignore[arg-type]

    def jobs(self, kind: JobKind | None = None) -> list[Job]:
        return list(reversed(self.queue.list(limit=500, kind=kind).jobs))

    def titles(self) -> list[str]:
        return sorted(a.title for a in self.runtime.catalog.assets())

    @contextmanager
    def following(self, **options: object) -> Iterator[FolderWatcher]:
        watcher = self.watcher(**options)
        watcher.start()
        try:
            yield watcher
        finally:
            watcher.stop()


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    folder = tmp_path / "inbox"
    folder.mkdir()
    home = tmp_path / "home"
    with isolated_runtime(
        home,
        FAKE_ENCODER,
        algos=["shots", "dialogue"],
        components={"algos": {"dialogue": {"encoder": "fake"}}},
        watch_folders=[folder],
        watch_stable_seconds=0.6,
    ) as runtime:
        queue = JobQueue.in_home(home)
        yield Setup(runtime, queue, folder.resolve())
        queue.close()


def test_a_video_is_queued_only_once_its_writes_have_ended(setup: Setup, tmp_path: Path) -> None:
    source = video(tmp_path / "source.mp4")
    data = source.read_bytes()
    target = setup.folder / "arriving.mp4"
    with setup.following():
        with target.open("wb") as out:
            for start in range(0, len(data), len(data) // 6 + 1):
                out.write(data[start : start + len(data) // 6 + 1])
                out.flush()
                time.sleep(0.3)  # shorter than watch_stable_seconds
                assert setup.jobs() == [], "queued while still being written"
        wait_for(lambda: setup.jobs())
        time.sleep(1.0)  # nothing else comes of it
        jobs = setup.jobs()
    assert [(j.kind, j.payload.paths, j.source) for j in jobs] == [
        (JobKind.INGEST, [str(target)], "watch")
    ]
    ended = setup.worker.run_until_idle()
    assert [j.state for j in ended] == [JobState.DONE]
    assert setup.titles() == ["arriving"]


def test_a_sidecar_after_its_video_re_runs_only_what_it_changes(setup: Setup) -> None:
    movie = video(setup.folder / "movie.mp4")
    with setup.following():
        wait_for(lambda: setup.jobs())
        assert [j.state for j in setup.worker.run_until_idle()] == [JobState.DONE]
        (setup.folder / "movie.en.srt").write_text(SRT)
        (setup.folder / "other.srt").write_text(SRT)  # belongs to no video
        wait_for(lambda: setup.jobs(JobKind.REINGEST_ALGOS))
        time.sleep(1.0)
    refresh = setup.jobs(JobKind.REINGEST_ALGOS)
    assert [j.payload.paths for j in refresh] == [[str(movie)]]
    ended = setup.worker.run_until_idle()
    assert [j.state for j in ended] == [JobState.DONE]
    assert list(ended[0].progress) == ["dialogue"]  # shots were reused, not computed
    asset_id = asset_id_for(str(movie))
    collection = setup.runtime.gateway.collection_of("dialogue")
    lines = setup.runtime.store.points(collection, filter=PointFilter(asset_ids=[asset_id]))
    assert [p.payload["text"] for p in lines] == ["The red car is here."]


def test_a_deleted_video_leaves_the_catalog_unless_kept(setup: Setup) -> None:
    gone = video(setup.folder / "gone.mp4", 1)
    kept = video(setup.folder / "kept.mp4", 2)
    with setup.following():
        wait_for(lambda: len(setup.jobs()) == 2)
    setup.worker.run_until_idle()
    assert setup.titles() == ["gone", "kept"]
    with setup.following():
        gone.unlink()
        wait_for(lambda: setup.jobs(JobKind.REMOVE))
    setup.worker.run_until_idle()
    assert setup.titles() == ["kept"]
    with setup.following(deleted="keep"):
        kept.unlink()
        time.sleep(1.5)
    assert setup.jobs(JobKind.REMOVE) != []
    assert len(setup.jobs(JobKind.REMOVE)) == 1
    assert setup.titles() == ["kept"]


def test_startup_catches_up_with_new_changed_and_deleted_videos(
    setup: Setup, tmp_path: Path
) -> None:
    same = video(setup.folder / "same.mp4", 0)
    changed = video(setup.folder / "changed.mp4", 1)
    deleted = video(setup.folder / "deleted.mp4", 2)
    first = setup.watcher(stable_seconds=0)
    assert len(first.catch_up()) == 3
    setup.worker.run_until_idle()
    assert setup.titles() == ["changed", "deleted", "same"]
    old_hash = setup.runtime.catalog.get(asset_id_for(str(changed)))
    # While no watcher runs: one new, one rewritten with other bytes, one deleted.
    new = video(setup.folder / "sub" / "new.mp4", 3)
    video(tmp_path / "other.mp4", 4)
    shutil.copyfile(tmp_path / "other.mp4", changed)
    deleted.unlink()
    jobs = setup.watcher(stable_seconds=0).catch_up()
    assert sorted((j.kind, j.payload.paths[0]) for j in jobs) == sorted(
        [
            (JobKind.INGEST, str(changed)),
            (JobKind.INGEST, str(new)),
            (JobKind.REMOVE, str(deleted)),
        ]
    )
    assert all(j.state is JobState.DONE for j in setup.worker.run_until_idle())
    assert setup.titles() == ["changed", "new", "same"]
    entry = setup.runtime.catalog.get(asset_id_for(str(changed)))
    assert entry is not None
    assert old_hash is not None
    assert entry.content_hash != old_hash.content_hash
    assert setup.watcher(stable_seconds=0).catch_up() == []  # nothing changed since
    assert same.exists()


def test_a_video_catalogued_by_hand_is_not_queued_again(setup: Setup) -> None:
    movie = video(setup.folder / "movie.mp4")
    setup.runtime.ingest([movie])
    assert setup.watcher(stable_seconds=0).catch_up() == []


def test_other_hidden_and_temporary_files_are_ignored(setup: Setup, tmp_path: Path) -> None:
    data = video(tmp_path / "any.mp4").read_bytes()
    for name in ["notes.txt", ".hidden.mp4", "copy.mp4.part", "backup.mp4~", ".cache/x.mp4"]:
        path = setup.folder / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert setup.watcher(stable_seconds=0).catch_up() == []
    with setup.following():
        (setup.folder / "download.mkv.crdownload").write_bytes(data)
        (setup.folder / "readme.md").write_text("hi")
        time.sleep(1.5)
    assert setup.jobs() == []


def test_twenty_files_five_bad_fifteen_indexed_five_failed(setup: Setup, tmp_path: Path) -> None:
    run_folder_case(setup, tmp_path, good=15)


@pytest.mark.slow
def test_a_hundred_files_five_bad_ninety_five_indexed(setup: Setup, tmp_path: Path) -> None:
    run_folder_case(setup, tmp_path, good=95)


def run_folder_case(setup: Setup, tmp_path: Path, good: int) -> None:
    template = video(tmp_path / "template.mp4")
    for n in range(good):
        video(setup.folder / f"clip{n:03d}.mp4", n, frames=6 + n % 5)
    bad = {
        "empty.mp4": b"",
        "truncated.mp4": template.read_bytes()[:400],
        "notes.mkv": b"this is a text file, not a video\n" * 20,
        "noise.webm": bytes(range(256)) * 40,
        "still.mov": b"\x89PNG\r\n\x1a\n" + bytes(2000),
    }
    for name, data in bad.items():
        (setup.folder / name).write_bytes(data)
    worker = setup.worker
    worker.concurrency = 2
    worker.start()
    try:
        with setup.following():
            wait_for(
                lambda: setup.queue.counts().done + setup.queue.counts().failed == good + 5, 600
            )
    finally:
        worker.stop()
    jobs = setup.jobs()
    failed = {Path(j.payload.paths[0]).name: j.error for j in jobs if j.state is JobState.FAILED}
    assert sorted(failed) == sorted(bad)
    for name, error in failed.items():
        assert error is not None
        assert name in error
        assert "\n" not in error
    assert len(setup.titles()) == good
    assert setup.queue.counts().done == good


def test_sidecar_names_follow_the_dialogue_rules(tmp_path: Path) -> None:
    movie = tmp_path / "movie.mp4"
    assert belongs_to(tmp_path / "movie.srt", movie)
    assert belongs_to(tmp_path / "movie.pt-BR.forced.VTT", movie)
    assert not belongs_to(tmp_path / "movies.srt", movie)
    assert not belongs_to(tmp_path / "sub" / "movie.srt", movie)
    assert ignored(tmp_path / ".x" / "a.mp4", tmp_path)
    assert not ignored(tmp_path / "x" / "a.mp4", tmp_path)


def test_a_folder_moved_in_is_looked_through_and_one_moved_out_leaves(
    setup: Setup, tmp_path: Path
) -> None:
    season = tmp_path / "season1"
    season.mkdir()
    for n in range(2):
        video(season / f"ep{n}.mp4", n)
    with setup.following():
        season.rename(setup.folder / "season1")
        wait_for(lambda: len(setup.jobs(JobKind.INGEST)) == 2)
    setup.worker.run_until_idle()
    assert setup.titles() == ["ep0", "ep1"]
    with setup.following():
        (setup.folder / "season1").rename(tmp_path / "archived")
        wait_for(lambda: len(setup.jobs(JobKind.REMOVE)) == 2)
    setup.worker.run_until_idle()
    assert setup.titles() == []
