"""The ``voices`` algo: who speaks each line of dialogue, as a voice, and as a character.

Each line's audio is embedded with Resemblyzer's speaker encoder (its bundled
``pretrained.pt``: a 3-layer LSTM over 40-band mel frames, run here with torch directly:
importing the ``resemblyzer`` package needs ``webrtcvad``, which imports ``pkg_resources``,
gone from recent setuptools) and a video's lines are clustered into voices. A voice takes a
speaker label from the subtitles' speakers of its lines, or else from the character whose
face is the only one on screen for most of the time it speaks; lines without a speaker of
their own get that label in the dialogue collection, so that ``--speaker`` finds them.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.characters.clustering import Method, cluster
from reelsearch.plugins.characters.faces import local_path
from reelsearch.plugins.characters.models import EXTRA, packaged_file
from reelsearch.plugins.characters.names import NAMES, VOICES, name_key
from reelsearch.plugins.characters.records import FaceTrack, VoicedLine
from reelsearch.plugins.characters.sinks import VoicesSink, names_of
from reelsearch.sdk import (
    Algo,
    AlgoContext,
    PointFilter,
    VectorStore,
    decode_audio,
    probe,
    require,
)

SAMPLE_RATE = 16_000
MEL_BANDS = 40
WINDOW = 400  # 25 ms
HOP = 160  # 10 ms
PARTIAL_FRAMES = 160  # 1.6 s
PARTIAL_STEP = round(SAMPLE_RATE / 1.3 / HOP)  # 77 frames: 1.3 partials a second
MIN_COVERAGE = 0.75
"""The last partial is kept if the speech covers this share of it (or it is the only one)."""
NORM_RMS = 10 ** (-30 / 20)
"""Resemblyzer's volume target, -30 dBFS RMS; quieter speech is raised to it, louder kept."""


class DialogueSpan(BaseModel):
    """What this algo reads of a ``dialogue`` record."""

    model_config = ConfigDict(from_attributes=True)

    index: int
    start: float
    end: float
    speaker: str | None = None


class VoicesConfig(BaseModel):
    """Options of the ``voices`` algo (``[components.algos.voices]``)."""

    model_config = ConfigDict(extra="forbid")

    method: Method = Field(default="agglomerative", description="agglomerative or dbscan.")
    threshold: float = Field(
        default=0.25, gt=0, lt=2, description="Cosine distance below which lines share a voice."
    )
    min_seconds: float = Field(
        default=0.6, gt=0, description="Shorter lines are too short to tell a voice."
    )
    face_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="A voice is a character's when that character's face alone is on screen "
        "for more than this share of the time the voice speaks.",
    )


class SpeakerEncoder:
    """Resemblyzer's speaker encoder: 256-d unit embeddings of 16 kHz speech."""

    def __init__(self) -> None:
        needed_by = "the voices algo"
        require("torch", "librosa", extra=EXTRA, needed_by=needed_by)
        import torch

        weights = packaged_file("resemblyzer", "pretrained.pt", needed_by=needed_by)
        self._torch = torch
        self.lstm = torch.nn.LSTM(MEL_BANDS, 256, 3, batch_first=True)
        self.linear = torch.nn.Linear(256, 256)
        state = torch.load(weights, map_location="cpu", weights_only=True)["model_state"]
        self.lstm.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("lstm.")})
        self.linear.load_state_dict({k[7:]: v for k, v in state.items() if k.startswith("linear.")})
        self.lstm.eval()

    def embed(self, wav: NDArray[np.float32]) -> NDArray[np.float32]:
        """The speaker embedding of one utterance (16 kHz mono), as Resemblyzer's
        ``embed_utterance`` computes it: partials of 1.6 s, 1.3 a second, averaged.

        Resemblyzer's own preprocessing also trims long silences with WebRTC VAD; a
        dialogue line is already cut to the time it is spoken, so that step is left out.
        """
        import librosa

        wav = np.asarray(wav, np.float32)
        rms = float(np.sqrt(np.mean(wav.astype(np.float64) ** 2))) if len(wav) else 0.0
        if 0 < rms < NORM_RMS:
            wav = wav * np.float32(NORM_RMS / rms)
        frames = int(np.ceil((len(wav) + 1) / HOP))
        starts = list(range(0, max(1, frames - PARTIAL_FRAMES + PARTIAL_STEP + 1), PARTIAL_STEP))
        coverage = (len(wav) - starts[-1] * HOP) / (PARTIAL_FRAMES * HOP)
        if coverage < MIN_COVERAGE and len(starts) > 1:
            starts.pop()
        needed = (starts[-1] + PARTIAL_FRAMES) * HOP
        wav = np.pad(wav, (0, max(0, needed - len(wav))))
        mel = (
            librosa.feature.melspectrogram(
                y=wav, sr=SAMPLE_RATE, n_fft=WINDOW, hop_length=HOP, n_mels=MEL_BANDS
            )
            .astype(np.float32)
            .T
        )
        batch = np.stack([mel[s : s + PARTIAL_FRAMES] for s in starts])
        torch = self._torch
        with torch.no_grad():
            _, (hidden, _) = self.lstm(torch.from_numpy(batch))
            partial = torch.relu(self.linear(hidden[-1]))
            partial = partial / torch.norm(partial, dim=1, keepdim=True)
        mean = partial.numpy().mean(axis=0)
        return np.asarray(mean / (np.linalg.norm(mean) or 1.0), np.float32)


