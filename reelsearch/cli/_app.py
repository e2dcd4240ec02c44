"""What every command shares: consoles, one-line errors, progress bars.

Whatever a user or a file gave (titles, paths, ids, metadata, dialogue, speakers, and messages
that hold them) is printed through :func:`plain`, so that Rich never reads it as markup.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.text import Text

from reelsearch.cli._commands import app as app
from reelsearch.core.errors import ReelsearchError

if TYPE_CHECKING:
    from reelsearch.core.components import ProgressCallback
    from reelsearch.core.models import Asset

console = Console(stderr=True)
out = Console(soft_wrap=True, highlight=False)


def plain(value: object, style: str = "") -> Text:
    """``value`` as text that Rich prints as it is: never read as markup, never highlighted."""
    return Text(str(value), style=style)


def labelled(label: str, message: object, style: str) -> Text:
    """``<label>: <message>`` with the label styled; both printed as they are."""
    return Text.assemble(plain(f"{label}:", style), " ", plain(message))


class _WarningLines(logging.Handler):
    """Warnings logged by reelsearch and its plugins, as ``warning: <message>`` lines."""

    def emit(self, record: logging.LogRecord) -> None:
        print_warning("warning", record.getMessage())


@contextmanager
def errors() -> Iterator[None]:
    """Show reelsearch's own errors as one line and exit 1, never as a traceback; show the
    warnings logged meanwhile as lines on stderr."""
    logger = logging.getLogger("reelsearch")
    handler = _WarningLines(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield
    except ReelsearchError as exc:
        print_error(exc)
        raise typer.Exit(1) from None
    finally:
        logger.removeHandler(handler)


def print_error(error: object) -> None:
    """``error: <message>`` on stderr; the message is shown as is (never read as markup)."""
    console.print(labelled("error", error, "bold red"))


def print_warning(label: str, message: object) -> None:
    """``<label>: <message>`` in yellow on stderr; the message is never read as markup."""
    console.print(labelled(label, message, "bold yellow"))


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2) + "\n")


@contextmanager
def progress_bars() -> Iterator[Callable[[str, Asset], ProgressCallback]]:
    """A progress bar per ingest step on a terminal, else one plain line per step; bars of
    finished steps are shown full."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    if not console.is_terminal:

        def announce(algo: str, asset: Asset) -> ProgressCallback:
            console.print(plain(f"{asset.title} · {algo}"))
            return lambda done, total: None

        yield announce
        return
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        started: list[TaskID] = []

        def finish() -> None:
            for task in bar.tasks:
                if task.id in started and not task.finished:
                    total = max(task.total or 0, task.completed, 1)
                    bar.update(task.id, total=total, completed=total)

        def on_step(algo: str, asset: Asset) -> ProgressCallback:
            finish()  # steps run one after another: the earlier ones are done
            task = bar.add_task(f"{asset.title} · {algo}", total=None)
            started.append(task)

            def update(done: int, total: int | None) -> None:
                bar.update(task, completed=done, total=total)

            return update

        yield on_step
        finish()
