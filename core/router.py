"""The query router: which searchers a request goes to, and the concurrent fan-out to them.

Searchers wait on the store and on encoders, so they run on threads. A searcher that fails
while others answer does not fail the request: its error is reported in
:attr:`SearchResponse.errors <reelsearch.core.models.SearchResponse.errors>` next to the
others' hits. When every searcher fails, the request fails with the first error.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from reelsearch.core.components import SearchContext, Searcher
from reelsearch.core.config import Settings
from reelsearch.core.errors import ReelsearchError, RequestError, UnknownComponentError
from reelsearch.core.factory import ComponentFactory
from reelsearch.core.models import Hit, SearcherFailure, SearchRequest
from reelsearch.core.telemetry import span

P = ParamSpec("P")
T = TypeVar("T")


class SearcherError(ReelsearchError):
    """Every searcher a request went to failed, at least one of them unexpectedly."""


def submit(pool: Executor, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> Future[T]:
    """``pool.submit`` that runs ``fn`` in a copy of the caller's context, so that its spans
    are children of the caller's current span."""
    context = contextvars.copy_context()
    return pool.submit(lambda: context.run(fn, *args, **kwargs))


class InThread(Executor):
    """An executor that runs each call at once, in the calling thread (one call: no threads)."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller by Future.result()
            future.set_exception(exc)
        return future


@dataclass
class Outcome:
    """What the searchers gave: their hits, and the failures of those that failed."""

    hits: list[Hit] = field(default_factory=list)
    failures: list[SearcherFailure] = field(default_factory=list)
    answered: int = 0
    _errors: list[Exception] = field(default_factory=list)

    def add(self, searcher: Searcher, result: list[Hit] | Exception) -> None:
        """Record one searcher's hits (stamped with its name) or its exception."""
        if isinstance(result, Exception):
            self._errors.append(result)
            self.failures.append(
                SearcherFailure(
                    searcher=searcher.name,
                    algo=searcher.algo,
                    error=type(result).__name__,
                    message=str(result),
                )
            )
            return
        self.answered += 1
        for hit in result:  # in place: a searcher's hits are its own, and copying 100s costs
            hit.searcher = hit.searcher or searcher.name
        self.hits.extend(result)

    def raise_if_none_answered(self) -> None:
        """Fail when every searcher failed: with the first one's error if it is one of
        reelsearch's own (a bad query, a missing model), else with a :class:`SearcherError`."""
        if self.answered or not self._errors:
            return
        first, failure = self._errors[0], self.failures[0]
        if isinstance(first, ReelsearchError):
            raise first
        others = len(self.failures) - 1
        raise SearcherError(
            f"searcher {failure.searcher!r} failed: {failure.error}: {failure.message}"
            + (f" ({others} other searchers failed too)" if others else "")
        ) from first


class Router:
    """Chooses the searchers of a request and calls them, concurrently when there are several."""

    def __init__(self, factory: ComponentFactory, settings: Settings) -> None:
        self.factory = factory
        self.settings = settings

    def searchers(self, request: SearchRequest) -> list[Searcher]:
        """The searchers that will receive ``request``.

        Raises:
            UnknownComponentError: ``request.algos`` names neither an algo nor a searcher.
            RequestError: No searcher answers this kind of query for those algos.
        """
        registry = self.factory.registry
        known = {name for kind in ("algo", "searcher") for name in registry.names(kind)}
        for name in request.algos:
            if name not in known:
                raise UnknownComponentError("searcher", name, registry.names("searcher"))
        chosen = []
        for name in registry.names("searcher"):
            searcher = self.factory(Searcher, name)
            if searcher.accepts(request):
                chosen.append(searcher)
        if not chosen:
            raise RequestError(
                f"no registered search answers a {request.query_kind} query"
                + (f" for {', '.join(request.algos)}" if request.algos else "")
                + f"; searchers: {', '.join(registry.names('searcher')) or 'none'}"
            )
        return chosen

    def fan_out(
        self,
        searchers: Sequence[Searcher],
        request: SearchRequest,
        ctx: SearchContext,
        pool: Executor,
    ) -> Outcome:
        """Every searcher's hits for ``request``, the searchers running on ``pool``."""
        futures = [submit(pool, self.call, searcher, request, ctx) for searcher in searchers]
        outcome = Outcome()
        for searcher, future in zip(searchers, futures, strict=True):
            outcome.add(searcher, future.result())
        return outcome

    def call(
        self, searcher: Searcher, request: SearchRequest, ctx: SearchContext
    ) -> list[Hit] | Exception:
        """One searcher's hits, or the exception it raised, in a ``searcher.<name>`` span."""
        try:
            with span(
                self.settings,
                f"searcher.{searcher.name}",
                searcher=searcher.name,
                algo=searcher.algo,
            ) as current:
                hits = searcher.warmed().search(request, ctx)
                current.set_attribute("reelsearch.hits", len(hits))
                current.set_attribute("reelsearch.asset_ids", sorted({h.asset_id for h in hits}))
        except Exception as exc:  # reported in the response, or raised if every searcher failed
            return exc
        return hits
