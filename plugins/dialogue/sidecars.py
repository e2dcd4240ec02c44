"""Subtitle files next to a video: ``movie.srt``, ``movie.vtt``, ``movie.en.srt``,
``movie.pt-BR.forced.vtt``, ...

A sidecar belongs to a video when its name is the video's stem, optional dot-separated tags,
and ``.srt`` or ``.vtt`` (any case). The first tag that looks like a language code (``en``,
``fra``, ``pt-BR``) is the language of its lines.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reelsearch.plugins.dialogue.srt import parse_srt
from reelsearch.plugins.dialogue.timed_text import DEFAULT_LIMITS, Cue, SubtitleLimits
from reelsearch.plugins.dialogue.vtt import parse_vtt

PARSERS: dict[str, Callable[[Path, SubtitleLimits], list[Cue]]] = {
    ".srt": parse_srt,
    ".vtt": parse_vtt,
}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$")


@dataclass(frozen=True)
class Sidecar:
    """A subtitle file of a video.

    Attributes:
        path: The file.
        language: From its name (``movie.en.srt``), or ``None``.
    """

    path: Path
    language: str | None

    def cues(self, limits: SubtitleLimits = DEFAULT_LIMITS) -> list[Cue]:
        """Its cues; raises :class:`SubtitleError` when the file is malformed or larger than
        ``limits`` allow."""
        return PARSERS[self.path.suffix.lower()](self.path, limits)


def find_sidecars(video: Path) -> list[Sidecar]:
    """The subtitle files next to ``video``, sorted by name."""
    try:
        siblings = sorted(video.parent.iterdir())
    except OSError:
        return []
    found = []
    for path in siblings:
        if path.suffix.lower() not in PARSERS or not path.is_file():
            continue
        name = path.name[: -len(path.suffix)]
        if name != video.stem and not name.startswith(video.stem + "."):
            continue
        tags = name[len(video.stem) + 1 :].split(".") if name != video.stem else []
        language = next((t for t in tags if _LANGUAGE.match(t)), None)
        found.append(Sidecar(path, language))
    return found


def sidecars_digest(sidecars: list[Sidecar]) -> str:
    """A hash of the sidecars' names and bytes: changes whenever one is edited or added."""
    digest = hashlib.sha256()
    for sidecar in sidecars:
        digest.update(sidecar.path.name.encode() + b"\0")
        digest.update(hashlib.sha256(sidecar.path.read_bytes()).digest())
    return digest.hexdigest()
