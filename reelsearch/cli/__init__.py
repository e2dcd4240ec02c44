"""The ``reelsearch`` command line: one Typer app, its commands in modules by topic."""

from __future__ import annotations

from reelsearch.cli import catalog as catalog
from reelsearch.cli import characters as characters
from reelsearch.cli import evaluate as evaluate
from reelsearch.cli import jobs as jobs
from reelsearch.cli import matchcuts as matchcuts
from reelsearch.cli import new_plugin as new_plugin
from reelsearch.cli import search as search
from reelsearch.cli import serve as serve
from reelsearch.cli import shots as shots
from reelsearch.cli import train as train
from reelsearch.cli._app import app

__all__ = ["app"]
