"""The catalog: titles, and the health of the server."""

from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter

from reelsearch import __version__
from reelsearch.server.access import KeyDep
from reelsearch.server.state import ServedDep
from reelsearch.server.views import HealthView, TitlesView, TitleView

router = APIRouter(tags=["catalog"], dependencies=[KeyDep])
health_router = APIRouter(tags=["health"])


@router.get("/titles")
def titles(served: ServedDep) -> TitlesView:
    """Every title in the catalog, with how many videos and how many seconds it has."""
    counts: dict[str, int] = defaultdict(int)
    durations: dict[str, float] = defaultdict(float)
    for asset in served.runtime.catalog.assets():
        counts[asset.title] += 1
        durations[asset.title] += asset.media.duration if asset.media else 0.0
    return TitlesView(
        titles=[
            TitleView(title=title, assets=count, duration=round(durations[title], 3))
            for title, count in sorted(counts.items())
        ]
    )


@health_router.get("/health")
def health(served: ServedDep) -> HealthView:
    """Whether the server is up: ``starting`` while it warms its searchers' models, then
    ``ok``; needs no API key."""
    runtime = served.runtime
    return HealthView(
        status="ok" if served.jobs.ready.is_set() else "starting",
        version=__version__,
        store=runtime.store.backend,
        searches=len(runtime.registry.names("searcher")),
    )
