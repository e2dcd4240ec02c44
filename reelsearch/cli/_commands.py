"""The Typer app and its table of commands, each loaded only when it runs.

A command's module (and what it imports: the runtime, pydantic models, NumPy, PyAV...) is
imported when that command is invoked, or asked for its own ``--help``; ``reelsearch --help``
lists every command from :data:`COMMANDS` without importing any of them.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, NamedTuple

import typer
from typer.core import TyperCommand, TyperGroup


class CommandEntry(NamedTuple):
    """A command: its name, the module that registers it on :data:`app`, its one-line help."""

    name: str
    module: str
    help: str


COMMANDS: tuple[CommandEntry, ...] = (
    CommandEntry(
        "search", "search", "Find shots across the catalog, or within chosen titles or metadata."
    ),
    CommandEntry(
        "ingest", "catalog", "Analyse videos and index them in the store under REELSEARCH_HOME."
    ),
    CommandEntry("titles", "catalog", "List the titles in the catalog and their assets."),
    CommandEntry(
        "remove",
        "catalog",
        "Remove files from the catalog: their entries and everything indexed for them.",
    ),
    CommandEntry(
        "shots",
        "shots",
        "Print a video's shots (frame-accurate from its start timecode; end frames exclusive).",
    ),
    CommandEntry(
        "characters",
        "characters",
        "List a title's characters (faces clustered per title: id, name, screen time, shots, "
        "crop), or edit them: name one, merge two, split one in two.",
    ),
    CommandEntry(
        "matchcuts",
        "matchcuts",
        "The best candidate match cuts within TITLE: from the end of shot A into the start "
        "of shot B.",
    ),
    CommandEntry("jobs", "jobs", "The data home's jobs: ingests, re-runs, removals and backfills."),
    CommandEntry(
        "backfill",
        "jobs",
        "Bring an algo's current output (new, or a new version or config) to every "
        "catalogued asset that lacks it, paced below new media.",
    ),
    CommandEntry(
        "serve",
        "serve",
        "Serve every registered search over HTTP, with the web UI at / and docs at "
        "/api/docs, and run the data home's jobs.",
    ),
    CommandEntry(
        "plugins", "catalog", "List every plugin with its components, version and distribution."
    ),
    CommandEntry(
        "new-plugin",
        "new_plugin",
        "Create a plugin package (algo, sink, searcher, tests) to start from.",
    ),
    CommandEntry(
        "evaluate",
        "evaluate",
        "Text-to-video retrieval: R@1/5/10, median and mean rank, mAP (in percent) of the "
        "configured encoder.",
    ),
    CommandEntry(
        "train",
        "train",
        "Fine-tune the configured CLIP model on shot-text pairs (symmetric InfoNCE, "
        "mean-pooled frames per shot) on Ray Train.",
    ),
    CommandEntry(
        "demo",
        "catalog",
        "The main job: ingest videos on the embedded defaults, show their shots, run searches.",
    ),
)
"""Every command, in the order ``--help`` lists them."""

_BY_NAME = {entry.name: entry for entry in COMMANDS}


class LazyGroup(TyperGroup):
    """A Typer group whose commands come from :data:`COMMANDS`: a command's module is imported
    when the command is resolved, except while the group's own help lists them."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        extra = [name for name in super().list_commands(ctx) if name not in _BY_NAME]
        return [entry.name for entry in COMMANDS] + extra

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = _BY_NAME.get(cmd_name)
        if entry is None or cmd_name in self.commands:
            return super().get_command(ctx, cmd_name)
        if self._listing:
            return TyperCommand(cmd_name, help=entry.help, short_help=entry.help)
        importlib.import_module(f"reelsearch.cli.{entry.module}")
        command = typer.main.get_group(app).commands.get(cmd_name)
        if command is not None:
            self.commands[cmd_name] = command
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


class ReelsearchApp(typer.Typer):
    """The Typer app; run as a program (``app()``), it first offers the arguments to the
    thin client (:mod:`reelsearch.cli.fast`), which answers a search through a running
    server without loading the command line."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args and not kwargs:
            from reelsearch.cli.fast import run

            status = run(sys.argv[1:])
            if status is not None:
                sys.exit(status)
        return super().__call__(*args, **kwargs)


app = ReelsearchApp(
    name="reelsearch",
    cls=LazyGroup,
    help="In-video search: find shots by description, example image or shot, or dialogue.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main() -> None:
    pass  # a callback makes the app a group even before any command is registered


def load_all() -> None:
    """Import every command's module (for tools that walk the whole command tree)."""
    for module in dict.fromkeys(entry.module for entry in COMMANDS):
        importlib.import_module(f"reelsearch.cli.{module}")
