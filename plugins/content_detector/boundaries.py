"""From per-frame signals to cut frames: hard cuts, fades through black and dissolves.

- **Hard cut** at ``t``: most pixels change between frames ``t - 1`` and ``t`` (brightness
  matched, so fades do not count), by a margin over the median change around ``t`` (so fast
  motion does not count), and the frames after ``t`` do not return to frame ``t - 1`` within
  ``flash_frames``, nor was the new picture there just before (so flashes and brief
  occlusions do not count).
- **Fade**: a run of near-black frames with picture on both sides is one cut, at the middle of
  the run. A run at the very start (fade in) or end (fade out) is no cut, and no other cut is
  taken near a black run.
- **Dissolve**: frames ``k`` before and ``k`` after ``c`` differ like a cut, clearly more than
  frames ``2k`` apart do just before and just after (steady motion changes the picture all the
  time; a transition changes it once), with no hard cut nearby. The cut is where the
  transition's frames stop looking more like the past than the future.
- Finally cuts closer than the minimum shot length are thinned, strongest first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reelsearch.plugins.content_detector.signals import Floats, Signals
from reelsearch.sdk import BlackRuns, runs_of


@dataclass(frozen=True)
class Rules:
    """The detection settings, in frames (see the detector's config for their meaning)."""

    threshold: float
    context: int
    flash_frames: int
    min_shot: int
    fades: bool
    dark_level: float
    dark_spread: float
    dissolves: bool
    dissolve_threshold: float
    dissolve_half: int
    dissolve_contrast: float


@dataclass(frozen=True)
class Cut:
    """A cut found: the first frame of the new shot, how sure, and what kind of transition."""

    frame: int
    strength: float
    kind: str


FADE_STRENGTH = 3.0
HARD_STRENGTH = 1.0


def find_cuts(signals: Signals, rules: Rules) -> list[Cut]:
    """All cuts the signals show, thinned to the minimum shot length, in frame order."""
    black = _black_runs(signals, rules)
    fades = [Cut(frame, FADE_STRENGTH, "fade") for frame in black.cuts()]
    hard = [cut for cut in _hard_cuts(signals, rules) if not black.absorbs(cut.frame)]
    soft = _dissolves(signals, rules, hard, black) if rules.dissolves else []
    return _thinned([*fades, *hard, *soft], signals.frames, rules.min_shot)


def _black_runs(signals: Signals, rules: Rules) -> BlackRuns:
    if not rules.fades:
        return BlackRuns([], signals.frames, 0)
    return BlackRuns.find(
        signals.luma,
        signals.spread,
        reach=2 * rules.dissolve_half,
        level=rules.dark_level,
        flatness=rules.dark_spread,
    )


def _hard_cuts(signals: Signals, rules: Rules) -> list[Cut]:
    step = signals.change[1]
    cuts = []
    for frame in np.flatnonzero(step >= rules.threshold).tolist():
        if frame == 0:
            continue
        excess = float(step[frame]) - _context_level(step, frame, rules.context)
        if excess >= rules.threshold and not _is_flash(signals, frame, rules):
            cuts.append(Cut(frame, HARD_STRENGTH + excess, "hard"))
    return cuts


def _context_level(step: Floats, frame: int, context: int) -> float:
    """Median change around ``frame``, leaving out the frames next to it."""
    around = np.concatenate(
        [step[max(1, frame - context) : max(1, frame - 1)], step[frame + 2 : frame + context + 1]]
    )
    return float(np.median(around)) if around.size else 0.0


def _is_flash(signals: Signals, frame: int, rules: Rules) -> bool:
    """Whether the picture before ``frame`` comes back within ``flash_frames`` (the start of
    a flash) or the picture from ``frame`` on was already there just before (its end)."""
    for offset in range(2, rules.flash_frames + 2):
        later = frame - 1 + offset
        returns = later < signals.frames and signals.change[offset][later] < rules.threshold
        if returns or (frame >= offset and signals.change[offset][frame] < rules.threshold):
            return True
    return False


def _dissolves(signals: Signals, rules: Rules, hard: list[Cut], black: BlackRuns) -> list[Cut]:
    half = rules.dissolve_half
    span = signals.change[2 * half]
    across = _shifted(span, half)
    # Near the ends of the video one side is unknown: no dissolve is taken there.
    steady = np.maximum(_shifted(span, -half, fill=1.0), _shifted(span, 3 * half, fill=1.0))
    found = (across >= rules.dissolve_threshold) & (across >= rules.dissolve_contrast * steady)
    for cut in hard:
        found[max(0, cut.frame - half - 1) : cut.frame + half + 2] = False
    # The windows compared reach 3 * half frames: none may touch black frames.
    near_black = np.zeros_like(found)
    for start, end in black.runs:
        near_black[max(0, start - 3 * half) : max(0, end + 3 * half)] = True
    found &= ~near_black
    balance = signals.drift - _shifted(signals.drift, half)
    cuts = []
    for start, end in runs_of(found):
        peak = start + int(np.argmax(across[start:end]))
        middle = _plateau_middle(across, peak)
        frame = _crossing(balance, middle, half)
        if not near_black[frame]:
            cuts.append(Cut(frame, float(across[peak]), "dissolve"))
    return cuts


def _plateau_middle(values: Floats, peak: int, share: float = 0.9) -> int:
    """Middle of the run of values within ``share`` of the peak value around ``peak``."""
    near = values >= share * values[peak]
    low = peak
    while low > 0 and near[low - 1]:
        low -= 1
    high = peak + 1
    while high < len(values) and near[high]:
        high += 1
    return (low + high) // 2


def _crossing(balance: Floats, middle: int, half: int) -> int:
    """The frame nearest ``middle`` where ``balance`` turns from negative (the frame is
    closer to the past) to non-negative (closer to the future); ``middle`` if none."""
    low, high = max(1, middle - half // 2), min(len(balance), middle + half // 2 + 1)
    frames = np.arange(low, high)
    turns = frames[(balance[frames - 1] < 0) & (balance[frames] >= 0)]
    return int(turns[np.argmin(np.abs(turns - middle))]) if turns.size else middle


def _thinned(cuts: list[Cut], frames: int, min_shot: int) -> list[Cut]:
    kept: list[Cut] = []
    for cut in sorted(cuts, key=lambda cut: -cut.strength):
        if cut.frame < min_shot or frames - cut.frame < min_shot:
            continue
        if all(abs(cut.frame - other.frame) >= min_shot for other in kept):
            kept.append(cut)
    return sorted(kept, key=lambda cut: cut.frame)


def _shifted(values: Floats, by: int, fill: float = 0.0) -> Floats:
    """``out[t] = values[t + by]``, ``fill`` where that is outside the array."""
    out = np.full_like(values, fill)
    if by >= 0:
        out[: max(0, len(values) - by)] = values[by:]
    else:
        out[-by:] = values[: max(0, len(values) + by)]
    return out
