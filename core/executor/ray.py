"""The Ray executor: the same calls as :class:`LocalExecutor`, run as Ray tasks on a cluster.

Imported only when Ray is chosen (:func:`reelsearch.core.executor.open_executor`), so that
importing reelsearch never imports Ray.
"""

from __future__ import annotations

import contextlib
import os
import sys
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

import ray
from ray import cloudpickle

from reelsearch.core.errors import ExecutorError
from reelsearch.core.executor.base import (
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
    """Runs each batch of a map, and each submitted call, as a Ray task.

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

    def _task(self, fn: Callable[..., Any], resources: Resources) -> Any:
        """The remote batch function for ``fn`` with ``resources``, once the cluster has them."""
        if self.check_resources:
            total: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
            for name, wanted in (("CPU", resources.cpus), ("GPU", resources.gpus)):
                have = total.get(name, 0.0)
                if wanted > have:
                    raise ExecutorError(
                        f"a task asks for {wanted:g} {name}(s) but the Ray cluster has {have:g}; "
                        f"lower the component's resources, add {name} nodes, or pass "
                        "check_resources=False if the cluster scales up on demand"
                    )
        return _remote_batch.options(
            name=task_name(fn),  # what Ray's logs and dashboard show
            num_cpus=resources.cpus,
            num_gpus=resources.gpus,
            max_retries=self.max_retries,
        )

    def _run_batches(
        self, fn: Callable[[T], R], batches: list[Batch[T]], resources: Resources
    ) -> Generator[BatchOutcome[R]]:
        task = self._task(fn, resources)
        pending: list[Any] = []
        try:
            with _shipping(fn):
                shared_fn = ray.put(fn)  # pickled once, not once per batch
                for batch in batches:
                    pending.append(task.remote(shared_fn, batch.items, batch.start))
            batch_of = dict(zip(pending, batches, strict=True))
            while pending:
                ready, pending = ray.wait(pending, num_returns=1)
                try:
                    outcome: BatchOutcome[R] = ray.get(ready[0])
                except ray.exceptions.RayError as exc:  # worker died, task cancelled, ...
                    batch = batch_of[ready[0]]
                    end = batch.start + len(batch.items) - 1
                    items = f"items {batch.start}-{end}" if end > batch.start else f"item {end}"
                    raise task_failed(f"task {task_name(fn)} on {items}", exc) from exc
                yield outcome
        finally:
            for ref in pending:
                ray.cancel(ref)

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


_remote_batch: Any = ray.remote(_run_remote)
