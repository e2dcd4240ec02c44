"""An application that embeds the reelsearch runtime: ingest videos, then print the catalog
and each title's shots with timecodes.

    python examples/embed_app.py VIDEO [VIDEO ...] [--title TITLE] [--home DIR]

Everything runs in-process on the embedded defaults (Qdrant Edge, local executor); set
``REELSEARCH_STORE_URL`` or ``REELSEARCH_EXECUTOR=ray`` to scale out with the same code.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reelsearch.core.errors import ReelsearchError
from reelsearch.core.runtime import Runtime
from reelsearch.sdk import PointFilter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("videos", nargs="+", type=Path)
    parser.add_argument("--title", default=None)
    parser.add_argument("--home", type=Path, default=None, help="data home (REELSEARCH_HOME)")
    args = parser.parse_args(argv)

    overrides = {"home": args.home} if args.home else {}
    try:
        with Runtime.open(**overrides) as rs:
            result = rs.ingest(args.videos, title=args.title, strict=False)
            for path, error in result.failures.items():
                print(f"skipped {path}: {error}")
            for asset in rs.catalog.assets():
                print(f"{asset.title}  ({asset.id[:12]}, {asset.uri})")
                shots = rs.store.points("shots", filter=PointFilter(asset_ids=[asset.id]))
                for shot in sorted(shots, key=lambda p: p.payload["shot_index"]):
                    p = shot.payload
                    print(f"  shot {p['shot_index']:3d}  {p['start']:8.3f}s - {p['end']:8.3f}s")
    except ReelsearchError as exc:
        print(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
