"""``[watch]`` in reelsearch.toml sets the watch settings; the environment still wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelsearch.core.config import load_settings
from reelsearch.core.errors import ConfigError


def home_with(tmp_path: Path, toml: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("REELSEARCH_WATCH_FOLDERS", "REELSEARCH_WATCH_DELETED", "REELSEARCH_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "reelsearch.toml").write_text(toml)
    monkeypatch.setenv("REELSEARCH_HOME", str(tmp_path))
    return tmp_path


def test_the_watch_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home_with(
        tmp_path,
        '[watch]\nfolders = ["/srv/in", "/srv/more"]\ndeleted = "keep"\nstable_seconds = 5\n',
        monkeypatch,
    )
    settings = load_settings()
    assert settings.watch_folders == [Path("/srv/in"), Path("/srv/more")]
    assert settings.watch_deleted == "keep"
    assert settings.watch_stable_seconds == 5.0
    monkeypatch.setenv("REELSEARCH_WATCH_DELETED", "remove")
    assert load_settings().watch_deleted == "remove"


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('[watch]\nfolder = ["/srv/in"]\n', "'folder'"),
        ('[watch]\ndeleted = "shred"\n', "watch_deleted"),
        ('watch = "/srv/in"\n', "[watch] must be a table"),
    ],
)
def test_a_bad_watch_table_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str, named: str
) -> None:
    home_with(tmp_path, toml, monkeypatch)
    with pytest.raises(ConfigError, match=named.replace("[", r"\[")):
        load_settings()
