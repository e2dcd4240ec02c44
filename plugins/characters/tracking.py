"""Following faces through a shot: detections on sampled frames joined into tracks."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from reelsearch.sdk import FaceBox, Image


@dataclass
class Detection:
    """A face on one sampled frame: its box, descriptor and crop."""

    frame: int
    box: FaceBox
    vector: NDArray[np.float32]
    crop: Image


@dataclass
class Track:
    """Detections of one face in one shot, in frame order."""

    detections: list[Detection] = field(default_factory=list)

    @property
    def last(self) -> Detection:
        return self.detections[-1]

    def mean_vector(self) -> NDArray[np.float32]:
        return np.mean([d.vector for d in self.detections], axis=0).astype(np.float32)

    def best(self) -> Detection:
        """The detection to show: the largest face, then the surest."""
        return max(self.detections, key=lambda d: (d.box.size, d.box.score))


def iou(a: FaceBox, b: FaceBox) -> float:
    """Intersection over union of two boxes."""
    width = min(a.right, b.right) - max(a.left, b.left)
    height = min(a.bottom, b.bottom) - max(a.top, b.top)
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    area = (a.right - a.left) * (a.bottom - a.top) + (b.right - b.left) * (b.bottom - b.top)
    return inter / (area - inter)


def track_faces(
    frames: list[list[Detection]], *, max_distance: float, min_iou: float = 0.3
) -> list[Track]:
    """Join each frame's detections to the tracks of earlier frames.

    A detection continues the track whose last face overlaps it most (``min_iou``), or
    else whose last descriptor is nearest, if within ``max_distance`` (a face that moved
    fast, or came back after leaving the frame); otherwise it starts a new track. Each track
    takes at most one detection per frame.

    Args:
        frames: The detections of each sampled frame of a shot, in frame order.
        max_distance: Largest descriptor distance between two faces of one person.
        min_iou: Smallest overlap that continues a track whatever the descriptors say.
    """
    tracks: list[Track] = []
    for detections in frames:
        taken: set[int] = set()
        for detection in sorted(detections, key=lambda d: -d.box.size):
            best, best_cost = None, float("inf")
            for number, track in enumerate(tracks):
                if number in taken:
                    continue
                overlap = iou(track.last.box, detection.box)
                distance = float(np.linalg.norm(track.last.vector - detection.vector))
                if overlap >= min_iou and distance <= max_distance * 1.25:
                    cost = distance - overlap
                elif distance <= max_distance:
                    cost = distance
                else:
                    continue
                if cost < best_cost:
                    best, best_cost = number, cost
            if best is None:
                tracks.append(Track([detection]))
                taken.add(len(tracks) - 1)
            else:
                tracks[best].detections.append(detection)
                taken.add(best)
    return tracks
