"""Maps the root folders onto the ``reelsearch`` namespace; everything else is in pyproject.toml."""

from setuptools import find_packages, setup

LAYERS = ("core", "sdk", "plugins")

setup(
    package_dir={"reelsearch": "reelsearch", **{f"reelsearch.{layer}": layer for layer in LAYERS}},
    packages=["reelsearch"]
    + [f"reelsearch.{pkg}" for pkg in find_packages(include=[f"{layer}*" for layer in LAYERS])],
)
