"""The match-cutting algos, each a memoised step of the DAG:

``shots`` -> ``near_duplicates`` (groups, earliest shot represents each)
``shots`` -> ``silhouettes`` (person masks at each shot's ends)
``shots`` -> ``motion`` (optical flow at each shot's ends)
all four -> ``match_cuts`` (the best pairs of representatives, per kind)

Each decodes the video once, sequentially, and only as far as its last needed frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.match_cutting.frames import FrameFeed, boundary, inside, owners_of
from reelsearch.plugins.match_cutting.records import (
    KINDS,
    MatchCutPair,
    MatchCuts,
    MatchKind,
    Motion,
    NearDuplicate,
    ShotInput,
    ShotRef,
    Silhouette,
)
from reelsearch.plugins.match_cutting.representations import (
    RGB,
    SIGNATURE_SIZE,
    Floats,
    Segmenter,
    coarse,
    colour_layout,
    farneback,
    grey,
    pack_mask,
    unpack_mask,
)
from reelsearch.plugins.match_cutting.scoring import (
    cosine_matrix,
    iou_matrix,
    near_duplicate_groups,
    top_pairs,
)
from reelsearch.plugins.match_cutting.sinks import MatchCutsSink, NearDuplicatesSink
from reelsearch.sdk import (
    Algo,
    AlgoContext,
    require,
    run_taps,
)

INCOMING, OUTGOING = 0, 1
EMBEDDINGS = "shot_embeddings"
"""The algo whose vectors ``near_duplicates`` compares where they exist (the visual plugin's)."""


class NearDuplicatesConfig(BaseModel):
    """Options of the ``near_duplicates`` algo (``[components.algos.near_duplicates]``)."""

    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(
        default=0.9,
        ge=-1,
        le=1,
        description="Cosine similarity of colour layouts at or above which a shot joins an "
        "earlier one's group.",
    )
    min_shot_seconds: float = Field(
        default=0.5, ge=0, description="Shorter shots take no part (cutaways, flashes)."
    )
    frames_per_shot: int = Field(
        default=3, ge=1, le=32, description="Frames compared per shot (colour layouts)."
    )
    embeddings: bool = Field(
        default=True,
        description="Compare shots by their shot_embeddings vectors (CLIP) where that algo ran "
        "in the same ingest; else, or when false, by colour layouts.",
    )
    embedding_threshold: float = Field(
        default=0.95,
        ge=-1,
        le=1,
        description="Cosine similarity of shot embeddings at or above which a shot joins a group.",
    )


class EmbeddedShot(BaseModel):
    """What ``near_duplicates`` reads of a ``shot_embeddings`` record."""

    index: int
    vector: list[float]


class NearDuplicatesAlgo(Algo[NearDuplicate, NearDuplicatesConfig]):
    """Groups near-duplicate shots of a video (the back-and-forth of a conversation) so that
    only the earliest of each group is matched; very short shots are left out.

    Shots are compared by their ``shot_embeddings`` vectors where that algo ran in the same
    ingest (it is in :attr:`uses`), else by colour layouts, which need no model: without CLIP
    weights the groups are still found, offline.
    """

    name = "near_duplicates"
    description = "Near-duplicate shot groups (shot embeddings, or colour layouts offline)."
    version = "2"
    depends_on = ("shots",)
    uses = frozenset({EMBEDDINGS})

    def run(self, ctx: AlgoContext) -> list[NearDuplicate]:
        settings = self.config
        shots = ctx.records("shots", ShotInput)
        kept = [s for s in shots if s.end - s.start >= settings.min_shot_seconds]
        if settings.embeddings and ctx.has(EMBEDDINGS):
            vectors = _embeddings(ctx.records(EMBEDDINGS, EmbeddedShot), kept)
            threshold = settings.embedding_threshold
        else:
            vectors = self._layouts(ctx.asset.uri, kept)
            threshold = settings.threshold
        groups, similarity = near_duplicate_groups(vectors, threshold)
        grouped = {
            shot.index: (kept[group].index, score)
            for shot, group, score in zip(kept, groups, similarity, strict=True)
        }
        return [
            NearDuplicate(
                **shot.model_dump(exclude={"thumbnail"}),
                thumbnail=shot.thumbnail,
                group=grouped.get(shot.index, (shot.index, 1.0))[0],
                similarity=grouped.get(shot.index, (shot.index, 1.0))[1],
                dropped=shot.index not in grouped,
            )
            for shot in shots
        ]

    def _layouts(self, video: str, shots: Sequence[ShotInput]) -> Floats:
        frames = {s.index: inside(s, self.config.frames_per_shot) for s in shots}
        owners = owners_of(frames)
        sums: dict[int, Floats] = {}
        counts: dict[int, int] = {}

        def add(number: int, image: RGB) -> None:
            layout = colour_layout(image)
            for shot in owners[number]:
                sums[shot] = sums.get(shot, 0) + layout
                counts[shot] = counts.get(shot, 0) + 1

        run_taps(video, [FrameFeed(owners, SIGNATURE_SIZE, add)])
        size = 3 * SIGNATURE_SIZE[0] * SIGNATURE_SIZE[1]
        zero = np.zeros(size, dtype=np.float32)
        # A shot none of whose frames decoded compares as zero: it groups with nothing.
        rows = [sums[s.index] / counts[s.index] if s.index in sums else zero for s in shots]
        return np.stack(rows) if rows else np.zeros((0, size), dtype=np.float32)

    def sink(self) -> NearDuplicatesSink:
        return NearDuplicatesSink(self.name, self.version)


def _embeddings(records: Sequence[EmbeddedShot], shots: Sequence[ShotInput]) -> Floats:
    """The stored vector of each of ``shots``; zeros (grouping with nothing) where a shot has
    none (no frame of it decoded)."""
    by_index = {r.index: np.asarray(r.vector, dtype=np.float32) for r in records}
    size = len(next(iter(by_index.values()))) if by_index else 1
    zero = np.zeros(size, dtype=np.float32)
    rows = [by_index.get(s.index, zero) for s in shots]
    return np.stack(rows) if rows else np.zeros((0, size), dtype=np.float32)


class SilhouettesConfig(BaseModel):
    """Options of the ``silhouettes`` algo (``[components.algos.silhouettes]``)."""

    model_config = ConfigDict(extra="forbid")

    boundary_frames: int = Field(
        default=3, ge=1, le=30, description="Frames segmented at each end of a shot."
    )
    mask_width: int = Field(default=64, ge=4, le=256, description="Stored mask width (cells).")
    mask_height: int = Field(default=36, ge=4, le=256, description="Stored mask height.")
    threshold: float = Field(
        default=0.5, gt=0, lt=1, description="Person probability at which a cell is a person."
    )
    model: str | None = Field(
        default=None,
        description="A TFLite selfie segmentation model; default the bundled MediaPipe one.",
    )
    threads: int = Field(default=1, ge=1, le=64, description="LiteRT threads.")


class SilhouettesAlgo(Algo[Silhouette, SilhouettesConfig]):
    """Person masks of each shot's first and last frames (MediaPipe selfie segmentation on
    LiteRT), averaged and stored small, for silhouette (frame) match cuts."""

    name = "silhouettes"
    description = "Person masks at shot boundaries, for frame match cuts (matchcut extra)."
    version = "1"
    depends_on = ("shots",)

    def warm_up(self) -> None:
        require("ai_edge_litert", extra="matchcut", needed_by="the silhouettes algo")
        self._segmenter = Segmenter.load(self.config.model, self.config.threads)

    def run(self, ctx: AlgoContext) -> list[Silhouette]:
        settings = self.config
        segmenter = self._segmenter
        shots = ctx.records("shots", ShotInput)
        ends = {s.index: boundary(s, settings.boundary_frames) for s in shots}
        frames = {}
        for index, ends_of in ends.items():
            frames[2 * index + INCOMING] = ends_of.incoming
            frames[2 * index + OUTGOING] = ends_of.outgoing
        owners = owners_of(frames)
        sums: dict[int, Floats] = {}
        done = [0]

        def add(number: int, image: RGB) -> None:
            probabilities = segmenter(image)
            for owner in owners[number]:
                sums[owner] = sums.get(owner, 0) + probabilities
            done[0] += 1
            ctx.progress(done[0], len(owners))

        run_taps(ctx.asset.uri, [FrameFeed(owners, segmenter.size, add)])
        grid = (settings.mask_width, settings.mask_height)

        def mask(owner: int) -> np.ndarray:
            if owner not in sums:
                return np.zeros((settings.mask_height, settings.mask_width), dtype=bool)
            mean = sums[owner] / len(frames[owner])
            return coarse(mean, grid) >= settings.threshold

        records = []
        for shot in shots:
            incoming, outgoing = mask(2 * shot.index + INCOMING), mask(2 * shot.index + OUTGOING)
            records.append(
                Silhouette(
                    index=shot.index,
                    width=settings.mask_width,
                    height=settings.mask_height,
                    incoming=pack_mask(incoming),
                    outgoing=pack_mask(outgoing),
                    incoming_area=float(incoming.mean()),
                    outgoing_area=float(outgoing.mean()),
                )
            )
        return records


class MotionConfig(BaseModel):
    """Options of the ``motion`` algo (``[components.algos.motion]``)."""

    model_config = ConfigDict(extra="forbid")

    boundary_frames: int = Field(
        default=4, ge=2, le=30, description="Frames at each end of a shot whose flow is taken."
    )
    grid: int = Field(default=8, ge=1, le=32, description="The flow field's grid: grid x grid.")
    frame_width: int = Field(default=128, ge=16, le=1024, description="Flow frame width.")
    frame_height: int = Field(default=72, ge=16, le=1024, description="Flow frame height.")


class MotionAlgo(Algo[Motion, MotionConfig]):
    """Dense optical flow (OpenCV Farneback) between consecutive frames at each end of a shot,
    averaged onto a coarse grid, for action (motion) match cuts."""

    name = "motion"
    description = "Optical flow at shot boundaries, for motion match cuts (matchcut extra)."
    version = "1"
    depends_on = ("shots",)

    def warm_up(self) -> None:
        require("cv2", extra="matchcut", needed_by="the motion algo")

    def run(self, ctx: AlgoContext) -> list[Motion]:
        settings = self.config
        shots = ctx.records("shots", ShotInput)
        frames: dict[int, tuple[int, ...]] = {}
        for shot in shots:
            ends = boundary(shot, settings.boundary_frames)
            frames[2 * shot.index + INCOMING] = ends.incoming
            frames[2 * shot.index + OUTGOING] = ends.outgoing
        owners = owners_of(frames)
        previous: dict[int, np.ndarray] = {}
        sums: dict[int, Floats] = {}
        steps: dict[int, int] = {}
        grid = (settings.grid, settings.grid)

        def add(number: int, image: RGB) -> None:
            frame = grey(image)
            for owner in owners[number]:
                if owner in previous:
                    flow = coarse(farneback(previous[owner], frame), grid)
                    sums[owner] = sums.get(owner, 0) + flow
                    steps[owner] = steps.get(owner, 0) + 1
                previous[owner] = frame

        size = (settings.frame_width, settings.frame_height)
        run_taps(ctx.asset.uri, [FrameFeed(owners, size, add)])

        def field(owner: int) -> Floats:
            if owner not in sums:
                return np.zeros((settings.grid, settings.grid, 2), dtype=np.float32)
            return (sums[owner] / steps[owner] / settings.frame_width).astype(np.float32)

        records = []
        for shot in shots:
            incoming = field(2 * shot.index + INCOMING)
            outgoing = field(2 * shot.index + OUTGOING)
            records.append(
                Motion(
                    index=shot.index,
                    rows=settings.grid,
                    cols=settings.grid,
                    incoming=[round(float(x), 6) for x in incoming.ravel()],
                    outgoing=[round(float(x), 6) for x in outgoing.ravel()],
                    incoming_magnitude=_speed(incoming),
                    outgoing_magnitude=_speed(outgoing),
                )
            )
        return records


def _speed(field: Floats) -> float:
    return float(np.linalg.norm(field, axis=-1).mean())


class MatchCutsConfig(BaseModel):
    """Options of the ``match_cuts`` algo (``[components.algos.match_cuts]``)."""

    model_config = ConfigDict(extra="forbid")

    max_pairs: int = Field(
        default=500, ge=1, le=10_000, description="Best pairs kept per kind and video."
    )
    min_person_area: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="Share of the frame a silhouette must cover at both ends of a shot for it "
        "to take part in frame match cuts.",
    )
    min_motion: float = Field(
        default=0.002,
        ge=0,
        description="Mean flow speed (frame widths per frame) a shot's ends must reach for it "
        "to take part in motion match cuts.",
    )


