"""Maps the root folders onto the ``reelsearch`` namespace; everything else is in pyproject.toml.

``reelsearch/`` (the application: CLI, server) is the package itself; ``core/``, ``sdk/`` and
``plugins/`` import as ``reelsearch.core``, ``reelsearch.sdk`` and ``reelsearch.plugins``.
"""

from setuptools import find_packages, setup

LAYERS = ("core", "sdk", "plugins")

setup(
    package_dir={"reelsearch": "reelsearch", **{f"reelsearch.{layer}": layer for layer in LAYERS}},
    packages=find_packages(include=["reelsearch", "reelsearch.*"])
    + [f"reelsearch.{pkg}" for pkg in find_packages(include=[f"{layer}*" for layer in LAYERS])],
)
