"""The feature store: memoised records by (asset, algo, version, config), written atomically."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsspec
import pytest
from pydantic import BaseModel, ConfigDict

from reelsearch.core.config import Settings
from reelsearch.core.errors import FeatureStoreError
from reelsearch.core.features import (
    FORMAT,
    FeatureKey,
    FeatureStore,
    config_hash,
    open_feature_store,
)

ASSET = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
OTHER_ASSET = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"


class ShotsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    threshold: float = 27.0
    detector: str = "content"
    tags: dict[str, int] = {}


class Shot(BaseModel):
    index: int
    start: float
    end: float
    seen: datetime = datetime(2024, 1, 1, tzinfo=UTC)


KEY = FeatureKey.of(ASSET, "shots", "1.0", ShotsConfig())
SHOTS = [Shot(index=i, start=i * 2.0, end=i * 2.0 + 2) for i in range(3)]
SHOT_DICTS = [s.model_dump(mode="json") for s in SHOTS]


@pytest.fixture(params=["local", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FeatureStore]:
    """The same tests on a folder and on an fsspec object-store-like location."""
    if request.param == "local":
        yield FeatureStore(tmp_path / "features")
        return
    url = f"memory://features-{uuid.uuid4().hex}"
    yield FeatureStore(url)
    fs, root = fsspec.core.url_to_fs(url)
    if fs.exists(root):
        fs.rm(root, recursive=True)


@pytest.fixture
def local_store(tmp_path: Path) -> FeatureStore:
    return FeatureStore(tmp_path / "features")


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """What the feature store logs during the test, from warnings up (``logged.records``)."""
    caplog.set_level(logging.WARNING, logger="reelsearch.core.features")
    return caplog


def entry_bytes(store: FeatureStore, key: FeatureKey) -> bytes:
    data: bytes = store.fs.cat_file(store.path(key))
    return data


def write_raw(store: FeatureStore, key: FeatureKey, data: bytes) -> None:
    """Write an entry's file by hand, bypassing the store (a torn or foreign write)."""
    path = store.path(key)
    store.fs.makedirs(path.rpartition("/")[0], exist_ok=True)
    store.fs.pipe_file(path, data)


# --- keys ------------------------------------------------------------------------------------


def test_config_hash_is_sha256_of_canonical_json() -> None:
    config = ShotsConfig(threshold=30, tags={"b": 1, "a": 2})
    canonical = '{"detector":"content","tags":{"a":2,"b":1},"threshold":30.0}'
    assert config_hash(config) == hashlib.sha256(canonical.encode()).hexdigest()


def test_config_hash_ignores_order_and_follows_values() -> None:
    assert config_hash(ShotsConfig(tags={"a": 1, "b": 2})) == config_hash(
        ShotsConfig(tags={"b": 2, "a": 1})
    )
    assert config_hash(ShotsConfig()) != config_hash(ShotsConfig(threshold=28))


def test_key_of_hashes_the_config() -> None:
    assert FeatureKey(ASSET, "shots", "1.0", config_hash(ShotsConfig())) == KEY
    assert hash(KEY) == hash(FeatureKey.of(ASSET, "shots", "1.0", ShotsConfig()))


@pytest.mark.parametrize(
    ("field", "value"),
    [("asset_id", ""), ("algo", "../etc"), ("version", "1/2"), ("config_hash", ".hidden")],
)
def test_key_parts_must_be_plain_names(field: str, value: str) -> None:
    parts = {"asset_id": ASSET, "algo": "shots", "version": "1", "config_hash": "abc"}
    with pytest.raises(ValueError, match=f"FeatureKey.{field}"):
        FeatureKey(**{**parts, field: value})


# --- reading and writing ---------------------------------------------------------------------


def test_missing_entry_reads_as_none(store: FeatureStore) -> None:
    assert store.get(KEY) is None
    assert not store.contains(KEY)
    assert KEY not in store


def test_put_then_get_round_trips_models_and_dicts(store: FeatureStore) -> None:
    store.put(KEY, [SHOTS[0], SHOT_DICTS[1], SHOTS[2]])
    assert store.get(KEY) == SHOT_DICTS
    assert store.contains(KEY)
    assert [Shot.model_validate(r) for r in store.get(KEY) or []] == SHOTS


def test_empty_record_list_is_a_valid_entry(store: FeatureStore) -> None:
    store.put(KEY, [])
    assert store.get(KEY) == []


def test_put_replaces_the_entry(store: FeatureStore) -> None:
    store.put(KEY, SHOTS)
    store.put(KEY, SHOTS[:1])
    assert store.get(KEY) == SHOT_DICTS[:1]


