"""The ``reelsearch`` command line: one Typer app, its commands in modules by topic, each
imported only when its command runs (see :mod:`reelsearch.cli._commands`)."""

from __future__ import annotations

from reelsearch.cli._commands import app

__all__ = ["app"]
