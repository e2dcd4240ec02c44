"""Hostile input to jobs: paths outside the allowed folders, symlinks that escape them, huge
payloads, names with markup, unicode or undecodable bytes, files that only look like videos."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from runtimes import isolated_runtime

from reelsearch.core.errors import ForbiddenPathError
from reelsearch.core.jobs import JobKind, JobPayload, JobQueue, JobState, Worker
from reelsearch.core.jobs.paths import check_allowed
from reelsearch.core.jobs.watch import FolderWatcher
from reelsearch.core.models import asset_id_for

MakeVideo = Callable[..., Path]
SEGMENTS = [("red", 10), ("blue", 10)]


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path]:
    """An allowed folder and a folder outside it."""
    inside, outside = tmp_path / "media", tmp_path / "private"
    inside.mkdir()
    outside.mkdir()
    return inside.resolve(), outside.resolve()


@pytest.fixture
def worker(tmp_path: Path, roots: tuple[Path, Path]) -> Iterator[Worker]:
    inside, _ = roots
    home = tmp_path / "home"
    with isolated_runtime(home, algos=["shots"], ingest_roots=[inside]) as rs:
        queue = JobQueue.in_home(home)
        yield Worker(rs, queue)
        queue.close()


def test_a_path_outside_the_allowed_folders_is_refused(roots: tuple[Path, Path]) -> None:
    inside, outside = roots
    (outside / "secret.mp4").write_bytes(b"x")
    for path in [
        outside / "secret.mp4",
        inside / ".." / "private" / "secret.mp4",
        Path("/etc/passwd"),
    ]:
        with pytest.raises(ForbiddenPathError, match="is not under a folder jobs may read"):
            check_allowed(path, [inside])
    with pytest.raises(ForbiddenPathError, match="is not an absolute path"):
        check_allowed("media/a.mp4", [inside])
    for bad in ["", "   ", "/media/a\0.mp4"]:
        with pytest.raises(ForbiddenPathError, match="empty or holds a NUL"):
            check_allowed(bad, [inside])


def test_symlinks_are_judged_by_where_they_lead(roots: tuple[Path, Path]) -> None:
    inside, outside = roots
    (outside / "secret.mp4").write_bytes(b"x")
    (inside / "real.mp4").write_bytes(b"x")
    (inside / "escape.mp4").symlink_to(outside / "secret.mp4")
    (inside / "folder").symlink_to(outside, target_is_directory=True)
    (inside / "alias.mp4").symlink_to(inside / "real.mp4")
    (inside / "loop.mp4").symlink_to(inside / "loop.mp4")
    for path in [inside / "escape.mp4", inside / "folder" / "secret.mp4"]:
        with pytest.raises(ForbiddenPathError, match="is not under a folder jobs may read"):
            check_allowed(path, [inside])
    assert check_allowed(inside / "alias.mp4", [inside]) == inside / "real.mp4"
    with pytest.raises(ForbiddenPathError, match="cannot be resolved"):
        check_allowed(inside / "loop.mp4", [inside])


def test_the_worker_refuses_outside_paths_when_queued_and_when_run(
    worker: Worker, roots: tuple[Path, Path], make_video: MakeVideo
) -> None:
    _, outside = roots
    secret = make_video("secret.mp4", SEGMENTS, size=(64, 48))
    target = outside / "secret.mp4"
    target.write_bytes(secret.read_bytes())
    with pytest.raises(ForbiddenPathError):
        worker.submit(JobKind.INGEST, JobPayload(paths=[str(target)]))
    assert worker.queue.counts().queued == 0
    # Queued some other way (an older process, a hand-edited database): refused when run.
    job = worker.queue.enqueue(JobKind.INGEST, JobPayload(paths=[str(target)]))
    ended = worker.run_until_idle()
    assert [(j.id, j.state) for j in ended] == [(job.id, JobState.FAILED)]
    assert ended[0].error is not None
    assert "is not under a folder jobs may read" in ended[0].error
    assert worker.runtime.catalog.assets() == []


def test_oversized_payloads_are_refused() -> None:
    with pytest.raises(ValidationError, match="at most 1000 items"):
        JobPayload(paths=[f"/m/{n}.mp4" for n in range(1001)])
    with pytest.raises(ValidationError, match="at most 65536"):
        JobPayload(paths=["/m/a.mp4"], metadata={"notes": "x" * 70_000})
    with pytest.raises(ValidationError, match="at most 4096 characters"):
        JobPayload(paths=["/" + "a" * 5000])
    with pytest.raises(ValidationError, match="at most 500 characters"):
        JobPayload(paths=["/m/a.mp4"], title="t" * 501)
    with pytest.raises(ValidationError, match="NUL"):
        JobPayload(paths=["/m/a\0.mp4"])
    with pytest.raises(ValidationError, match="should match pattern"):
        JobPayload(asset_ids=["../../etc"])
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        JobPayload.model_validate({"paths": [], "command": "rm -rf /"})


def test_listing_filters_are_values_not_sql(worker: Worker) -> None:
    worker.queue.enqueue(JobKind.INGEST, JobPayload(paths=["/m/a.mp4"], title="x' OR '1'='1"))
    with pytest.raises(ValueError, match="not a valid JobState"):
        worker.queue.list(state="queued' OR 1=1 --")
    assert worker.queue.list().jobs[0].payload.title == "x' OR '1'='1"


def test_names_with_markup_and_unicode_are_kept_as_text(
    tmp_path: Path, make_video: MakeVideo
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    name = "[bold red]Ünïcödé[link=x] 🎬 <script>alert(1)<\\script> $(rm -rf ~) `id`.mp4"
    (folder / name).write_bytes(make_video("src.mp4", SEGMENTS, size=(64, 48)).read_bytes())
    with isolated_runtime(tmp_path / "home", algos=["shots"], watch_folders=[folder]) as rs:
        queue = JobQueue.in_home(tmp_path / "home")
        try:
            worker = Worker(rs, queue)
            jobs = FolderWatcher(worker, stable_seconds=0).catch_up()
            assert [Path(j.payload.paths[0]).name for j in jobs] == [name]
            assert [j.state for j in worker.run_until_idle()] == [JobState.DONE]
        finally:
            queue.close()
        assert [a.title for a in rs.catalog.assets()] == [name[: -len(".mp4")]]


def test_watch_folder_skips_escaping_symlinks_and_undecodable_names(
    tmp_path: Path, make_video: MakeVideo
) -> None:
    folder, outside = tmp_path / "inbox", tmp_path / "private"
    folder.mkdir()
    outside.mkdir()
    data = make_video("src.mp4", SEGMENTS, size=(64, 48)).read_bytes()
    (outside / "secret.mp4").write_bytes(data)
    (folder / "escape.mp4").symlink_to(outside / "secret.mp4")
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    with open(os.path.join(os.fsencode(folder), b"bad-\xff-name.mp4"), "wb") as raw:
        raw.write(data)
    with isolated_runtime(tmp_path / "home", algos=["shots"], watch_folders=[folder]) as rs:
        queue = JobQueue.in_home(tmp_path / "home")
        try:
            for roots in (None, []):  # whether or not the worker checks paths itself
                worker = Worker(rs, queue, roots=roots)
                assert FolderWatcher(worker, stable_seconds=0).catch_up() == []
            assert queue.counts().queued == 0
        finally:
            queue.close()
        assert rs.catalog.get(asset_id_for(str(outside / "secret.mp4"))) is None


def test_a_file_that_only_looks_like_a_video_fails_its_job_clearly(
    worker: Worker, roots: tuple[Path, Path]
) -> None:
    inside, _ = roots
    fakes = {
        "png.mov": b"\x89PNG\r\n\x1a\n" + bytes(2000),
        "html.mp4": b"<html><body>not a video</body></html>" * 50,
        "empty.mkv": b"",
    }
    for name, data in fakes.items():
        (inside / name).write_bytes(data)
        worker.submit(JobKind.INGEST, JobPayload(paths=[str(inside / name)]))
    ended = worker.run_until_idle()
    assert [j.state for j in ended] == [JobState.FAILED] * 3
    for job in ended:
        assert job.attempts == 1
        assert job.error is not None
        assert Path(job.payload.paths[0]).name in job.error
        assert "Traceback" not in job.error
        assert "validation error" not in job.error
    assert worker.runtime.catalog.assets() == []
