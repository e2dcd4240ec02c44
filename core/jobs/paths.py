"""Which files jobs may read: those under the allowed roots, symlinks resolved."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reelsearch.core.config import Settings
from reelsearch.core.errors import ForbiddenPathError


def allowed_roots(settings: Settings) -> list[Path]:
    """The folders jobs may read from: ``ingest_roots`` and ``watch_folders``."""
    return [*settings.ingest_roots, *settings.watch_folders]


def check_allowed(path: str | Path, roots: Sequence[Path]) -> Path:
    """``path`` made absolute, with its symlinks resolved when ``roots`` are given.

    With no ``roots``, any path is allowed (a local caller who may read what it names).

    Raises:
        ForbiddenPathError: ``path`` is not a valid absolute path, or it (or the file a
            symlink in it points to) is not under one of ``roots``.
    """
    text = str(path)
    if "\0" in text or not text.strip():
        raise ForbiddenPathError("a job's path is empty or holds a NUL character")
    source = Path(text).expanduser()
    if not roots:
        return source.absolute()
    if not source.is_absolute():
        raise ForbiddenPathError(f"{text!r} is not an absolute path")
    try:
        resolved = source.resolve()
        inside = any(resolved.is_relative_to(root.expanduser().resolve()) for root in roots)
    except (OSError, RuntimeError) as exc:  # a symlink loop, an unreadable folder
        raise ForbiddenPathError(f"{text!r} cannot be resolved: {exc}") from None
    if not inside:
        raise ForbiddenPathError(
            f"{text!r} is not under a folder jobs may read (settings ingest_roots and "
            "watch_folders)"
        )
    return resolved
