"""The plugin host: discovery through real entry points, allow/block lists, clear errors."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from reelsearch.core.errors import PluginError
from reelsearch.core.host import ENTRY_POINT_GROUP, LocalPlugin, PluginHost

GOOD_PLUGIN = """
from pydantic import BaseModel, ConfigDict
from reelsearch.sdk import Algo, hookimpl

class Record(BaseModel):
    value: int

class Counter(Algo[Record]):
    name = "{algo}"
    version = "1"
    Record = Record

    def run(self, ctx):
        return [Record(value=1)]

@hookimpl
def register_algos(register):
    register(Counter)
"""

MakeDistribution = Callable[..., Path]


@pytest.fixture
def make_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeDistribution:
    """Install a tiny distribution (module + dist-info with an entry point) on ``sys.path``."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    made: list[str] = []

    def make(dist: str, module: str, source: str, entry_name: str | None = None) -> Path:
        (site / f"{module}.py").write_text(textwrap.dedent(source))
        info = site / f"{dist.replace('-', '_')}-1.2.3.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
        (info / "entry_points.txt").write_text(
            f"[{ENTRY_POINT_GROUP}]\n{entry_name or dist} = {module}\n"
        )
        made.append(module)
        importlib.invalidate_caches()
        return info

    yield make
    for module in made:
        sys.modules.pop(module, None)


def _host_only(*names: str, **kwargs: object) -> PluginHost:
    return PluginHost(allow=list(names), **kwargs)  # type: ignore[arg-type]


def test_discovers_a_third_party_distribution(make_distribution: MakeDistribution) -> None:
    make_distribution("rs-counter", "rs_counter_mod", GOOD_PLUGIN.format(algo="counter"))
    registry = _host_only("rs-counter").load()
    reg = registry.get("algo", "counter")
    assert reg.plugin.distribution == "rs-counter"
    assert reg.plugin.version == "1.2.3"


def test_builtin_plugins_come_through_entry_points() -> None:
    host = PluginHost()
    registry = host.load()
    assert registry.names("algo"), "the built-in algos are registered"
    assert all(info.distribution == "reelsearch" for info in host.plugins.values())


def test_block_list_skips_a_plugin(make_distribution: MakeDistribution) -> None:
    make_distribution("rs-counter", "rs_counter_mod", GOOD_PLUGIN.format(algo="counter"))
    registry = PluginHost(block=["rs-counter"]).load()
    assert "counter" not in registry.names("algo")


def test_allow_list_loads_only_named_plugins(make_distribution: MakeDistribution) -> None:
    make_distribution("rs-counter", "rs_counter_mod", GOOD_PLUGIN.format(algo="counter"))
    host = _host_only("rs-counter")
    host.load()
    assert list(host.plugins) == ["rs-counter"]


def test_allow_list_naming_a_missing_plugin_is_an_error() -> None:
    with pytest.raises(PluginError, match="REELSEARCH_PLUGINS names no-such-plugin"):
        _host_only("no-such-plugin").load()


def test_import_error_names_distribution_and_entry_point(
    make_distribution: MakeDistribution,
) -> None:
    make_distribution("rs-broken", "rs_broken_mod", "import no_such_module_anywhere\n")
    with pytest.raises(PluginError) as info:
        _host_only("rs-broken").load()
    message = str(info.value)
    assert "\n" not in message
    assert 'Error importing plugin "rs-broken"' in message
    assert "rs_broken_mod" in message
    assert "distribution rs-broken" in message
    assert "No module named 'no_such_module_anywhere'" in message


def test_misspelled_hook_is_caught(make_distribution: MakeDistribution) -> None:
    source = """
    from reelsearch.sdk import hookimpl

    @hookimpl
    def register_algo(register):
        pass
    """
    make_distribution("rs-typo", "rs_typo_mod", source)
    with pytest.raises(PluginError, match=r'plugin "rs-typo".*register_algo'):
        _host_only("rs-typo").load()


def test_duplicate_name_names_both_plugins(make_distribution: MakeDistribution) -> None:
    make_distribution("rs-one", "rs_one_mod", GOOD_PLUGIN.format(algo="twin"))
    make_distribution("rs-two", "rs_two_mod", GOOD_PLUGIN.format(algo="twin"))
    with pytest.raises(PluginError, match=r"algo 'twin', already registered by") as info:
        _host_only("rs-one", "rs-two").load()
    assert "rs-one" in str(info.value)
    assert "rs-two" in str(info.value)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("register(object)", "not a subclass of Algo"),
        ("register(NoForbid)", 'extra="forbid"'),
        ("register(NoVersion)", "non-empty string version"),
        ("register(Abstract)", "without implementing: run"),
    ],
)
def test_invalid_registrations_are_refused(
    make_distribution: MakeDistribution, body: str, expected: str
) -> None:
    source = f"""
    from pydantic import BaseModel
    from reelsearch.sdk import Algo, hookimpl

    class Loose(BaseModel):
        x: int = 0

    class Record(BaseModel):
        x: int

    class NoForbid(Algo):
        name = "noforbid"
        version = "1"
        Record = Record
        Config = Loose
        def run(self, ctx):
            return []

    class NoVersion(Algo):
        name = "noversion"
        version = ""
        Record = Record
        def run(self, ctx):
            return []

    class Abstract(Algo):
        name = "abstract"
        version = "1"
        Record = Record

    @hookimpl
    def register_algos(register):
        {body}
    """
    make_distribution("rs-invalid", "rs_invalid_mod", source)
    with pytest.raises(PluginError, match=expected) as info:
        _host_only("rs-invalid").load()
    assert 'plugin "rs-invalid" (distribution rs-invalid 1.2.3)' in str(info.value)


def test_local_plugin_registers_for_one_host() -> None:
    namespace: dict[str, object] = {}
    exec(textwrap.dedent(GOOD_PLUGIN.format(algo="local-counter")), namespace)
    plugin = type("Plugin", (), {"register_algos": staticmethod(namespace["register_algos"])})
    registry = PluginHost(allow=[], extra=[LocalPlugin("local", plugin)]).load()
    assert registry.names("algo") == ["local-counter"]
    assert PluginHost(allow=[]).load().names("algo") == []


def test_a_plugin_both_installed_and_given_directly_loads_once(
    make_distribution: MakeDistribution,
) -> None:
    make_distribution("rs-counter", "rs_counter_mod", GOOD_PLUGIN.format(algo="counter"))
    module = importlib.import_module("rs_counter_mod")
    host = PluginHost(allow=["rs-counter"], extra=[LocalPlugin("under-test", module)])
    assert host.load().names("algo") == ["counter"]
    assert list(host.plugins) == ["rs-counter"]


def test_each_kind_has_one_hook_and_one_base_class() -> None:
    from reelsearch.core import hookspecs
    from reelsearch.core.components import COMPONENT_BASES, ComponentKind

    specs = {name for name in vars(hookspecs) if name.startswith("register_")}
    assert specs == {kind.hook for kind in ComponentKind}
    assert {base.kind for base in COMPONENT_BASES.values()} == set(ComponentKind)
    assert ComponentKind("algo").section == "algos"
