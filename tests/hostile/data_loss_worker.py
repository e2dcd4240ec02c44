"""A process that ingests one video with a small real plugin, for tests/hostile/test_data_loss.py.

``python data_loss_worker.py HOME VIDEO [KILL]`` ingests VIDEO into HOME with the ``lines`` algo:
one record per line of the sidecar ``VIDEO.lines.txt``, written to the ``lines`` collection. It
prints its ingest report as JSON. With KILL it dies by SIGKILL in the middle of the sink's write:

- ``before-write``: the new records are memoised in the feature store, no new point is stored;
- ``mid-write``: the first of the new points are stored, the rest are not.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel

from reelsearch.core.config import load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.host import LocalPlugin
from reelsearch.core.runtime import Runtime
from reelsearch.core.store.edge import EdgeStore
from reelsearch.sdk import (
    Algo,
    AlgoContext,
    Asset,
    CollectionSpec,
    FieldType,
    Point,
    Sink,
    hookimpl,
    point_id,
)

COLLECTION = "lines"


class Line(BaseModel):
    index: int
    text: str


def sidecar(asset: Asset) -> Path:
    return Path(f"{asset.uri}.lines.txt")


def kill_now() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class LinesSink(Sink[Line]):
    def __init__(self, kill: str | None) -> None:
        self.kill = kill

    def collection(self) -> CollectionSpec:
        return CollectionSpec(name=COLLECTION, indexes={"text": FieldType.KEYWORD})

    def points(self, asset: Asset, records: Sequence[Line]) -> Iterator[Point]:
        if self.kill == "before-write":
            kill_now()
        for line in records:
            yield Point(
                id=point_id(asset.id, COLLECTION, "1", line.index),
                payload={
                    "asset_id": asset.id,
                    "title": asset.title,
                    "metadata": dict(asset.metadata),
                    "start": float(line.index),
                    "end": float(line.index + 1),
                    "text": line.text,
                },
            )


class Lines(Algo[Line]):
    name = "lines"
    version = "1"
    Record = Line

    def run(self, ctx: AlgoContext) -> list[Line]:
        text = sidecar(ctx.asset).read_text(encoding="utf-8")
        return [Line(index=i, text=t) for i, t in enumerate(text.splitlines())]

    def fingerprint(self, asset: Asset) -> str:
        return hashlib.sha256(sidecar(asset).read_bytes()).hexdigest()

    def sink(self) -> LinesSink:
        return LinesSink(os.environ.get("DATA_LOSS_KILL"))


class LinesPlugin:
    @staticmethod
    @hookimpl
    def register_algos(register: Callable[[type[Algo[Line]]], None]) -> None:
        register(Lines)


class KilledMidWrite(EdgeStore):
    """The real store, with the process killed after the first point of a ``lines`` write."""

    def upsert(self, collection: str, points: Sequence[Point], *, batch_size: int = 256) -> None:
        if collection != COLLECTION:
            super().upsert(collection, points, batch_size=batch_size)
            return
        super().upsert(collection, points[:1], batch_size=batch_size)
        kill_now()


def main() -> None:
    home, video = Path(sys.argv[1]), Path(sys.argv[2])
    kill = sys.argv[3] if len(sys.argv) > 3 else None
    if kill:
        os.environ["DATA_LOSS_KILL"] = kill
    settings = load_settings(home=home, plugins=[], store_url=None)
    store = KilledMidWrite(home / "store") if kill == "mid-write" else None
    plugins = [LocalPlugin("lines", LinesPlugin)]
    with Runtime(settings, plugins=plugins, store=store, executor=LocalExecutor()) as rs:
        (report,) = rs.ingest([video], title="Video", algos=["lines"]).reports
    print(json.dumps({"computed": report.computed, "reused": report.reused, **report.written}))


if __name__ == "__main__":
    main()
