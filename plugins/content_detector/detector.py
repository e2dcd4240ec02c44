"""The ``content`` shot detector: fast, NumPy-only, on 48x27 frames."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.content_detector.boundaries import Rules, find_cuts
from reelsearch.plugins.content_detector.signals import SignalRecorder
from reelsearch.sdk import FrameBatch, ShotDetector


class ContentConfig(BaseModel):
    """Options of the ``content`` detector; the defaults suit most footage."""

    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(
        default=0.35,
        gt=0,
        le=1,
        description="Hard cut: fraction of pixels that must change from one frame to the next "
        "(brightness matched), above the usual change around it.",
    )
    pixel_delta: float = Field(
        default=20.0, gt=0, description="Change of a pixel, in 0-255 levels, that counts."
    )
    context_seconds: float = Field(
        default=0.5, gt=0, description="Window each side over which the usual change is taken."
    )
    min_shot_seconds: float = Field(
        default=0.4, ge=0, description="Shortest shot; closer cuts are thinned, strongest first."
    )
    min_shot_frames: int | None = Field(
        default=None, ge=1, description="Shortest shot in frames; overrides min_shot_seconds."
    )
    flash_frames: int = Field(
        default=3,
        ge=0,
        description="Flash suppression: a change that reverts within this many frames is no "
        "cut (0 turns it off).",
    )
    fades: bool = Field(default=True, description="Detect fades out to black and in again.")
    dark_level: float = Field(
        default=24.0, ge=0, description="Mean luma (0-255) under which a frame counts as black."
    )
    dark_spread: float = Field(
        default=12.0, ge=0, description="Luma standard deviation under which a frame is flat."
    )
    dissolves: bool = Field(default=True, description="Detect dissolves (cross-fades).")
    dissolve_threshold: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Fraction of pixels that must differ across a dissolve window.",
    )
    dissolve_seconds: float = Field(
        default=0.5,
        gt=0,
        description="Half the dissolve window; dissolves up to about twice this long are found.",
    )
    dissolve_contrast: float = Field(
        default=2.0,
        ge=1,
        description="How much more the picture must change across the window than just "
        "before and after it.",
    )

    def rules(self, fps: float) -> Rules:
        """These settings in frames, for a video at ``fps``."""

        def frames(seconds: float, least: int) -> int:
            return max(least, round(seconds * fps))

        return Rules(
            threshold=self.threshold,
            context=frames(self.context_seconds, 2),
            flash_frames=self.flash_frames,
            min_shot=self.min_shot_frames or frames(self.min_shot_seconds, 1),
            fades=self.fades,
            dark_level=self.dark_level,
            dark_spread=self.dark_spread,
            dissolves=self.dissolves,
            dissolve_threshold=self.dissolve_threshold,
            dissolve_half=frames(self.dissolve_seconds, 2),
            dissolve_contrast=self.dissolve_contrast,
        )


class ContentDetector(ShotDetector[ContentConfig]):
    """Finds hard cuts, fades and dissolves from how the picture changes between frames.

    Works on 48x27 RGB frames in one streaming pass: a few NumPy operations per batch, a few
    numbers kept per frame. See :mod:`reelsearch.plugins.content_detector.boundaries` for
    the rules.
    """

    name = "content"
    description = "Fast content detector: hard cuts, fades and dissolves (NumPy, CPU)."
    frame_size = (48, 27)

    def detect(self, batches: Iterable[FrameBatch], fps: float) -> list[int]:
        config = self.config
        rules = config.rules(fps)
        half = rules.dissolve_half
        offsets = [1, *range(2, rules.flash_frames + 2), 2 * half]
        recorder = SignalRecorder(offsets, drift_offset=half, delta=config.pixel_delta)
        for batch in batches:
            recorder.push(batch)
        return [cut.frame for cut in find_cuts(recorder.finish(), rules)]
