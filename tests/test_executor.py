"""Executors: one behaviour suite (:class:`ExecutorContract`) run on every executor, including
a real local Ray, plus what only Ray does (resources, one task per batch, fail-fast checks).

The task functions live at module level on purpose: Ray pickles them by reference, so this
also checks that workers of a Ray started by :class:`RayExecutor` can import a test module.
"""

from __future__ import annotations

import functools
import itertools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

import reelsearch.core.executor as executor_package
from reelsearch.core.components import Resources
from reelsearch.core.config import Settings
from reelsearch.core.errors import ExecutorError
from reelsearch.core.executor import Executor, LocalExecutor, open_executor
from reelsearch.core.executor.base import task_name


def square(x: int) -> int:
    return x * x


def add(a: int, b: int) -> int:
    return a + b


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three is not allowed")
    return x


class UnpicklableError(Exception):
    """Unpickling calls ``cls(message)``, which this ``__init__`` refuses."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"code {code}: {detail}")


def fail_unpicklably(x: int) -> int:
    raise UnpicklableError(7, "odd")


class ExecutorContract:
    """What every executor does; a backend's test class subclasses this and builds one."""

    def make_executor(self) -> Executor:
        raise NotImplementedError

    @pytest.fixture
    def executor(self) -> Iterator[Executor]:
        with self.make_executor() as executor:
            yield executor

    @pytest.mark.parametrize("batch_size", [1, 3, 10, 25])
    def test_map_keeps_input_order(self, executor: Executor, batch_size: int) -> None:
        assert executor.map(square, range(10), batch_size=batch_size) == [x * x for x in range(10)]

    def test_map_consumes_any_iterable(self, executor: Executor) -> None:
        assert executor.map(square, (x for x in [4, 5])) == [16, 25]

    def test_map_of_nothing_is_empty(self, executor: Executor) -> None:
        calls: list[tuple[int, int | None]] = []
        assert executor.map(square, [], progress=lambda *c: calls.append(c)) == []
        assert calls == [(0, 0)]

    def test_progress_reports_each_batch(self, executor: Executor) -> None:
        calls: list[tuple[int, int | None]] = []
        executor.map(square, range(10), batch_size=3, progress=lambda *c: calls.append(c))
        assert calls[0] == (0, 10)
        assert calls[-1] == (10, 10)
        done = [d for d, _ in calls]
        assert sorted(b - a for a, b in itertools.pairwise(done)) == [1, 3, 3, 3]
        assert {total for _, total in calls} == {10}

    def test_batch_size_must_be_positive(self, executor: Executor) -> None:
        with pytest.raises(ValueError, match="batch_size"):
            executor.map(square, [1], batch_size=0)

    @pytest.mark.parametrize("batch_size", [1, 2])
    def test_task_error_names_the_item_and_keeps_the_cause(
        self, executor: Executor, batch_size: int
    ) -> None:
        with pytest.raises(ExecutorError, match=r"fail_on_three on item 3 \(3\) failed") as info:
            executor.map(fail_on_three, range(6), batch_size=batch_size)
        assert isinstance(info.value.__cause__, ValueError)
        assert str(info.value.__cause__) == "three is not allowed"

    def test_unpicklable_task_error_still_reports_its_message(self, executor: Executor) -> None:
        with pytest.raises(ExecutorError, match="UnpicklableError: code 7: odd"):
            executor.map(fail_unpicklably, [1])

    def test_closures_and_lambdas_run(self, executor: Executor) -> None:
        offset = 100
        assert executor.map(lambda x: x + offset, [1, 2]) == [101, 102]

    def test_submit_returns_a_future_of_the_result(self, executor: Executor) -> None:
        future = executor.submit(add, 2, 3)
        assert isinstance(future, Future)
        assert future.result(timeout=60) == 5
        assert not future.cancel()

    def test_submit_error_surfaces_as_executor_error(self, executor: Executor) -> None:
        future = executor.submit(fail_on_three, 3)
        with pytest.raises(ExecutorError, match="task fail_on_three failed") as info:
            future.result(timeout=60)
        assert isinstance(info.value.__cause__, ValueError)

    def test_closed_executor_refuses_work(self) -> None:
        executor = self.make_executor()
        with executor:
            pass
        executor.close()  # closing twice is fine
        with pytest.raises(ExecutorError, match="closed"):
            executor.map(square, [1])
        with pytest.raises(ExecutorError, match="closed"):
            executor.submit(square, 1)