class MatchCutsAlgo(Algo[MatchCuts, MatchCutsConfig]):
    """Scores every pair of near-duplicate representatives of a video at once, per kind: frame
    (silhouette IoU, end of one shot against the start of the other) and motion (flow cosine),
    and keeps the best ``max_pairs`` of each."""

    name = "match_cuts"
    description = "Candidate match cuts (frame: silhouettes, motion: optical flow) per video."
    version = "1"
    depends_on = ("shots", "near_duplicates", "silhouettes", "motion")

    def run(self, ctx: AlgoContext) -> list[MatchCuts]:
        shots = ctx.records("near_duplicates", NearDuplicate)
        representatives = [s for s in shots if s.representative]
        silhouettes = {r.index: r for r in ctx.records("silhouettes", Silhouette)}
        motion = {r.index: r for r in ctx.records("motion", Motion)}
        return [
            self._kind(kind, len(shots), representatives, silhouettes, motion) for kind in KINDS
        ]

    def _kind(
        self,
        kind: MatchKind,
        total: int,
        representatives: list[NearDuplicate],
        silhouettes: dict[int, Silhouette],
        motion: dict[int, Motion],
    ) -> MatchCuts:
        settings = self.config
        if kind == "frame":
            used = [
                s
                for s in representatives
                if s.index in silhouettes
                and min(silhouettes[s.index].incoming_area, silhouettes[s.index].outgoing_area)
                >= settings.min_person_area
            ]
            scores = _silhouette_scores([silhouettes[s.index] for s in used])
        else:
            used = [
                s
                for s in representatives
                if s.index in motion
                and min(motion[s.index].incoming_magnitude, motion[s.index].outgoing_magnitude)
                >= settings.min_motion
            ]
            scores = _motion_scores([motion[s.index] for s in used])
        pairs = [
            MatchCutPair(
                rank=rank, score=round(score, 6), outgoing=_ref(used[a]), incoming=_ref(used[b])
            )
            for rank, (a, b, score) in enumerate(top_pairs(scores, settings.max_pairs), start=1)
        ]
        return MatchCuts(
            kind=kind,
            shots=total,
            representatives=len(representatives),
            candidates=len(used),
            pairs=pairs,
        )

    def sink(self) -> MatchCutsSink:
        return MatchCutsSink(self.name, self.version)


def _silhouette_scores(records: Sequence[Silhouette]) -> Floats:
    if not records:
        return np.zeros((0, 0), dtype=np.float32)
    size = records[0].width * records[0].height
    outgoing = np.stack([unpack_mask(r.outgoing, size) for r in records])
    incoming = np.stack([unpack_mask(r.incoming, size) for r in records])
    return iou_matrix(outgoing, incoming)


def _motion_scores(records: Sequence[Motion]) -> Floats:
    if not records:
        return np.zeros((0, 0), dtype=np.float32)
    outgoing = np.array([r.outgoing for r in records], dtype=np.float32)
    incoming = np.array([r.incoming for r in records], dtype=np.float32)
    return cosine_matrix(outgoing, incoming)


def _ref(shot: NearDuplicate) -> ShotRef:
    return ShotRef(
        index=shot.index,
        start=shot.start,
        end=shot.end,
        start_frame=shot.start_frame,
        end_frame=shot.end_frame,
        fps=shot.fps,
        thumbnail=shot.thumbnail,
    )