def test_version_and_config_are_separate_entries(store: FeatureStore) -> None:
    other_version = FeatureKey.of(ASSET, "shots", "2.0", ShotsConfig())
    other_config = FeatureKey.of(ASSET, "shots", "1.0", ShotsConfig(threshold=1))
    store.put(KEY, SHOTS)
    assert store.get(other_version) is None
    assert store.get(other_config) is None


def test_layout_is_browsable_and_entries_carry_a_checked_header(store: FeatureStore) -> None:
    store.put(KEY, SHOTS)
    expected = f"{store.root}/9f/{ASSET}/shots/1.0/{KEY.config_hash}.json"
    assert store.path(KEY) == expected
    head, _, body = entry_bytes(store, KEY).partition(b"\n")
    header = json.loads(head)
    assert header["format"] == FORMAT
    assert header["count"] == 3
    assert header["sha256"] == hashlib.sha256(body).hexdigest()
    assert json.loads(body) == SHOT_DICTS


def test_records_that_are_not_json_fail_clearly(store: FeatureStore) -> None:
    with pytest.raises(FeatureStoreError, match="not JSON-serialisable"):
        store.put(KEY, [{"when": object()}])
    with pytest.raises(FeatureStoreError, match="not JSON-serialisable"):
        store.put(KEY, [{"score": float("nan")}])
    assert store.get(KEY) is None


def test_unknown_protocol_fails_clearly() -> None:
    with pytest.raises(FeatureStoreError, match="nosuchfs://"):
        FeatureStore("nosuchfs://bucket/features")


def test_keys_for_and_delete_asset(store: FeatureStore) -> None:
    keys = [
        FeatureKey.of(ASSET, "shots", "1.0", ShotsConfig()),
        FeatureKey.of(ASSET, "clip", "2", ShotsConfig()),
        FeatureKey.of(ASSET, "clip", "3", ShotsConfig()),
    ]
    other = FeatureKey.of(OTHER_ASSET, "shots", "1.0", ShotsConfig())
    for key in [*keys, other]:
        store.put(key, SHOTS)
    assert store.keys_for(ASSET) == sorted(keys, key=lambda k: (k.algo, k.version))
    assert store.delete_asset(ASSET) == 3
    assert store.keys_for(ASSET) == []
    assert all(store.get(key) is None for key in keys)
    assert store.get(other) == SHOT_DICTS
    assert store.delete_asset(ASSET) == 0


def test_open_feature_store_follows_settings(tmp_path: Path) -> None:
    default = open_feature_store(Settings(home=tmp_path))
    assert Path(default.root) == tmp_path / "features"
    explicit = open_feature_store(Settings(home=tmp_path, features_url="memory://elsewhere"))
    assert explicit.location == "memory://elsewhere"


# --- atomicity and integrity -----------------------------------------------------------------


