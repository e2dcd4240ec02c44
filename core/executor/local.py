"""The in-process executor: tests, small jobs, and a laptop with no services."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import TYPE_CHECKING, TypeVar

from reelsearch.core.executor.base import (
    DEFAULT_RESOURCES,
    Batch,
    BatchOutcome,
    Executor,
    run_batch,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    from reelsearch.core.components import Resources

T = TypeVar("T")
R = TypeVar("R")


class LocalExecutor(Executor):
    """Runs tasks in this process: in the caller's thread, or on a pool of threads.

    Resource requests are not enforced: every task may use the whole machine.

    Args:
        max_workers: Threads to run batches on; ``None`` (the default) runs each batch in the
            caller's thread, one after the other, and :meth:`submit` runs at once.
    """

    def __init__(self, max_workers: int | None = None) -> None:
        super().__init__()
        if max_workers is not None and max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, got {max_workers}")
        self.max_workers = max_workers
        self._pool = (
            ThreadPoolExecutor(max_workers, thread_name_prefix="reelsearch")
            if max_workers is not None
            else None
        )

    def __repr__(self) -> str:
        return f"LocalExecutor(max_workers={self.max_workers})"

    def capacity(self, resources: Resources = DEFAULT_RESOURCES) -> int:
        return self.max_workers or 1

    def _run_batches(
        self, fn: Callable[[T], R], batches: list[Batch[T]], resources: Resources, actors: int
    ) -> Generator[BatchOutcome[R]]:
        # ``actors`` changes nothing here: every batch runs in this process, whose caches
        # (warm models) all batches share.
        if self._pool is None:
            for batch in batches:  # lazily: nothing runs after a batch that failed
                yield run_batch(fn, batch.items, batch.start)
            return
        futures = [self._start(fn, batch, resources) for batch in batches]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()

    def _start(
        self, fn: Callable[[T], R], batch: Batch[T], resources: Resources
    ) -> Future[BatchOutcome[R]]:
        if self._pool is not None:
            return self._pool.submit(run_batch, fn, batch.items, batch.start)
        future: Future[BatchOutcome[R]] = Future()
        future.set_result(run_batch(fn, batch.items, batch.start))
        return future

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
