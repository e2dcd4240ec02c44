"""The ``shots`` algo plugin: shot segmentation with thumbnails and clips, stored in ``shots``."""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.shots.algo import ShotsAlgo, ShotsConfig
from reelsearch.plugins.shots.record import ShotRecord
from reelsearch.plugins.shots.segmentation import shots_from_cuts
from reelsearch.plugins.shots.sink import ShotsSink
from reelsearch.sdk import Algo, hookimpl


@hookimpl
def register_algos(register: Callable[[type[Algo]], None]) -> None:
    """Register the ``shots`` algo."""
    register(ShotsAlgo)


__all__ = [
    "ShotRecord",
    "ShotsAlgo",
    "ShotsConfig",
    "ShotsSink",
    "register_algos",
    "shots_from_cuts",
]
