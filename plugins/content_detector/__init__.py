"""The ``content`` shot detector plugin: fast hard-cut, fade and dissolve detection."""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.content_detector.detector import ContentConfig, ContentDetector
from reelsearch.sdk import ShotDetector, hookimpl


@hookimpl
def register_detectors(register: Callable[[type[ShotDetector]], None]) -> None:
    """Register the ``content`` detector."""
    register(ContentDetector)


__all__ = ["ContentConfig", "ContentDetector", "register_detectors"]