def crash_writes_halfway(store: FeatureStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every file the store writes get half its bytes, then fail."""
    real_open = store.fs.open

    def open_then_fail(path: str, mode: str = "rb", **kwargs: Any) -> Any:
        file = real_open(path, mode, **kwargs)
        if "w" not in mode:
            return file

        class HalfWriter:
            def __enter__(self) -> HalfWriter:
                return self

            def __exit__(self, *exc: object) -> None:
                file.close()

            def write(self, data: bytes) -> int:
                file.write(data[: len(data) // 2])
                file.flush()
                raise OSError(errno.ENOSPC, "No space left on device")

        return HalfWriter()

    monkeypatch.setattr(store.fs, "open", open_then_fail)


def test_crash_mid_write_leaves_no_entry(
    local_store: FeatureStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        crash_writes_halfway(local_store, patch)
        with pytest.raises(FeatureStoreError, match="No space left"):
            local_store.put(KEY, SHOTS)
    assert local_store.get(KEY) is None
    folder = Path(local_store.path(KEY)).parent
    assert list(folder.iterdir()) == []  # the half-written temporary file was removed
    local_store.put(KEY, SHOTS)
    assert local_store.get(KEY) == SHOT_DICTS


def test_crash_mid_write_keeps_the_previous_entry(
    local_store: FeatureStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_store.put(KEY, SHOTS[:1])
    with monkeypatch.context() as patch:
        crash_writes_halfway(local_store, patch)
        with pytest.raises(FeatureStoreError):
            local_store.put(KEY, SHOTS)
    assert local_store.get(KEY) == SHOT_DICTS[:1]


_KILLED_WRITER = """
import sys, time
from fsspec.implementations.local import LocalFileOpener
from reelsearch.core.features import FeatureKey, FeatureStore

real_write = LocalFileOpener.write

def write_half_then_hang(self, data):
    real_write(self, data[: len(data) // 2])
    self.flush()
    print("half written", flush=True)
    time.sleep(120)

LocalFileOpener.write = write_half_then_hang
FeatureStore(sys.argv[1]).put(FeatureKey(*sys.argv[2:6]), [{"i": i} for i in range(1000)])
"""


def test_writer_killed_mid_write_leaves_only_an_ignored_temp_file(
    local_store: FeatureStore,
) -> None:
    argv = [sys.executable, "-c", _KILLED_WRITER, local_store.location]
    writer = subprocess.Popen(
        [*argv, KEY.asset_id, KEY.algo, KEY.version, KEY.config_hash],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        line = writer.stdout.readline()
        assert line == "half written\n", writer.stderr.read() if writer.stderr else ""
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.communicate()
    folder = Path(local_store.path(KEY)).parent
    (temp,) = folder.iterdir()
    assert temp.name.startswith(".")
    assert temp.stat().st_size > 0
    assert local_store.get(KEY) is None
    assert local_store.keys_for(ASSET) == []
    local_store.put(KEY, SHOTS)
    assert local_store.get(KEY) == SHOT_DICTS
    assert local_store.keys_for(ASSET) == [KEY]
    assert local_store.delete_asset(ASSET) == 1
    assert not folder.exists()


@pytest.mark.parametrize("keep", [0, 1, 40, -1])
def test_truncated_entry_reads_as_missing_then_recomputes(
    store: FeatureStore, logged: pytest.LogCaptureFixture, keep: int
) -> None:
    store.put(KEY, SHOTS)
    whole = entry_bytes(store, KEY)
    write_raw(store, KEY, whole[:keep])
    assert store.get(KEY) is None
    assert store.get(KEY) is None
    assert not store.contains(KEY)
    assert len(logged.records) == 1  # once per entry, not once per read
    assert store.path(KEY) in logged.records[0].getMessage()
    store.put(KEY, SHOTS)
    assert store.get(KEY) == SHOT_DICTS
    assert len(logged.records) == 1


@pytest.mark.parametrize("where", ["header", "body"])
def test_one_corrupted_byte_reads_as_missing(
    store: FeatureStore, logged: pytest.LogCaptureFixture, where: str
) -> None:
    store.put(KEY, SHOTS)
    data = bytearray(entry_bytes(store, KEY))
    header_end = data.index(b"\n")
    offset = header_end // 2 if where == "header" else header_end + len(data[header_end:]) // 2
    data[offset] ^= 0x01
    write_raw(store, KEY, bytes(data))
    assert store.get(KEY) is None
    assert [r.levelno for r in logged.records] == [logging.WARNING]


def test_count_mismatch_reads_as_missing(store: FeatureStore) -> None:
    body = b'[{"index": 0}]\n'
    header = {
        "format": FORMAT,
        "count": 2,
        "sha256": hashlib.sha256(body).hexdigest(),
        "key": dataclasses.asdict(KEY),
    }
    write_raw(store, KEY, json.dumps(header).encode() + b"\n" + body)
    assert store.get(KEY) is None


def test_entry_of_another_key_reads_as_missing(store: FeatureStore) -> None:
    other = FeatureKey.of(ASSET, "shots", "0.9", ShotsConfig())
    store.put(other, SHOTS)
    write_raw(store, KEY, entry_bytes(store, other))
    assert store.get(KEY) is None


def test_concurrent_writers_leave_a_valid_entry(
    store: FeatureStore, logged: pytest.LogCaptureFixture
) -> None:
    payloads = [[{"writer": w, "i": i, "pad": "x" * 2000} for i in range(50)] for w in range(6)]
    errors: list[BaseException] = []
    seen: list[list[dict[str, Any]] | None] = []
    writing = threading.Event()

    def write(records: list[dict[str, Any]]) -> None:
        try:
            for _ in range(15):
                store.put(KEY, records)
        except BaseException as exc:  # surfaced by the assertions below
            errors.append(exc)

    def read() -> None:
        while writing.is_set():
            seen.append(store.get(KEY))

    writers = [threading.Thread(target=write, args=(p,)) for p in payloads]
    reader = threading.Thread(target=read)
    writing.set()
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    writing.clear()
    reader.join()
    assert errors == []
    assert store.get(KEY) in payloads
    assert all(records is None or records in payloads for records in seen)
    assert logged.records == []  # no reader ever saw a partial entry
    assert store.keys_for(ASSET) == [KEY]
    if isinstance(store.fs, fsspec.implementations.local.LocalFileSystem):
        assert len(list(Path(store.path(KEY)).parent.iterdir())) == 1  # no temp files left
