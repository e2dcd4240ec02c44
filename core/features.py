"""The feature store: every algo output, memoised by what it was computed from.

An entry is the records one algo version with one config computed for one asset's bytes,
keyed by :class:`FeatureKey`. Entries live in a local folder or in any fsspec location
(``s3://bucket/features``, ``memory://features``), laid out so that a person can browse them::

    <root>/<content_hash[:2]>/<content_hash>/<algo>/<version>/<config_hash>.json

Each entry is one header line, then the body (the records as a JSON array, one per line)::

    {"format": "reelsearch.features/1", "count": 2, "sha256": "<hex digest of the body>", ...}
    [{"start": 0.0, "end": 2.5},
    {"start": 2.5, "end": 4.0}]

A crash never leaves something that reads as valid: on a local disk an entry is written under a
temporary name in its folder and renamed into place (an atomic replace), an object store's single
put is atomic, and whatever still goes wrong (a torn write after a power cut, a bad copy) fails
the digest or the count on read, is logged once and reads as missing, so the caller recomputes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import fsspec
from fsspec.implementations.local import LocalFileSystem
from pydantic import BaseModel

from reelsearch.core.config import Settings
from reelsearch.core.errors import FeatureStoreError

logger = logging.getLogger(__name__)

FORMAT = "reelsearch.features/1"
"""The ``format`` field of every entry header; a reader refuses any other."""

ENTRY_SUFFIX = ".json"
_TEMP_SUFFIX = ".tmp"
_PATH_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._+-]{0,254}$")


def _check_part(field: str, value: object) -> None:
    if not isinstance(value, str) or not _PATH_PART.match(value):
        raise ValueError(
            f"FeatureKey.{field} must be a plain name (letters, digits, '._+-', "
            f"not starting with '.'), got {value!r}"
        )


def config_hash(config: BaseModel) -> str:
    """The sha256 hex digest of ``config`` as canonical JSON (sorted keys, no whitespace)."""
    canonical = json.dumps(
        config.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class FeatureKey:
    """What an entry was computed from: the asset's bytes, the algo, its version and config.

    Each part becomes a folder or file name, so each must be a plain name: letters, digits and
    ``._+-``, not starting with a dot.

    Attributes:
        asset_id: The content hash of the asset.
        algo: The algo's registered name.
        version: The algo's version.
        config_hash: Digest of the algo's config, usually :func:`config_hash`.
    """

    asset_id: str
    algo: str
    version: str
    config_hash: str

    def __post_init__(self) -> None:
        for part in fields(self):
            _check_part(part.name, getattr(self, part.name))

    @classmethod
    def of(cls, asset_id: str, algo: str, version: str, config: BaseModel) -> FeatureKey:
        """The key of ``algo`` at ``version`` with ``config`` on asset ``asset_id``."""
        return cls(asset_id, algo, version, config_hash(config))


RecordLike = BaseModel | Mapping[str, Any]
"""What :meth:`FeatureStore.put` accepts: a pydantic record or a JSON-ready mapping."""


class FeatureStore:
    """Memoised algo outputs in a folder or an fsspec location.

    Safe to share between threads, and between processes writing to the same location: the
    last complete write of a key wins and readers see either it or an earlier complete entry.

    Args:
        location: A folder, or an fsspec URL such as ``s3://bucket/features``.
        storage_options: Passed to the fsspec filesystem (credentials, endpoint, ...).
    """

    def __init__(
        self,
        location: str | os.PathLike[str],
        storage_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.location = os.fspath(location)
        try:
            self.fs, root = fsspec.core.url_to_fs(self.location, **(storage_options or {}))
        except (ImportError, ValueError) as exc:
            raise FeatureStoreError(
                f"cannot open the feature store at {self.location!r}: {exc}"
            ) from exc
        self.root: str = root.rstrip("/")
        self._local = isinstance(self.fs, LocalFileSystem)
        self._reported: set[str] = set()

    def __repr__(self) -> str:
        return f"FeatureStore({self.location!r})"

    def path(self, key: FeatureKey) -> str:
        """Where the entry of ``key`` lives (an fsspec path, without the protocol)."""
        folder = f"{self._asset_dir(key.asset_id)}/{key.algo}/{key.version}"
        return f"{folder}/{key.config_hash}{ENTRY_SUFFIX}"

    def get(self, key: FeatureKey) -> list[dict[str, Any]] | None:
        """The records stored under ``key``, or ``None`` if there is no valid entry.

        An entry that fails its checks (truncated, corrupted, not an entry) is logged once as a
        warning and reads as missing, so the caller recomputes and :meth:`put` replaces it.

        Raises:
            FeatureStoreError: The location could not be read (permissions, network).
        """
        path = self.path(key)
        try:
            data = self.fs.cat_file(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise FeatureStoreError(f"cannot read feature store entry {path}: {exc}") from exc
        try:
            return _decode(data, key)
        except ValueError as exc:
            if path not in self._reported:
                self._reported.add(path)
                logger.warning("ignoring invalid feature store entry %s: %s", path, exc)
            return None

    def contains(self, key: FeatureKey) -> bool:
        """Whether ``key`` has a valid entry (this reads and checks the entry)."""
        return self.get(key) is not None

    __contains__ = contains

    def put(self, key: FeatureKey, records: Sequence[RecordLike]) -> None:
        """Store ``records`` under ``key``, atomically replacing any earlier entry.

        Raises:
            FeatureStoreError: A record is not JSON-serialisable, or the write failed; no
                partial entry is left behind that :meth:`get` would read as valid.
        """
        path = self.path(key)
        try:
            data = _encode(records, key)
        except (TypeError, ValueError) as exc:
            raise FeatureStoreError(f"records for {path} are not JSON-serialisable: {exc}") from exc
        try:
            if self._local:
                self._replace_local(path, data)
            else:
                self.fs.pipe_file(path, data)  # one put: atomic on object stores
        except OSError as exc:
            raise FeatureStoreError(f"cannot write feature store entry {path}: {exc}") from exc
        self._reported.discard(path)

    def keys_for(self, asset_id: str) -> list[FeatureKey]:
        """The keys of every entry of ``asset_id``, sorted (validity is not checked)."""
        folder = self._asset_dir(asset_id)
        try:
            paths: list[str] = self.fs.find(folder)
        except OSError as exc:
            raise FeatureStoreError(f"cannot list feature store folder {folder}: {exc}") from exc
        keys = []
        for path in paths:
            parts = path[len(folder) + 1 :].split("/")
            name = parts[-1]
            if len(parts) != 3 or name.startswith(".") or not name.endswith(ENTRY_SUFFIX):
                continue  # temporary files of writers, and anything else that is not an entry
            try:
                keys.append(FeatureKey(asset_id, parts[0], parts[1], name[: -len(ENTRY_SUFFIX)]))
            except ValueError:
                continue
        return sorted(keys, key=lambda k: (k.algo, k.version, k.config_hash))

    def delete_asset(self, asset_id: str) -> int:
        """Delete every entry of ``asset_id`` (and stale temporary files); returns how many."""
        folder = self._asset_dir(asset_id)
        count = len(self.keys_for(asset_id))
        try:
            if self.fs.exists(folder):
                self.fs.rm(folder, recursive=True)
        except OSError as exc:
            raise FeatureStoreError(f"cannot delete feature store folder {folder}: {exc}") from exc
        return count

    def _asset_dir(self, asset_id: str) -> str:
        _check_part("asset_id", asset_id)
        return f"{self.root}/{asset_id[:2]}/{asset_id}"

    def _replace_local(self, path: str, data: bytes) -> None:
        folder, _, name = path.rpartition("/")
        temp = f"{folder}/.{name}.{uuid.uuid4().hex}{_TEMP_SUFFIX}"
        self.fs.makedirs(folder, exist_ok=True)
        try:
            with self.fs.open(temp, "wb") as file:
                file.write(data)
            self.fs.mv(temp, path)  # os.rename: an atomic replace on POSIX
        except BaseException:
            with contextlib.suppress(OSError):
                self.fs.rm_file(temp)
            raise


def open_feature_store(settings: Settings) -> FeatureStore:
    """The feature store that ``settings`` configure (``features_url``, else under home)."""
    return FeatureStore(settings.features_location)


def _encode(records: Sequence[RecordLike], key: FeatureKey) -> bytes:
    dicts = [r.model_dump(mode="json") if isinstance(r, BaseModel) else dict(r) for r in records]
    lines = ",\n".join(json.dumps(d, ensure_ascii=False, allow_nan=False) for d in dicts)
    body = f"[{lines}]\n".encode()
    header = {
        "format": FORMAT,
        "count": len(dicts),
        "sha256": hashlib.sha256(body).hexdigest(),
        "key": asdict(key),
    }
    return json.dumps(header).encode() + b"\n" + body


def _decode(data: bytes, key: FeatureKey) -> list[dict[str, Any]]:
    """The records of an entry; ``ValueError`` saying why if it is not a valid entry of ``key``."""
    head, newline, body = data.partition(b"\n")
    if not newline:
        raise ValueError("no header line (truncated?)")
    try:
        header = json.loads(head)
    except json.JSONDecodeError as exc:
        raise ValueError(f"unreadable header ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} entry")
    if header.get("key") != asdict(key):
        raise ValueError(f"written for another key {header.get('key')}")
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise ValueError("body does not match its sha256 (truncated or corrupted)")
    records: object = json.loads(body)
    if not isinstance(records, list) or len(records) != header.get("count"):
        raise ValueError(f"expected {header.get('count')} records")
    return records
