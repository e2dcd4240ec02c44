"""``reelsearch new-plugin NAME``: a new plugin package from the template in
``reelsearch/templates/plugin`` (an algo, its sink, a searcher and tests), ready to install.

The template's files end in ``.tmpl``; ``{{name}}``, ``{{package}}``, ``{{distribution}}`` and
``{{Class}}`` in their text, and ``__package__`` in their paths, are replaced. docs/tutorial.md
walks through the files it makes (a test keeps the two the same).
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import sys
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated

import typer

from reelsearch.cli._app import app, console, errors
from reelsearch.core.errors import ReelsearchError

TEMPLATE = files("reelsearch") / "templates" / "plugin"
SUFFIX = ".tmpl"
NAME = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")
MAX_NAME = 40


class PluginNameError(ReelsearchError, ValueError):
    """A name ``new-plugin`` cannot make a plugin of, or a folder it would overwrite."""


@dataclass(frozen=True)
class PluginNames:
    """The names a new plugin goes by, all derived from the one given.

    Attributes:
        name: The components' and the entry point's name (``brightness``).
        package: The Python package (``brightness``; ``-`` becomes ``_``).
        distribution: The pip distribution (``reelsearch-brightness``).
        Class: The prefix of its class names (``Brightness``).
    """

    name: str
    package: str
    distribution: str
    Class: str

    @classmethod
    def of(cls, name: str) -> PluginNames:
        """The names of a plugin called ``name``.

        Raises:
            PluginNameError: ``name`` is not lowercase ASCII letters, digits, ``-`` and ``_``
                starting with a letter, is too long, is a Python keyword, or would shadow a
                module Python can already import.
        """
        if len(name) > MAX_NAME or not NAME.fullmatch(name):
            raise PluginNameError(
                f"plugin name {name!r} must be at most {MAX_NAME} lowercase ASCII letters, "
                "digits, '-' or '_', start with a letter and end with a letter or digit, "
                "e.g. 'brightness' or 'scene-light'"
            )
        package = name.replace("-", "_")
        if keyword.iskeyword(package) or keyword.issoftkeyword(package):
            raise PluginNameError(
                f"plugin name {name!r} is a Python keyword and cannot name its package; "
                "choose another"
            )
        if package in sys.stdlib_module_names or _importable(package):
            raise PluginNameError(
                f"plugin name {name!r} would shadow the module {package!r} that Python "
                "already imports here; choose another"
            )
        title = "".join(part.capitalize() for part in re.split(r"[-_]", name))
        return cls(name, package, f"reelsearch-{name}", title)

    def fill(self, text: str) -> str:
        """``text`` with the template's placeholders replaced."""
        for key, value in vars(self).items():
            text = text.replace("{{" + key + "}}", value)
        return text


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return True  # a broken module of that name is there all the same


def template_files(names: PluginNames) -> dict[str, str]:
    """The plugin's files, by path relative to its folder, as :func:`create_plugin` writes
    them."""
    rendered: dict[str, str] = {}

    def walk(folder: Traversable, prefix: str) -> None:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            path = prefix + entry.name.replace("__package__", names.package)
            if entry.is_dir():
                walk(entry, path + "/")
            elif entry.name.endswith(SUFFIX):
                rendered[path.removesuffix(SUFFIX)] = names.fill(entry.read_text("utf-8"))

    walk(TEMPLATE, "")
    return rendered


def create_plugin(name: str, parent: Path) -> Path:
    """Write a new plugin package called ``name`` into a new folder ``parent/<distribution>``.

    Returns:
        The plugin's folder.

    Raises:
        PluginNameError: The name is not usable (see :meth:`PluginNames.of`) or the folder
            exists.
    """
    names = PluginNames.of(name)
    folder = parent / names.distribution
    if folder.exists() or folder.is_symlink():
        raise PluginNameError(f"{folder} already exists; choose another name or --dir")
    files_ = template_files(names)
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise PluginNameError(f"cannot create {folder}: {exc.strerror or exc}") from None
    for relative, text in files_.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


@app.command("new-plugin")
def new_plugin(
    name: Annotated[str, typer.Argument(help="The plugin's name, e.g. 'brightness'.")],
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to create the plugin's folder.")
    ] = Path("."),
) -> None:
    """Create a plugin package (algo, sink, searcher, tests) to start from; see docs/tutorial.md."""
    with errors():
        folder = create_plugin(name, directory)
    console.print(f"Created {folder}", highlight=False, markup=False)
    console.print(
        f"Next: pip install -e {folder}, then reelsearch plugins; pytest {folder}",
        highlight=False,
        markup=False,
    )
