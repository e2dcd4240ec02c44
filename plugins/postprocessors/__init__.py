"""The built-in post-processors, chained in the order a request (or the ``postprocessors``
setting) names them:

- ``min_score``: drop hits below ``request.min_score``;
- ``fuse``: one ranking from several searchers (reciprocal-rank or weighted fusion);
- ``intersect``: keep hits overlapping in time hits of ``request.intersect``'s queries;
- ``merge``: one hit for adjacent hits of the same shot;
- ``sort``: by score or by time (``request.sort``);
- ``group``: by title or asset (``request.group_by``);
- ``paginate``: one page of ``limit`` hits from ``offset``.
"""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.postprocessors.fusion import Fuse, FusionOptions
from reelsearch.plugins.postprocessors.grouping import Group, GroupOptions
from reelsearch.plugins.postprocessors.intersection import Intersect, IntersectOptions
from reelsearch.plugins.postprocessors.merging import Merge, MergeOptions
from reelsearch.plugins.postprocessors.ordering import (
    MinScore,
    MinScoreOptions,
    Paginate,
    Sort,
    SortOptions,
)
from reelsearch.sdk import PostProcessor, hookimpl

POSTPROCESSORS: tuple[type[PostProcessor], ...] = (
    Fuse,
    Group,
    Intersect,
    Merge,
    MinScore,
    Paginate,
    Sort,
)


@hookimpl
def register_postprocessors(register: Callable[[type[PostProcessor]], None]) -> None:
    """Register the built-in post-processors."""
    for post in POSTPROCESSORS:
        register(post)


__all__ = [
    "POSTPROCESSORS",
    "Fuse",
    "FusionOptions",
    "Group",
    "GroupOptions",
    "Intersect",
    "IntersectOptions",
    "Merge",
    "MergeOptions",
    "MinScore",
    "MinScoreOptions",
    "Paginate",
    "Sort",
    "SortOptions",
    "register_postprocessors",
]
