"""The executor interface: where algos and other batched work run.

Every executor takes the same calls: :meth:`Executor.map` for a batched map that keeps input
order and :meth:`Executor.submit` for one call in the background. A task that raises surfaces
as one :class:`~reelsearch.core.errors.ExecutorError` that names the task and the item, with
the task's own exception as ``__cause__``, whichever executor ran it.

Backends implement two primitives over :class:`Batch` and :class:`BatchOutcome`; the batching,
ordering, progress and error handling live here, once.
"""

from __future__ import annotations

import functools
import reprlib
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, TypeVarTuple

from reelsearch.core.components import ProgressCallback, Resources
from reelsearch.core.errors import ExecutorError

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Self

T = TypeVar("T")
R = TypeVar("R")
Ts = TypeVarTuple("Ts")

DEFAULT_RESOURCES = Resources()
"""What a task asks for unless told otherwise: one CPU, no GPU."""


@dataclass(frozen=True)
class Batch(Generic[T]):
    """Consecutive items of one map, run as one task.

    Attributes:
        start: Index of the first item in the map's input.
        items: The items, in input order.
    """

    start: int
    items: list[T]


@dataclass
class Failure:
    """The first item of a batch that raised.

    Attributes:
        index: The item's index in the map's input.
        error: What it raised.
        remote_traceback: The formatted traceback, where the error crossed a process boundary
            (a pickled exception loses its traceback).
    """

    index: int
    error: Exception
    remote_traceback: str | None = None


@dataclass
class BatchOutcome(Generic[R]):
    """What running a batch gave: every result, or those before the first failure.

    Attributes:
        start: Index of the batch's first item in the map's input.
        values: Results of the items that ran, in order.
        failure: The item that raised, if one did; no later item ran.
    """

    start: int
    values: list[R]
    failure: Failure | None = None


def run_batch(
    fn: Callable[[T], R], items: Iterable[T], start: int, *, keep_traceback: bool = False
) -> BatchOutcome[R]:
    """Apply ``fn`` to each item in turn, stopping at the first that raises.

    This is the body of every task, in this process or on a worker; it never raises an
    :class:`Exception` itself but reports it in the outcome.
    """
    values: list[R] = []
    for index, item in enumerate(items, start):
        try:
            values.append(fn(item))
        except Exception as exc:
            trace = "".join(traceback.format_exception(exc)) if keep_traceback else None
            return BatchOutcome(start, values, Failure(index, exc, trace))
    return BatchOutcome(start, values)


def task_name(fn: Callable[..., Any]) -> str:
    """How messages and Ray's dashboard name a task: the function's qualified name."""
    name = getattr(fn, "__qualname__", None)
    if name is None and isinstance(fn, functools.partial):
        return task_name(fn.func)
    return str(name or repr(fn))


def task_failed(
    task: str, error: BaseException, remote_traceback: str | None = None
) -> ExecutorError:
    """The error to raise for ``task`` failing with ``error`` (set as its ``__cause__``)."""
    failure = ExecutorError(f"{task} failed: {type(error).__name__}: {error}")
    if remote_traceback:
        failure.add_note(f"Traceback on the worker:\n{remote_traceback.rstrip()}")
    failure.__cause__ = error
    return failure


def _apply(fn: Callable[..., R], args: tuple[Any, ...]) -> R:
    return fn(*args)


