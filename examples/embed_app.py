"""An application that embeds the reelsearch runtime: ingest videos, print the catalog and each
title's shots with timecodes, then, with ``--search``, the shots that match a description.

    python examples/embed_app.py VIDEO [VIDEO ...] [--title TITLE] [--home DIR] [--search TEXT]

Everything runs in-process on the embedded defaults (Qdrant Edge, local executor); set
``REELSEARCH_STORE_URL`` or ``REELSEARCH_EXECUTOR=ray`` to scale out with the same code.
It imports only ``reelsearch``, the application API.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reelsearch import PointFilter, ReelsearchError, Runtime, SearchFilter, SearchRequest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("videos", nargs="+", type=Path)
    parser.add_argument("--title", default=None)
    parser.add_argument("--home", type=Path, default=None, help="data home (REELSEARCH_HOME)")
    parser.add_argument("--search", default=None, help="describe the shots to find")
    args = parser.parse_args(argv)

    overrides = {"home": args.home} if args.home else {}
    try:
        with Runtime.open(**overrides) as rs:
            result = rs.ingest(args.videos, title=args.title, strict=False)
            for path, error in result.failures.items():
                print(f"skipped {path}: {error}")
            for report in result.reports:
                for algo, reason in report.skipped.items():
                    print(f"{report.asset.title}: {algo} did not run: {reason}")
            for asset in rs.catalog.assets():
                print(f"{asset.title}  ({asset.id[:12]}, {asset.uri})")
                shots = rs.store.points("shots", filter=PointFilter(asset_ids=[asset.id]))
                for shot in sorted(shots, key=lambda p: p.payload["shot_index"]):
                    p = shot.payload
                    print(f"  shot {p['shot_index']:3d}  {p['start']:8.3f}s - {p['end']:8.3f}s")
            if args.search:
                titles = [args.title] if args.title else []
                request = SearchRequest(text=args.search, filter=SearchFilter(titles=titles))
                for hit in rs.search(request).hits:
                    print(f"hit {hit.title}  {hit.start_timecode}  {hit.score:.3f}  ({hit.algo})")
    except ReelsearchError as exc:
        print(f"error: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
