"""Executors: where algos and other batched work run.

:class:`LocalExecutor` runs in this process (tests, small jobs); :class:`RayExecutor` runs on a
local or remote Ray cluster. Both take the same calls (:class:`Executor`).
:func:`open_executor` picks one from the settings. Ray is imported only when a
:class:`RayExecutor` is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reelsearch.core.executor.base import DEFAULT_RESOURCES, Executor
from reelsearch.core.executor.local import LocalExecutor
from reelsearch.core.extras import require

if TYPE_CHECKING:
    from reelsearch.core.config import Settings
    from reelsearch.core.executor.ray import RayExecutor

__all__ = ["DEFAULT_RESOURCES", "Executor", "LocalExecutor", "RayExecutor", "open_executor"]


def open_executor(settings: Settings) -> Executor:
    """The executor that ``settings`` choose: ``executor = "local"`` or ``"ray"``.

    Raises:
        ExecutorError: Ray could not start or connect.
        MissingExtraError: Ray is not installed.
    """
    if settings.executor == "ray":
        return _ray()(address=settings.ray_address, num_cpus=settings.ray_num_cpus)
    return LocalExecutor()


def _ray() -> type[RayExecutor]:
    require("ray", extra="ray", needed_by='executor = "ray"')
    from reelsearch.core.executor.ray import RayExecutor

    return RayExecutor


def __getattr__(name: str) -> Any:
    if name == "RayExecutor":  # imported on first use, so that importing reelsearch skips Ray
        return _ray()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