class TestLocalExecutor(ExecutorContract):
    def make_executor(self) -> Executor:
        return LocalExecutor()

    def test_runs_in_the_callers_thread_and_stops_at_the_first_failure(self) -> None:
        seen: list[int] = []

        def record(x: int) -> int:
            seen.append(x)
            return fail_on_three(x)

        with LocalExecutor() as executor, pytest.raises(ExecutorError):
            executor.map(record, range(10), batch_size=2)
        assert seen == [0, 1, 2, 3]


class TestThreadedLocalExecutor(ExecutorContract):
    def make_executor(self) -> Executor:
        return LocalExecutor(max_workers=3)

    def test_max_workers_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match="max_workers"):
            LocalExecutor(max_workers=0)


def test_open_executor_defaults_to_local(tmp_path: Path) -> None:
    with open_executor(Settings(home=tmp_path)) as executor:
        assert isinstance(executor, LocalExecutor)


def test_all_names_what_the_package_exports() -> None:
    for name in executor_package.__all__:
        assert getattr(executor_package, name) is not None


def test_importing_reelsearch_does_not_import_ray() -> None:
    code = (
        "import sys, reelsearch, reelsearch.core.executor, reelsearch.core.features; "
        "assert 'ray' not in sys.modules, 'ray was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


# --- a real local Ray --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ray_executor() -> Iterator[Executor]:
    """One local Ray of 2 CPUs for this module, started (~5 s) and shut down by the executor."""
    from reelsearch.core.executor.ray import RayExecutor

    with RayExecutor(num_cpus=2, object_store_memory=128 * 1024**2) as executor:
        assert executor.owns_runtime
        yield executor


def assigned_resources(_: object) -> dict[str, float]:
    import ray

    context = ray.get_runtime_context()
    resources: dict[str, float] = context.get_assigned_resources()  # type: ignore[no-untyped-call]
    return resources


def current_task_name(_: object) -> str:
    import ray

    return str(ray.get_runtime_context().get_task_name())


def task_id(_: object) -> str:
    import ray

    return str(ray.get_runtime_context().get_task_id())


class TestRayExecutor(ExecutorContract):
    @pytest.fixture
    def executor(self, ray_executor: Executor) -> Executor:
        return ray_executor

    def make_executor(self) -> Executor:
        """An executor that attaches to the module's Ray (and so leaves it running)."""
        from reelsearch.core.executor.ray import RayExecutor

        return RayExecutor()

    def test_attached_executor_leaves_the_runtime_running(self, ray_executor: Executor) -> None:
        import ray

        from reelsearch.core.executor.ray import RayExecutor

        attached = self.make_executor()
        assert isinstance(attached, RayExecutor)
        assert not attached.owns_runtime
        attached.close()
        assert ray.is_initialized()
        assert ray_executor.map(square, [3]) == [9]

    def test_open_executor_picks_ray(self, ray_executor: Executor, tmp_path: Path) -> None:
        from reelsearch.core.executor.ray import RayExecutor

        with open_executor(Settings(home=tmp_path, executor="ray")) as executor:
            assert isinstance(executor, RayExecutor)
            assert executor_package.RayExecutor is RayExecutor

    def test_each_batch_is_one_task(self, ray_executor: Executor) -> None:
        ids = ray_executor.map(task_id, range(7), batch_size=3)
        assert len(set(ids[0:3])) == len(set(ids[3:6])) == len(set(ids[6:])) == 1
        assert len(set(ids)) == 3

    def test_ray_tasks_carry_the_function_name(self, ray_executor: Executor) -> None:
        assert ray_executor.map(current_task_name, [1]) == ["current_task_name"]
        assert ray_executor.submit(current_task_name, 1).result(60) == "current_task_name"

    @pytest.mark.parametrize("cpus", [0.5, 2.0])
    def test_resources_are_reserved_per_task(self, ray_executor: Executor, cpus: float) -> None:
        got = ray_executor.map(assigned_resources, range(2), resources=Resources(cpus=cpus))
        assert got == [{"CPU": cpus}, {"CPU": cpus}]
        future = ray_executor.submit(assigned_resources, None, resources=Resources(cpus=cpus))
        assert future.result(timeout=60) == {"CPU": cpus}

    def test_gpu_request_on_a_cpu_cluster_fails_fast(self, ray_executor: Executor) -> None:
        started = time.monotonic()
        with pytest.raises(ExecutorError, match=r"asks for 1 GPU\(s\) but the Ray cluster has 0"):
            ray_executor.map(square, [1, 2], resources=Resources(gpus=1))
        with pytest.raises(ExecutorError, match="GPU"):
            ray_executor.submit(square, 1, resources=Resources(gpus=0.5))
        assert time.monotonic() - started < 5

    def test_more_cpus_than_the_cluster_has_fails_fast(self, ray_executor: Executor) -> None:
        with pytest.raises(ExecutorError, match=r"asks for 3 CPU\(s\) but the Ray cluster has 2"):
            ray_executor.map(square, [1], resources=Resources(cpus=3))

    def test_task_error_carries_the_worker_traceback(self, ray_executor: Executor) -> None:
        with pytest.raises(ExecutorError) as info:
            ray_executor.map(fail_on_three, [3])
        (note,) = info.value.__notes__
        assert note.startswith("Traceback on the worker:")
        assert "in fail_on_three" in note


def die(_: object) -> None:
    os._exit(1)


_loads = 0


def loaded_once(x: int) -> tuple[int, int]:
    """This process's id and how many items it has run: a stand-in for a model's load count."""
    global _loads
    _loads += 1
    return os.getpid(), _loads


class Meeting:
    """Counts the processes that have arrived."""

    def __init__(self) -> None:
        self.arrived: set[int] = set()

    def arrive(self, pid: int) -> int:
        self.arrived.add(pid)
        return len(self.arrived)


def wait_for_company(meeting: object, _: int) -> int:
    """Wait (30 s at most) until another process has arrived at ``meeting`` too."""
    import ray

    deadline = time.monotonic() + 30
    while (seen := ray.get(meeting.arrive.remote(os.getpid()))) < 2:  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return int(seen)


class Holder:
    """An actor that only holds the resources it was given."""

    def ready(self) -> bool:
        return True


class TestRayActorPool:
    """``map(..., actors=N)`` on Ray: batches run on N long-lived actors."""

    def test_actors_keep_their_state_between_batches(self, ray_executor: Executor) -> None:
        got = ray_executor.map(loaded_once, range(8), batch_size=2, actors=2)
        by_worker: dict[int, list[int]] = {}
        for pid, count in got:
            by_worker.setdefault(pid, []).append(count)
        assert 1 <= len(by_worker) <= 2  # an actor that starts late may find no batch left
        assert os.getpid() not in by_worker
        for counts in by_worker.values():  # each actor counts its own items from 1
            assert sorted(counts) == list(range(1, len(counts) + 1))

    def test_the_actors_run_side_by_side(self, ray_executor: Executor) -> None:
        import ray

        meeting = ray.remote(num_cpus=0)(Meeting).remote()
        seen = ray_executor.map(functools.partial(wait_for_company, meeting), range(2), actors=2)
        assert seen == [2, 2]  # each batch saw both actors running at once

    @pytest.mark.parametrize("batch_size", [1, 3])
    def test_order_and_progress_are_those_of_tasks(
        self, ray_executor: Executor, batch_size: int
    ) -> None:
        calls: list[tuple[int, int | None]] = []
        got = ray_executor.map(
            square, range(10), batch_size=batch_size, actors=2, progress=lambda *c: calls.append(c)
        )
        assert got == [x * x for x in range(10)]
        assert calls[0] == (0, 10)
        assert calls[-1] == (10, 10)

    def test_each_actor_holds_the_resources(self, ray_executor: Executor) -> None:
        got = ray_executor.map(
            assigned_resources, range(3), resources=Resources(cpus=0.5), actors=3
        )
        assert got == [{"CPU": 0.5}] * 3

    def test_a_failing_batch_fails_the_map_and_frees_the_actors(
        self, ray_executor: Executor
    ) -> None:
        import ray

        with pytest.raises(ExecutorError, match=r"fail_on_three on item 3 \(3\) failed") as info:
            ray_executor.map(fail_on_three, range(8), actors=2)
        assert isinstance(info.value.__cause__, ValueError)
        deadline = time.monotonic() + 30
        while ray.available_resources().get("CPU", 0) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ray.available_resources().get("CPU", 0) == 2
        assert ray_executor.map(square, range(4), actors=2) == [0, 1, 4, 9]

    def test_a_dead_actor_surfaces_as_executor_error(self, ray_executor: Executor) -> None:
        from reelsearch.core.executor.ray import RayExecutor

        with (
            RayExecutor(max_retries=0) as executor,
            pytest.raises(ExecutorError, match=r"task die on item 0 failed: ActorDied"),
        ):
            executor.map(die, [1], actors=1)

    def test_actors_that_cannot_start_hold_nothing_up(self, ray_executor: Executor) -> None:
        import ray

        from reelsearch.core.executor.ray import RayExecutor

        blocker = ray.remote(num_cpus=1)(Holder).remote()  # another job's CPU, held throughout
        try:
            assert ray.get(blocker.ready.remote(), timeout=60)
            got = ray_executor.map(loaded_once, range(6), actors=2)  # one of them cannot start
            assert len({pid for pid, _ in got}) == 1
            with RayExecutor(check_resources=False) as unchecked:  # 3 actors asked, 1 fits
                assert unchecked.map(square, range(5), actors=3) == [0, 1, 4, 9, 16]
        finally:
            ray.kill(blocker)

    def test_capacity_is_what_the_cluster_fits(self, ray_executor: Executor) -> None:
        assert ray_executor.capacity() == 2
        assert ray_executor.capacity(Resources(cpus=0.5)) == 4
        assert ray_executor.capacity(Resources(cpus=0)) == 2
        assert ray_executor.capacity(Resources(cpus=3)) == 1

    def test_a_pool_larger_than_the_cluster_fails_fast(self, ray_executor: Executor) -> None:
        with pytest.raises(ExecutorError, match=r"asks for 1 GPU\(s\) but the Ray cluster has 0"):
            ray_executor.map(square, [1], resources=Resources(gpus=1), actors=1)


def test_local_executors_run_actor_maps_in_this_process() -> None:
    with LocalExecutor() as executor:
        assert executor.capacity() == 1
        assert {pid for pid, _ in executor.map(loaded_once, range(4), actors=2)} == {os.getpid()}
    with LocalExecutor(max_workers=3) as executor:
        assert executor.capacity(Resources(gpus=1)) == 3
        assert executor.map(square, range(5), actors=2) == [0, 1, 4, 9, 16]
    with LocalExecutor() as executor, pytest.raises(ValueError, match="actors"):
        executor.map(square, [1], actors=-1)


def test_dead_worker_surfaces_as_executor_error(ray_executor: Executor) -> None:
    from reelsearch.core.executor.ray import RayExecutor

    with RayExecutor(max_retries=0) as executor:  # Ray would rerun the task 3 times otherwise
        with pytest.raises(
            ExecutorError, match=r"task die on (items 0-1|item 2) failed: WorkerCrashed"
        ):
            executor.map(die, [1, 2, 3], batch_size=2)
        with pytest.raises(ExecutorError, match="task die failed: WorkerCrashed"):
            executor.submit(die, 1).result(timeout=60)


def test_unpicklable_task_fails_clearly_on_ray(ray_executor: Executor) -> None:
    lock = threading.Lock()
    with pytest.raises(ExecutorError, match="must be picklable"):
        ray_executor.map(lambda x: (lock, x), [1])
    with pytest.raises(ExecutorError, match="must be picklable"):
        ray_executor.submit(square, lock)  # type: ignore[arg-type]


def test_tasks_are_named_after_their_function() -> None:
    assert task_name(square) == "square"
    assert task_name(functools.partial(add, 1)) == "add"
    assert task_name(ExecutorContract.make_executor) == "ExecutorContract.make_executor"
