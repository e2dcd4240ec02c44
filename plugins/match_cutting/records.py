"""The records of the match-cutting algos: near-duplicate groups, silhouettes, motion, pairs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.sdk import Shot

MatchKind = Literal["frame", "motion"]
"""``frame``: the silhouettes of people match (mask IoU); ``motion``: the movement continues
(optical-flow cosine)."""

KINDS: tuple[MatchKind, ...] = ("frame", "motion")


class ShotInput(Shot):
    """What these algos read of a ``shots`` record: the shot and its thumbnail.

    Validated from the record's fields, so this plugin needs no import of the shots plugin.
    """

    model_config = ConfigDict(frozen=True, from_attributes=True)

    thumbnail: str | None = Field(default=None, description="JPEG of a representative frame.")


class NearDuplicate(Shot):
    """A shot and its near-duplicate group: the earliest shot of a group represents it."""

    group: int = Field(description="Index of the group's representative (earliest) shot.")
    similarity: float = Field(description="Similarity to the representative (1 for itself).")
    dropped: bool = Field(
        default=False, description="Too short to take part: in no group, never a representative."
    )
    thumbnail: str | None = None

    @property
    def representative(self) -> bool:
        """Whether this shot stands for its group."""
        return not self.dropped and self.group == self.index


class Silhouette(BaseModel):
    """Person masks at a shot's boundaries, coarse and bit-packed (``np.packbits``, row-major
    ``height x width``)."""

    index: int = Field(ge=0, description="The shot's index.")
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    outgoing: str = Field(description="Mask of the shot's last frames, packed bits as hex.")
    incoming: str = Field(description="Mask of the shot's first frames, packed bits as hex.")
    outgoing_area: float = Field(ge=0, le=1, description="Share of the frame that is a person.")
    incoming_area: float = Field(ge=0, le=1)


class Motion(BaseModel):
    """Dense optical flow at a shot's boundaries, averaged on a coarse grid: ``rows x cols x 2``
    (dx, dy in frame widths per frame), flattened row-major."""

    index: int = Field(ge=0, description="The shot's index.")
    rows: int = Field(ge=1)
    cols: int = Field(ge=1)
    outgoing: list[float] = Field(description="Flow over the shot's last frames.")
    incoming: list[float] = Field(description="Flow over the shot's first frames.")
    outgoing_magnitude: float = Field(ge=0, description="Mean flow speed, frame widths/frame.")
    incoming_magnitude: float = Field(ge=0)


class ShotRef(BaseModel):
    """One side of a match cut."""

    index: int
    start: float
    end: float
    start_frame: int
    end_frame: int
    fps: float
    thumbnail: str | None = None


class MatchCutPair(BaseModel):
    """A candidate match cut: from the end of ``outgoing`` into the start of ``incoming``."""

    rank: int = Field(ge=1)
    score: float
    outgoing: ShotRef
    incoming: ShotRef


class MatchCuts(BaseModel):
    """The best candidate match cuts of one kind in one asset, and what they were drawn from."""

    kind: MatchKind
    shots: int = Field(ge=0, description="Shots in the asset.")
    representatives: int = Field(
        ge=0, description="Shots left after near-duplicates and short ones."
    )
    candidates: int = Field(
        ge=0, description="Representatives usable for this kind (with people, or moving)."
    )
    pairs: list[MatchCutPair] = Field(default_factory=list, description="Best first.")
