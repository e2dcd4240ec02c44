"""Loading pretrained models: local files first, the hub only where allowed, one clear error."""

from __future__ import annotations

import pytest

from reelsearch.core.pretrained import hub_offline
from reelsearch.sdk import ModelUnavailableError, load_pretrained


def test_local_files_are_tried_before_the_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    calls: list[bool] = []

    def load(local_only: bool) -> str:
        calls.append(local_only)
        if local_only:
            raise OSError("not in the cache")
        return "model"

    assert load_pretrained(load, what="model 'm'", remedy="go online") == "model"
    assert calls == [True, False]


@pytest.mark.parametrize("value", ["1", "true", "ON"])
def test_offline_never_tries_the_hub(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    assert hub_offline()
    calls: list[bool] = []

    def load(local_only: bool) -> str:
        calls.append(local_only)
        raise ValueError("no such model\nmore detail")

    with pytest.raises(ModelUnavailableError) as caught:
        load_pretrained(load, what="model 'm'", remedy="copy it to a folder")
    assert (
        str(caught.value)
        == "model 'm' could not be loaded (no such model). Remedy: copy it to a folder"
    )
    assert calls == [True]


def test_other_errors_are_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    assert not hub_offline()

    def load(local_only: bool) -> str:
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        load_pretrained(load, what="model", remedy="none")
