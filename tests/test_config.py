"""Settings from defaults, a TOML file and REELSEARCH_* variables, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from reelsearch.core.config import load_settings
from reelsearch.core.errors import ConfigError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("REELSEARCH_CONFIG", "REELSEARCH_STORE_URL", "REELSEARCH_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REELSEARCH_HOME", str(tmp_path / "home"))


def test_defaults_use_the_data_home(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.home == tmp_path / "home"
    assert settings.store_url is None
    assert settings.executor == "local"
    assert settings.features_location == str(tmp_path / "home" / "features")


def test_environment_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REELSEARCH_PLUGINS", "shots, colorstats")
    monkeypatch.setenv("REELSEARCH_DISABLE_PLUGINS", "transnetv2")
    monkeypatch.setenv("REELSEARCH_RAY_ADDRESS", "ray://head:10001")
    settings = load_settings()
    assert settings.plugins == ["shots", "colorstats"]
    assert settings.disable_plugins == ["transnetv2"]
    assert settings.ray_address == "ray://head:10001"


def test_toml_file_then_environment_on_top(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "reelsearch.toml"
    config.write_text(
        'store_url = "http://qdrant:6333"\nexecutor = "ray"\n\n'
        '[components.algos.shots]\ndetector = "transnetv2"\n'
    )
    monkeypatch.setenv("REELSEARCH_CONFIG", str(config))
    monkeypatch.setenv("REELSEARCH_EXECUTOR", "local")
    settings = load_settings()
    assert settings.store_url == "http://qdrant:6333"
    assert settings.executor == "local"
    assert settings.options_of("algo", "shots") == {"detector": "transnetv2"}
    assert settings.options_of("searcher", "shots") == {}


def test_options_are_keyed_by_kind_and_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "reelsearch.toml"
    config.write_text(
        "[components.algos.colorstats]\nwindow_seconds = 2\n\n"
        '[components.searchers.colorstats]\nmetric = "rgb"\n'
    )
    monkeypatch.setenv("REELSEARCH_CONFIG", str(config))
    settings = load_settings()
    assert settings.options_of("algo", "colorstats") == {"window_seconds": 2}
    assert settings.options_of("searcher", "colorstats") == {"metric": "rgb"}


def test_component_options_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REELSEARCH_COMPONENTS", '{"encoders": {"clip": {"device": "cpu"}}}')
    assert load_settings().options_of("encoder", "clip") == {"device": "cpu"}


def test_old_component_table_says_what_to_write(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "reelsearch.toml"
    config.write_text('[components.shots]\ndetector = "transnetv2"\n')
    monkeypatch.setenv("REELSEARCH_CONFIG", str(config))
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "[components.shots] is the old form" in message
    assert "write [components.algos.shots] for the algo 'shots'" in message
    assert "[components.searchers.shots] for the searcher 'shots'" in message


def test_singular_kind_table_names_the_plural(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REELSEARCH_COMPONENTS", '{"algo": {"shots": {}}}')
    with pytest.raises(ConfigError, match=r"\[components.algo\] should be \[components.algos\]"):
        load_settings()


def test_config_file_in_the_data_home_is_read(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "reelsearch.toml").write_text('ray_address = "auto"\n')
    assert load_settings().ray_address == "auto"


def test_invalid_value_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REELSEARCH_EXECUTOR", "kubernetes")
    with pytest.raises(ConfigError, match=r"executor: Input should be 'local' or 'ray'"):
        load_settings()


def test_unknown_key_in_file_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('stor_url = "http://typo"\n')
    monkeypatch.setenv("REELSEARCH_CONFIG", str(config))
    with pytest.raises(ConfigError, match="stor_url"):
        load_settings()


def test_malformed_toml_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("store_url = \n")
    monkeypatch.setenv("REELSEARCH_CONFIG", str(config))
    with pytest.raises(ConfigError, match="configuration file"):
        load_settings()


def test_missing_config_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REELSEARCH_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match=r"nope\.toml"):
        load_settings()
