"""Every hook is documented under a heading with its exact signature; the SDK exports what
its ``__all__`` says."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from reelsearch.core import hookspecs
from reelsearch.core.host import HOOKS

DOCS = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"


def test_every_hook_has_a_heading_with_its_signature() -> None:
    headings = set(re.findall(r"^### (\w+\(.*\))$", DOCS.read_text(), flags=re.MULTILINE))
    for name in HOOKS:
        params = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        assert f"{name}({params})" in headings, f"docs/plugins.md lacks '### {name}({params})'"


def test_docs_document_no_hook_that_does_not_exist() -> None:
    documented = re.findall(r"^### (register_\w+)\(", DOCS.read_text(), flags=re.MULTILINE)
    assert sorted(documented) == sorted(HOOKS)


def test_sdk_all_is_what_it_exports() -> None:
    import reelsearch.sdk as sdk

    public = {
        name
        for name, value in vars(sdk).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert set(sdk.__all__) == public
    assert sdk.__all__ == sorted(sdk.__all__)