class Executor(ABC):
    """Runs functions over items, in this process or on a cluster.

    Use it as a context manager, or call :meth:`close` when done. Functions and items must be
    picklable for executors that run them in other processes.
    """

    def __init__(self) -> None:
        self._closed = False

    def map(
        self,
        fn: Callable[[T], R],
        items: Iterable[T],
        *,
        resources: Resources = DEFAULT_RESOURCES,
        batch_size: int = 1,
        progress: ProgressCallback | None = None,
        actors: int = 0,
    ) -> list[R]:
        """``[fn(item) for item in items]``, run as tasks of ``batch_size`` items each.

        Args:
            fn: Applied to each item; runs once per item, on the worker that runs its batch.
            items: The inputs; consumed at once.
            resources: What each task (one batch) reserves on the executor.
            batch_size: Items per task; larger batches amortise per-task overhead.
            progress: Called as ``progress(done, total)`` with ``done = 0`` first, then as each
                batch finishes, in the caller's thread.
            actors: Run the batches on a pool of this many long-lived workers (at most one per
                batch), each holding ``resources`` until the map ends and running one batch
                at a time, so that what ``fn`` loads and caches in its process (a model) is
                loaded once per worker, not once per task. ``0``: one task per batch, wherever
                the executor has room. Executors that run in this process share their caches
                anyway and run as they would without it.

        Returns:
            The results, in input order.

        Raises:
            ExecutorError: A task raised (its exception is the ``__cause__``; the message names
                the item's index), or the executor could not run it. Batches not yet finished
                are cancelled where the executor can.
            ValueError: ``batch_size`` is less than 1, or ``actors`` negative.
        """
        self._check_open()
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if actors < 0:
            raise ValueError(f"actors must be 0 (tasks) or more, got {actors}")
        work = list(items)
        batches = [Batch(i, work[i : i + batch_size]) for i in range(0, len(work), batch_size)]
        if progress is not None:
            progress(0, len(work))
        if not batches:
            return []
        slots: list[list[R]] = [[] for _ in batches]
        done = 0
        outcomes = self._run_batches(fn, batches, resources, min(actors, len(batches)))
        try:
            for outcome in outcomes:
                failure = outcome.failure
                if failure is not None:
                    item = f"item {failure.index} ({reprlib.repr(work[failure.index])})"
                    task = f"task {task_name(fn)} on {item}"
                    raise task_failed(task, failure.error, failure.remote_traceback)
                slots[outcome.start // batch_size] = outcome.values
                done += len(outcome.values)
                if progress is not None:
                    progress(done, len(work))
        finally:
            outcomes.close()  # cancels what is still pending when a batch failed
        return [value for slot in slots for value in slot]

    def submit(
        self,
        fn: Callable[[*Ts], R],
        /,
        *args: *Ts,
        resources: Resources = DEFAULT_RESOURCES,
    ) -> Future[R]:
        """Start ``fn(*args)`` and return a future of its result.

        The future is already running, so it cannot be cancelled; if ``fn`` raises, its
        ``result()`` raises :class:`ExecutorError` with the original as ``__cause__``.
        """
        self._check_open()
        call = functools.update_wrapper(functools.partial(_apply, fn), fn)  # keeps fn's name
        source = self._start(call, Batch(0, [args]), resources)
        return _chain(source, f"task {task_name(fn)}")

    def capacity(self, resources: Resources = DEFAULT_RESOURCES) -> int:
        """How many tasks that each reserve ``resources`` can run at the same time: the size
        of an actor pool (see :meth:`map`) that fills the executor."""
        return 1

    def close(self) -> None:
        """Release what this executor holds; further calls raise :class:`ExecutorError`."""
        if not self._closed:
            self._closed = True
            self._shutdown()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def _run_batches(
        self, fn: Callable[[T], R], batches: list[Batch[T]], resources: Resources, actors: int
    ) -> Generator[BatchOutcome[R]]:
        """Run every batch (see :func:`run_batch`) and yield the outcomes as they finish; on
        ``actors`` long-lived workers when it is above 0 (at most one per batch).

        Closing the generator early must cancel the batches that have not finished.
        """

    @abstractmethod
    def _start(
        self, fn: Callable[[T], R], batch: Batch[T], resources: Resources
    ) -> Future[BatchOutcome[R]]:
        """Start one batch in the background."""

    def _shutdown(self) -> None:  # noqa: B027 - optional hook
        """Release resources; called once, by :meth:`close`."""

    def _check_open(self) -> None:
        if self._closed:
            raise ExecutorError(f"{type(self).__name__} is closed; open a new executor")


def _chain(source: Future[BatchOutcome[R]], task: str) -> Future[R]:
    """A future of the single result in ``source``'s outcome, with failures as ExecutorError."""
    target: Future[R] = Future()
    target.set_running_or_notify_cancel()

    def settle(done: Future[BatchOutcome[R]]) -> None:
        try:
            outcome = done.result()
        except Exception as exc:  # the executor could not run the task at all
            target.set_exception(task_failed(task, exc))
            return
        if outcome.failure is not None:
            failure = outcome.failure
            target.set_exception(task_failed(task, failure.error, failure.remote_traceback))
        else:
            target.set_result(outcome.values[0])

    source.add_done_callback(settle)
    return target
