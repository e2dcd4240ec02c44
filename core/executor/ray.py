"""The Ray executor: the same calls as :class:`LocalExecutor`, run as Ray tasks on a cluster.

Imported only when Ray is chosen (:func:`reelsearch.core.executor.open_executor`), so that
importing reelsearch never imports Ray.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import deque
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

import ray
from ray import cloudpickle

from reelsearch.core.errors import ExecutorError
from reelsearch.core.executor.base import (
    DEFAULT_RESOURCES,
    Batch,
    BatchOutcome,
    Executor,
    run_batch,
    task_failed,
    task_name,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator, Mapping

    from reelsearch.core.components import Resources

T = TypeVar("T")
R = TypeVar("R")


def _run_remote(fn: Callable[[T], R], items: list[T], start: int) -> BatchOutcome[R]:
    """The body of every Ray task: :func:`run_batch`, with an error that survives pickling."""
    outcome = run_batch(fn, items, start, keep_traceback=True)
    if outcome.failure is not None:
        outcome.failure.error = _portable(outcome.failure.error)
    return outcome


def _portable(error: Exception) -> Exception:
    """``error``, or a stand-in if it would not survive the trip back to the driver.

    Exceptions whose ``__init__`` takes other arguments than their message, or that hold
    unpicklable state, fail to unpickle; the stand-in keeps their type name and message.
    """
    try:
        cloudpickle.loads(cloudpickle.dumps(error))  # type: ignore[no-untyped-call]
    except Exception:
        return RuntimeError(f"{type(error).__qualname__}: {error} (not picklable)")
    return error


@contextlib.contextmanager
def _shipping(fn: Callable[..., Any]) -> Iterator[None]:
    """Turn Ray's failure to pickle a task's function or inputs into an ExecutorError."""
    try:
        yield
    except TypeError as exc:  # Ray's "Could not serialize ..."
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        raise ExecutorError(
            f"cannot send task {task_name(fn)} to Ray: {reason} (a task's function, "
            "arguments and items must be picklable)"
        ) from exc


def _driver_path_env(runtime_env: Mapping[str, Any] | None) -> dict[str, Any]:
    """``runtime_env`` with the driver's ``sys.path`` as the workers' ``PYTHONPATH``.

    Workers of a local Ray get the driver's current folder on their path, but not the folders
    it added since it started (a test runner's test folders, a script's own folder when run with
    ``-m``), so functions defined in such modules would fail to unpickle there. Workers of a Ray
    started here are the same Python on the same machine, so the driver's path is valid for them.
    """
    env = dict(runtime_env or {})
    env_vars = dict(env.get("env_vars", {}))
    env_vars.setdefault(
        "PYTHONPATH", os.pathsep.join(p for p in sys.path if p and os.path.exists(p))
    )
    env["env_vars"] = env_vars
    return env


class RayExecutor(Executor):
    """Runs each batch of a map, and each submitted call, as a Ray task; or the batches of a map
    on a pool of Ray actors (``map(..., actors=N)``), which keep what they load between batches.

    Connects to the cluster at ``address``, or starts a local Ray for this process, unless this
    process is already connected to one, which is then used as it is. :meth:`close` shuts down
    only a runtime that this executor started.

    Functions ship by value when defined in ``__main__`` or a closure, and by reference (module
    and name) otherwise: on a remote cluster their modules must be installed on the workers or
    shipped with ``runtime_env`` (``py_modules``, ``working_dir``). A local Ray started here
    gives its workers the driver's ``sys.path``.

    Args:
        address: Ray cluster address (``ray://head:10001``, ``auto``); ``None`` starts a local Ray.
        num_cpus: CPUs of a local Ray; default all of this machine's.
        num_gpus: GPUs of a local Ray; default those Ray detects.
        object_store_memory: Bytes of shared memory for a local Ray's object store; lower it
            where ``/dev/shm`` is small.
        runtime_env: Ray runtime environment of this job (``env_vars``, ``py_modules``, ...).
        log_to_driver: Forward the workers' stdout and stderr to this process.
        check_resources: Refuse, with an :class:`ExecutorError`, a request for more CPUs or GPUs
            than the cluster has, instead of waiting for them forever; turn off on an
            autoscaling cluster that adds nodes on demand.
        max_retries: How often Ray reruns a task whose worker died (a crash, the OOM killer, a
            lost node); a task that raises is never rerun.

    Raises:
        ExecutorError: Ray could not start or connect.
    """

    def __init__(
        self,
        address: str | None = None,
        num_cpus: int | None = None,
        *,
        num_gpus: int | None = None,
        object_store_memory: int | None = None,
        runtime_env: Mapping[str, Any] | None = None,
        log_to_driver: bool = False,
        check_resources: bool = True,
        max_retries: int = 3,
    ) -> None:
        super().__init__()
        self.check_resources = check_resources
        self.max_retries = max_retries
        self.owns_runtime = not ray.is_initialized()
        if not self.owns_runtime:
            return
        quiet: dict[str, Any] = {"log_to_driver": log_to_driver, "configure_logging": False}
        try:
            if address:
                ray.init(address=address, runtime_env=runtime_env, **quiet)
            else:
                ray.init(
                    address="local",
                    num_cpus=num_cpus,
                    num_gpus=num_gpus,
                    object_store_memory=object_store_memory,
                    runtime_env=_driver_path_env(runtime_env),
                    include_dashboard=False,
                    **quiet,
                )
        except Exception as exc:
            if address:
                where = f"connect to Ray at {address!r}"
                remedy = (
                    f"check the address, and that the cluster runs Ray {ray.__version__} "
                    f"and Python {sys.version.split()[0]} like this process"
                )
            else:
                where = "start a local Ray"
                remedy = (
                    "lower object_store_memory (/dev/shm may be small) or use the local executor"
                )
            raise ExecutorError(f"could not {where}: {exc}; {remedy}") from exc

    def __repr__(self) -> str:
        return f"RayExecutor(owns_runtime={self.owns_runtime})"

    def capacity(self, resources: Resources = DEFAULT_RESOURCES) -> int:
        """How many tasks reserving ``resources`` the cluster's CPUs and GPUs fit at once (at
        least 1; on an autoscaling cluster, those of the nodes up now)."""
        total: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        fits = [
            int(total.get(name, 0.0) // wanted)
            for name, wanted in (("CPU", resources.cpus), ("GPU", resources.gpus))
            if wanted > 0
        ]
        return max(1, min(fits, default=int(total.get("CPU", 1.0))))

    def _check(self, resources: Resources) -> None:
        """Refuse a request that the cluster can never meet (it would wait forever)."""
        if not self.check_resources:
            return
        total: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        for name, wanted in (("CPU", resources.cpus), ("GPU", resources.gpus)):
            have = total.get(name, 0.0)
            if wanted > have:
                raise ExecutorError(
                    f"a task asks for {wanted:g} {name}(s) but the Ray cluster has {have:g}; "
                    f"lower the component's resources, add {name} nodes, or pass "
                    "check_resources=False if the cluster scales up on demand"
                )

    def _task(self, fn: Callable[..., Any], resources: Resources) -> Any:
        """The remote batch function for ``fn`` with ``resources``, once the cluster has them."""
        self._check(resources)
        return _remote_batch.options(
            name=task_name(fn),  # what Ray's logs and dashboard show
            num_cpus=resources.cpus,
            num_gpus=resources.gpus,
            max_retries=self.max_retries,
        )

    def _run_batches(
        self, fn: Callable[[T], R], batches: list[Batch[T]], resources: Resources, actors: int
    ) -> Generator[BatchOutcome[R]]:
        if actors:
            return self._run_on_pool(fn, batches, resources, actors)
        return self._run_as_tasks(fn, batches, resources)

    def _run_as_tasks(
        self, fn: Callable[[T], R], batches: list[Batch[T]], resources: Resources
    ) -> Generator[BatchOutcome[R]]:
        """One task per batch, all submitted at once; Ray schedules them as resources free."""
        task = self._task(fn, resources)
        running: dict[Any, Batch[T]] = {}
        try:
            with _shipping(fn):
                shared_fn = ray.put(fn)  # pickled once, not once per batch
                for batch in batches:
                    running[task.remote(shared_fn, batch.items, batch.start)] = batch
            while running:
                (done,), _ = ray.wait(list(running), num_returns=1)
                yield _outcome(fn, done, running.pop(done))
        finally:
            for ref in running:
                ray.cancel(ref)

    def _run_on_pool(
        self, fn: Callable[[T], R], batches: list[Batch[T]], resources: Resources, size: int
    ) -> Generator[BatchOutcome[R]]:
        """The batches on ``size`` actors (at most as many as the cluster fits), each holding
        ``resources`` and running one batch at a time.

        An actor gets a batch only once it has started: actors that wait for resources (held by
        another job's pool, say) never hold batches up. Each actor is killed as soon as no batch
        is left for it, which frees its resources at once; those still starting are killed when
        the map ends. An actor that dies is restarted and its batch rerun, up to ``max_retries``
        times.
        """
        self._check(resources)
        if self.check_resources:
            size = min(size, self.capacity(resources))
        options = _BatchWorker.options(
            num_cpus=resources.cpus,
            num_gpus=resources.gpus,
            max_restarts=self.max_retries,
            max_task_retries=self.max_retries,
        )
        waiting = deque(batches)  # batches no actor has taken yet
        workers: list[Any] = []
        starting: dict[Any, Any] = {}  # ready ref -> its actor, not started yet
        running: dict[Any, tuple[Batch[T], Any]] = {}  # result ref -> (batch, actor)
        try:
            with _shipping(fn):
                shared_fn = ray.put(fn)  # pickled once, not once per batch
            for _ in range(size):
                workers.append(options.remote())
                starting[workers[-1].ready.remote()] = workers[-1]
            while running or (waiting and starting):
                (done,), _ = ray.wait([*running, *starting], num_returns=1)
                outcome: BatchOutcome[R] | None = None
                if done in starting:
                    worker = starting.pop(done)
                    _started(fn, done)
                else:
                    batch, worker = running.pop(done)
                    outcome = _outcome(fn, done, batch)
                if waiting and (outcome is None or outcome.failure is None):
                    batch = waiting.popleft()
                    with _shipping(fn):
                        call = worker.run.options(name=task_name(fn))
                        running[call.remote(shared_fn, batch.items, batch.start)] = (batch, worker)
                else:
                    ray.kill(worker)  # nothing left for it: free its resources now
                if outcome is not None:
                    yield outcome
            if waiting:  # only after a failed batch, which the caller raises on
                raise ExecutorError(f"task {task_name(fn)}: {len(waiting)} batches never ran")
        finally:
            for worker in workers:  # ends any batch still running, and frees the resources
                ray.kill(worker)

    def _start(
        self, fn: Callable[[T], R], batch: Batch[T], resources: Resources
    ) -> Future[BatchOutcome[R]]:
        task = self._task(fn, resources)
        with _shipping(fn):
            future: Future[BatchOutcome[R]] = task.remote(fn, batch.items, batch.start).future()
        return future

    def _shutdown(self) -> None:
        if self.owns_runtime and ray.is_initialized():
            ray.shutdown()


def _outcome(fn: Callable[..., Any], ref: Any, batch: Batch[T]) -> BatchOutcome[Any]:
    """The outcome of the finished task ``ref`` running ``batch``, or the error that Ray could
    not run it (its worker died, it was cancelled...)."""
    try:
        outcome: BatchOutcome[Any] = ray.get(ref)
    except ray.exceptions.RayError as exc:
        end = batch.start + len(batch.items) - 1
        items = f"items {batch.start}-{end}" if end > batch.start else f"item {end}"
        raise task_failed(f"task {task_name(fn)} on {items}", exc) from exc
    return outcome


def _started(fn: Callable[..., Any], ref: Any) -> None:
    """Raise an :class:`ExecutorError` if the actor whose ``ready()`` is ``ref`` did not start."""
    try:
        ray.get(ref)
    except ray.exceptions.RayError as exc:
        raise task_failed(f"starting a worker for task {task_name(fn)}", exc) from exc


class _Worker:
    """A long-lived batch worker of an actor pool: what its batches load stays loaded."""

    def ready(self) -> bool:
        """Answers once the actor has started (it had the resources it asks for)."""
        return True

    def run(self, fn: Callable[[T], R], items: list[T], start: int) -> BatchOutcome[R]:
        return _run_remote(fn, items, start)


_remote_batch: Any = ray.remote(_run_remote)
_BatchWorker: Any = ray.remote(_Worker)
