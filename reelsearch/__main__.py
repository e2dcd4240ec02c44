"""``python -m reelsearch``: the command line."""

from reelsearch.cli import app

app()
