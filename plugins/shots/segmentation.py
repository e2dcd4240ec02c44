"""From a detector's cut frames to shots that cover a video exactly."""

from __future__ import annotations

from collections.abc import Iterable

from reelsearch.sdk import Shot


def shots_from_cuts(
    asset_id: str, cuts: Iterable[int], frames: int, fps: float, *, min_frames: int = 1
) -> list[Shot]:
    """Contiguous shots covering frames ``[0, frames)``, split at ``cuts``.

    Cuts outside the video or repeated are ignored; a cut that would leave a shot shorter than
    ``min_frames`` (before or after it) is dropped, earlier cuts winning.

    Args:
        asset_id: The video's asset id.
        cuts: Frames where a new shot starts.
        frames: Frames in the video.
        fps: The video's frame rate.
        min_frames: Shortest shot kept.
    """
    if frames < 1:
        return []
    starts = [0]
    for cut in sorted(set(cuts)):
        if cut - starts[-1] >= min_frames and frames - cut >= min_frames:
            starts.append(cut)
    ends = [*starts[1:], frames]
    return [
        Shot(asset_id=asset_id, index=index, start_frame=start, end_frame=end, fps=fps)
        for index, (start, end) in enumerate(zip(starts, ends, strict=True))
    ]
