"""The media layer: probing, one-pass decoding, writing videos.

Every function that reads a video raises :class:`~reelsearch.core.errors.MediaError` with one
line naming the file and the problem.
"""

from __future__ import annotations

from reelsearch.core.media.black import BlackRuns, brightness, runs_of
from reelsearch.core.media.container import open_local_media
from reelsearch.core.media.decode import (
    FramesAt,
    FrameSize,
    FrameTap,
    RGBFrames,
    RGBImage,
    decode_audio,
    decode_frames,
    even_size,
    run_taps,
    scaled_size,
)
from reelsearch.core.media.encode import VideoWriter
from reelsearch.core.media.probe import content_hash, probe

__all__ = [
    "BlackRuns",
    "FrameSize",
    "FrameTap",
    "FramesAt",
    "RGBFrames",
    "RGBImage",
    "VideoWriter",
    "brightness",
    "content_hash",
    "decode_audio",
    "decode_frames",
    "even_size",
    "open_local_media",
    "probe",
    "run_taps",
    "runs_of",
    "scaled_size",
]