class VoicesAlgo(Algo[VoicedLine, VoicesConfig]):
    """Embeds each dialogue line's voice, clusters a video's lines into voices and notes
    which face alone is on screen while each line is spoken."""

    name = "voices"
    description = "Speaker embedding per dialogue line, clustered into voices per title."
    version = "1"
    depends_on = ("dialogue", "faces")
    stateful = True

    def warm_up(self) -> None:
        self._encoder = SpeakerEncoder()

    def run(self, ctx: AlgoContext) -> list[VoicedLine]:
        lines = ctx.records("dialogue", DialogueSpan)
        tracks = ctx.records("faces", FaceTrack)
        if not lines:
            return []
        path = local_path(ctx.asset.uri)
        info = ctx.asset.media or probe(path)
        # Subtitles without a sound track: lines to place, no voice to hear.
        audio = decode_audio(path, SAMPLE_RATE) if info.audio_streams else np.zeros(0, np.float32)
        vectors: dict[int, NDArray[np.float32]] = {}
        for done, line in enumerate(lines, 1):
            if line.end - line.start >= self.config.min_seconds:
                clip = audio[int(line.start * SAMPLE_RATE) : int(line.end * SAMPLE_RATE)]
                if len(clip) >= self.config.min_seconds * SAMPLE_RATE:
                    vectors[line.index] = self._encoder.embed(clip)
            ctx.progress(done, len(lines))
        voiced = [line for line in lines if line.index in vectors]
        labels = cluster(
            np.asarray([vectors[line.index] for line in voiced]),
            threshold=self.config.threshold,
            method=self.config.method,
            metric="cosine",
        )
        voice_of = {line.index: f"v{label}" for line, label in zip(voiced, labels, strict=True)}
        return [
            VoicedLine(
                line=line.index,
                start=line.start,
                end=line.end,
                voice=voice_of.get(line.index),
                speaker=line.speaker,
                faces=alone_on_screen(line, tracks),
                vector=[float(x) for x in vectors[line.index]] if line.index in vectors else [],
            )
            for line in lines
        ]

    def sink(self) -> VoicesSink:
        return VoicesSink(self.name, self.version, relabel)


def alone_on_screen(line: DialogueSpan, tracks: list[FaceTrack]) -> dict[str, float]:
    """Seconds of ``line`` during which each track's face is the only face on screen."""
    cuts = sorted(
        {line.start, line.end}
        | {t for track in tracks for t in (track.start, track.end) if line.start < t < line.end}
    )
    alone: dict[str, float] = defaultdict(float)
    for start, end in itertools.pairwise(cuts):
        mid = (start + end) / 2
        seen = [track.key for track in tracks if track.start <= mid < track.end]
        if len(seen) == 1:
            alone[seen[0]] += end - start
    return {key: round(seconds, 3) for key, seconds in alone.items()}


def dialogue_collections(store: VectorStore) -> list[str]:
    """The dialogue algo's collections: ``dialogue``, and ``dialogue-<encoder>`` ones."""
    return [c for c in store.collections() if c == "dialogue" or c.startswith("dialogue-")]


def voice_labels(
    lines: list[dict[str, Any]], names: dict[str, dict[str, Any]], face_share: float = 0.5
) -> dict[str, str]:
    """Voice -> speaker label, from stored voiced lines: the speaker the subtitles give
    most of its lines, else the character whose face is alone on screen for more than
    ``face_share`` of the time it speaks."""
    by_voice: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        if line.get("voice"):
            by_voice[line["voice"]].append(line)
    labels: dict[str, str] = {}
    for voice, spoken in by_voice.items():
        said = Counter(line["speaker"] for line in spoken if line.get("speaker"))
        if said:
            labels[voice] = min(said, key=lambda s: (-said[s], s))
            continue
        total = sum(line["end"] - line["start"] for line in spoken)
        seen: Counter[str] = Counter()
        for line in spoken:
            for track, seconds in (line.get("faces") or {}).items():
                name = names.get(track, {}).get("name")
                if name:
                    seen[name] += seconds
        if seen and total > 0:
            name, seconds = seen.most_common(1)[0]
            if seconds > face_share * total:
                labels[voice] = name
    return labels


def relabel(store: VectorStore, asset_id: str) -> None:
    """Write the speaker labels of ``asset_id``'s voices on its dialogue lines that have no
    speaker of their own (``voice``, ``speaker`` and ``speaker_key``); only lines whose label
    changes are written."""
    if VOICES not in store.collections():
        return
    scope = PointFilter(asset_ids=[asset_id])
    lines = [p.payload for p in store.points(VOICES, filter=scope)]
    names = names_of(store, [asset_id]) if NAMES in store.collections() else {}
    labels = voice_labels(lines, names)
    wanted: dict[int, dict[str, Any]] = {}
    for line in lines:
        if not line.get("speaker"):
            label = labels.get(line.get("voice") or "")
            wanted[line["line"]] = {
                "voice": line.get("voice"),
                "speaker": label,
                "speaker_key": name_key(label) if label else None,
            }
    for collection in dialogue_collections(store):
        for point in store.points(collection, filter=scope):
            want = wanted.get(point.payload.get("line", -1))
            if want and any(point.payload.get(k) != v for k, v in want.items()):
                only = PointFilter(asset_ids=[asset_id], fields={"line": point.payload["line"]})
                store.set_payload(collection, want, filter=only)
