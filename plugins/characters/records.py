"""The records of the ``characters`` plugin's algos: face tracks, characters and voiced lines."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ShotSpan(BaseModel):
    """What the ``faces`` algo reads of a ``shots`` record (any record with these fields)."""

    model_config = ConfigDict(from_attributes=True)

    index: int
    start_frame: int
    end_frame: int
    fps: float


class FaceTrack(BaseModel):
    """One face followed through one shot: where it is seen, its best crop and descriptor.

    ``key`` (``"<shot>.<track>"``) names the track within its video; with the catalog entry's
    id it names it everywhere (:func:`~reelsearch.plugins.characters.names.track_id`).
    """

    key: str = Field(description="<shot index>.<track index in the shot>.")
    shot_index: int = Field(ge=0)
    start: float = Field(ge=0, description="Seconds: the first frame the face is seen on.")
    end: float = Field(ge=0, description="Seconds: the end of the last sampled frame seen.")
    fps: float = Field(gt=0)
    start_frame: int = Field(ge=0)
    end_frame: int = Field(ge=0)
    frames: list[int] = Field(description="Sampled frames the face was detected on.")
    box_sizes: list[int] = Field(description="Shorter side of the face box on each, pixels.")
    thumbnail: str | None = Field(default=None, description="JPEG of the best crop.")
    vector: list[float] = Field(description="Mean face descriptor of the detections.")


class Character(BaseModel):
    """A cluster of one video's face tracks: one person, as far as the descriptors tell."""

    key: str = Field(description="The key of its first track: names the cluster in its video.")
    tracks: list[str] = Field(min_length=1, description="Keys of its face tracks.")
    shots: list[int] = Field(description="Shots it appears in, ascending.")
    start: float = Field(ge=0, description="Seconds: its first appearance.")
    end: float = Field(ge=0, description="Seconds: the end of its last appearance.")
    screen_time: float = Field(ge=0, description="Seconds on screen, tracks added up.")
    thumbnail: str | None = Field(default=None, description="Crop of its largest face.")


class VoicedLine(BaseModel):
    """A line of dialogue with the voice that speaks it and the faces seen alone meanwhile."""

    line: int = Field(ge=0, description="The dialogue line's index.")
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    voice: str | None = Field(
        default=None, description="Voice cluster (``v<n>``); none for a line too short to tell."
    )
    speaker: str | None = Field(default=None, description="The speaker the subtitles name.")
    faces: dict[str, float] = Field(
        default_factory=dict,
        description="Face track key -> seconds it was the only face on screen during the line.",
    )
    vector: list[float] = Field(default_factory=list, description="Speaker embedding.")
