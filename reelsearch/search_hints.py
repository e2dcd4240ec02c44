"""Hints about a search that may have gone wrong: what the CLI prints as warnings and the API
returns in ``SearchResponse.warnings``.

A search naming a title, file, metadata key or speaker that nothing in the catalog carries
finds nothing rather than failing; these hints say which name it was and the closest known
names, that a page lies past the last hit, or that the catalog is empty and how to fill it.
"""

from __future__ import annotations

from reelsearch.core.cursor import first_hit
from reelsearch.core.errors import ReelsearchError, close_names
from reelsearch.core.models import SearchRequest, SearchResponse
from reelsearch.core.runtime import Runtime

EMPTY_CATALOG = (
    "the catalog is empty: add videos with `reelsearch ingest VIDEO...` "
    "(or POST /api/ingest on a server)"
)


def search_hints(rs: Runtime, request: SearchRequest, response: SearchResponse) -> list[str]:
    """What in ``request`` may be a mistake, given its ``response``: one sentence each.

    The catalog is read only when the response has no hits or the filter names something."""
    scope = request.filter
    names = scope.titles or scope.asset_ids or scope.metadata
    assets = rs.catalog.assets() if names or not response.hits else []
    if not response.hits and not assets:
        return [EMPTY_CATALOG]
    hints: list[str] = []
    titles = sorted({asset.title for asset in assets})
    hints += [
        f"no title {title!r} in the catalog{close_names(title, titles)}"
        for title in scope.titles
        if title not in titles
    ]
    ids = {asset.id for asset in assets}
    hints += [
        f"no asset {asset_id!r} in the catalog"
        for asset_id in scope.asset_ids
        if asset_id not in ids
    ]
    keys = sorted({key for asset in assets for key in asset.metadata})
    hints += [
        f"no asset has the metadata key {key!r}{close_names(key, keys)}"
        for key in scope.metadata
        if key not in keys
    ]
    try:
        searchers = rs.gateway.searchers(request)
        context = rs.search_context()
        for searcher in searchers:
            hints += searcher.hints(request, context)
    except ReelsearchError:
        pass  # the search itself reported what is wrong with its searchers
    if not response.hits and response.total is not None:
        start = first_hit(request, rs.settings)
        if start > 0:
            hints.append(
                f"this page starts at hit {start + 1}, past the last of {response.total} hits"
            )
    return hints
