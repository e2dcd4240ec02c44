"""Search latency: reelsearch's HTTP search on Qdrant Edge (HNSW) against exact brute force in
NumPy and qdrant-client's local mode, on clustered synthetic shot vectors, in one run.

Data: ``n`` 512-d shot vectors drawn from 1,000 Gaussian clusters in a 64-d latent space,
projected linearly into 512-d, with a little isotropic noise, L2-normalised (cosine). Real shot
embeddings have a low intrinsic dimension; on uniform random 512-d vectors HNSW recall says
nothing about them. Queries are fresh draws from the same distribution.

For each size:

- **NumPy exact**: one query against the whole matrix (matmul + argpartition); it also gives
  the ground truth for recall@10.
- **qdrant-client local mode** (pure Python, exact), only up to ``--local-max`` points (it takes
  ~190 ms a query at 100k, see docs/DESIGN.md).
- **Edge in-process**: ``EdgeStore.search`` after ``optimize()`` built the HNSW graph, for each
  ``hnsw_ef`` of the sweep; the fastest ``hnsw_ef`` reaching ``--target-recall`` is served.
- **HTTP**: ``POST /api/search`` on ``reelsearch.server`` (uvicorn in a subprocess, the runtime
  holding the Edge store), through the gateway and a searcher; one client in sequence, then
  ``--clients`` concurrent clients for ``--duration`` seconds (errors counted). A plain top-10
  query asks the searcher for 11 hits (the page and a sign of the next one). One more row
  groups by title, as the web UI does: grouping works beyond the page, so the gateway asks for
  ``search_candidates`` hits (100 by default) and the store fetches 100 neighbours (its
  recall is not comparable, grouping reorders the page).

Text encoding is excluded: the benchmark's searcher looks each query vector up by name
(``q17``). What encoding a text query costs is measured apart, with open_clip's ViT-B-32 text
tower (random weights: the same compute as the pretrained ones; skipped where open_clip is not
installed).

Run: ``python benchmarks/search_latency.py`` (10k and 100k: about 5 minutes on 2 cores, most
of it building the 100k HNSW graph). ``--sizes 10000,100000,1000000`` adds 1M: generating and
loading it takes about 2 minutes and the HNSW build on 2 cores about 17 minutes; with
``--work DIR`` the stores stay in ``DIR`` and a later run with the same ``--work`` measures
them again without rebuilding.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import httpx
import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from reelsearch.core.config import Settings, load_settings
from reelsearch.core.executor import LocalExecutor
from reelsearch.core.host import LocalPlugin
from reelsearch.core.runtime import Runtime
from reelsearch.core.store.edge import EdgeStore
from reelsearch.sdk import (
    Algo,
    AlgoContext,
    Asset,
    Capability,
    CollectionSpec,
    Hit,
    Point,
    SearchContext,
    Searcher,
    SearchRequest,
    Sink,
    VectorSpec,
    hookimpl,
)
from reelsearch.server import LiveServer, create_app

DIM = 512
COLLECTION = CollectionSpec(name="synthetic", vectors={"v": VectorSpec(size=DIM)})
K = 10
Matrix = NDArray[np.float32]


# ---------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Clusters:
    """A clustered distribution of unit vectors (see the module docstring)."""

    clusters: int = 1000
    latent: int = 64
    noise: float = 0.15
    seed: int = 7

    def sample(self, n: int, seed: int, chunk: int = 100_000) -> Matrix:
        rng = np.random.default_rng(self.seed)
        centres = rng.normal(size=(self.clusters, self.latent)).astype(np.float32)
        projection = rng.normal(size=(self.latent, DIM)).astype(np.float32) / np.sqrt(self.latent)
        out = np.empty((n, DIM), dtype=np.float32)
        draws = np.random.default_rng(seed)
        for start in range(0, n, chunk):
            size = min(chunk, n - start)
            latent = centres[draws.integers(self.clusters, size=size)]
            latent += 0.35 * draws.normal(size=(size, self.latent)).astype(np.float32)
            block = latent @ projection
            block += self.noise * draws.normal(size=(size, DIM)).astype(np.float32)
            block /= np.linalg.norm(block, axis=1, keepdims=True)
            out[start : start + size] = block
        return out


def exact_top_k(data: Matrix, queries: Matrix, k: int = K, chunk: int = 50_000) -> NDArray[Any]:
    """Row numbers of each query's ``k`` nearest rows by cosine (all unit vectors)."""
    best_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(data), chunk):
        scores = queries @ data[start : start + chunk].T
        top = np.argpartition(-scores, min(k, scores.shape[1] - 1), axis=1)[:, :k]
        merged_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, 1)], axis=1)
        merged_rows = np.concatenate([best_rows, top + start], axis=1)
        keep = np.argsort(-merged_scores, axis=1)[:, :k]
        best_scores = np.take_along_axis(merged_scores, keep, 1)
        best_rows = np.take_along_axis(merged_rows, keep, 1)
    return best_rows


def recall(found: Sequence[Sequence[int]], truth: NDArray[Any]) -> float:
    """Mean share of each query's true top ``K`` among its results."""
    shares = [len(set(f[:K]) & set(t.tolist())) / K for f, t in zip(found, truth, strict=True)]
    return float(np.mean(shares))


def row_id(row: int) -> str:
    return str(uuid.UUID(int=row + 1))


def id_row(point_id: str) -> int:
    return uuid.UUID(point_id).int - 1


# ---------------------------------------------------------------------------- measuring


@dataclass
class Row:
    size: int
    method: str
    build: str = ""
    latencies_ms: list[float] = field(default_factory=list)
    qps: float | None = None
    recall: float | None = None
    note: str = ""

    def percentile(self, q: float) -> str:
        return f"{np.percentile(self.latencies_ms, q):.2f}" if self.latencies_ms else "-"

    def cells(self) -> list[str]:
        return [
            f"{self.size:,}",
            self.method,
            self.build or "-",
            self.percentile(50),
            self.percentile(95),
            self.percentile(99),
            f"{self.qps:,.0f}" if self.qps is not None else "-",
            f"{self.recall:.3f}" if self.recall is not None else "-",
            self.note,
        ]


HEADER = ["shots", "method", "build", "p50 ms", "p95 ms", "p99 ms", "QPS", "recall@10", "note"]


def timed(calls: Sequence[Callable[[], list[int]]]) -> tuple[list[float], list[list[int]]]:
    """Run each call in turn; their latencies in ms and their results."""
    latencies, results = [], []
    for call in calls:
        started = time.perf_counter()
        results.append(call())
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, results


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        for r in [header, *rows]
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- baselines


def numpy_exact(size: int, data: Matrix, queries: Matrix, truth: NDArray[Any]) -> Row:
    def one(q: Matrix) -> Callable[[], list[int]]:
        def search() -> list[int]:
            scores = data @ q
            top = np.argpartition(-scores, K)[:K]
            return top[np.argsort(-scores[top])].tolist()

        return search

    count = max(20, min(len(queries), 2_000_000 // size))
    latencies, found = timed([one(q) for q in queries[:count]])
    return Row(size, "NumPy exact, in-process", "", latencies, recall=recall(found, truth[:count]))


def qdrant_local(size: int, data: Matrix, queries: Matrix, truth: NDArray[Any]) -> Row:
    from qdrant_client import QdrantClient, models

    client = QdrantClient(location=":memory:")
    started = time.perf_counter()
    client.create_collection(
        "bench", vectors_config=models.VectorParams(size=DIM, distance=models.Distance.COSINE)
    )
    for start in range(0, size, 1000):
        block = data[start : start + 1000]
        client.upsert(
            "bench",
            points=models.Batch(ids=list(range(start, start + len(block))), vectors=block.tolist()),
        )
    build = f"upsert {time.perf_counter() - started:.0f} s"

    def one(q: Matrix) -> Callable[[], list[int]]:
        def search() -> list[int]:
            points = client.query_points("bench", query=q.tolist(), limit=K).points
            return [int(p.id) for p in points]

        return search

    count = min(len(queries), 100)
    latencies, found = timed([one(q) for q in queries[:count]])
    client.close()
    return Row(
        size, "qdrant-client local mode", build, latencies, recall=recall(found, truth[:count])
    )


# ---------------------------------------------------------------------------- Qdrant Edge


def load_edge(folder: Path, data: Matrix) -> tuple[EdgeStore, str]:
    """An Edge store in ``folder`` holding ``data``, its HNSW graph built."""
    store = EdgeStore(folder)
    store.ensure_collection(COLLECTION)
    started = time.perf_counter()
    for start in range(0, len(data), 2048):
        block = data[start : start + 2048]
        store.upsert(
            COLLECTION.name,
            [
                Point(
                    id=row_id(start + i),
                    vectors={"v": vector},
                    payload={
                        "asset_id": f"asset-{(start + i) // 400}",
                        "title": f"Title {(start + i) // 4000}",
                        "start": float((start + i) % 400 * 3),
                        "end": float((start + i) % 400 * 3 + 3),
                        "row": start + i,
                    },
                )
                for i, vector in enumerate(block.tolist())
            ],
            batch_size=2048,
        )
    loaded = time.perf_counter() - started
    store.optimize(COLLECTION.name)
    built = time.perf_counter() - started - loaded
    return store, f"load {loaded:.0f} s + HNSW {built:.0f} s"


def reuse_edge(folder: Path, size: int) -> tuple[EdgeStore, str] | None:
    """The Edge store a ``--work`` run left in ``folder``, if it holds all ``size`` points (the
    vectors are the same: the distribution is seeded)."""
    if not (folder / COLLECTION.name).is_dir():
        return None
    store = EdgeStore(folder)
    if COLLECTION.name in store.collections() and store.count(COLLECTION.name) == size:
        store.optimize(COLLECTION.name)  # a no-op once the graph is built
        return store, "reused"
    store.close()
    shutil.rmtree(folder)
    return None


def edge_sweep(
    store: EdgeStore,
    size: int,
    queries: Matrix,
    truth: NDArray[Any],
    efs: Sequence[int | None],
    build: str,
) -> list[tuple[int | None, Row]]:
    rows = []
    for ef in efs:

        def one(q: Matrix, ef: int | None = ef) -> Callable[[], list[int]]:
            def search() -> list[int]:
                hits = store.search(COLLECTION.name, q.tolist(), using="v", limit=K, hnsw_ef=ef)
                return [id_row(h.id) for h in hits]

            return search

        timed([one(q) for q in queries[:20]])  # warm up
        latencies, found = timed([one(q) for q in queries])
        label = f"Edge HNSW in-process, hnsw_ef={ef if ef is not None else 'default'}"
        rows.append((ef, Row(size, label, build, latencies, recall=recall(found, truth))))
        build = ""
    return rows


# ---------------------------------------------------------------------------- the served runtime


class SyntheticConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queries: str = ""
    hnsw_ef: int | None = None


class SyntheticShot(BaseModel):
    row: int


class SyntheticAlgo(Algo[SyntheticShot]):
    """Declares the benchmark's collection; its points are loaded directly, never computed."""

    name = "synthetic"
    version = "1"
    Record = SyntheticShot

    def run(self, ctx: AlgoContext) -> list[SyntheticShot]:
        return []

    def sink(self) -> SyntheticSink:
        return SyntheticSink()


class SyntheticSink(Sink[SyntheticShot]):
    def collection(self) -> CollectionSpec:
        return COLLECTION

    def points(self, asset: Asset, records: Sequence[SyntheticShot]) -> Iterator[Point]:
        return iter(())


class SyntheticSearcher(Searcher[SyntheticConfig]):
    """Answers ``text="q<N>"`` with the nearest shots of query vector ``N``: no text encoding."""

    name = "synthetic-knn"
    algo = "synthetic"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.VECTOR})
    query_kinds: ClassVar[frozenset[str]] = frozenset({"text"})

    def __init__(self, config: SyntheticConfig | None = None) -> None:
        super().__init__(config)
        self.queries = np.load(self.config.queries)
        self.hnsw_ef = self.config.hnsw_ef

    def search(self, request: SearchRequest, ctx: SearchContext) -> list[Hit]:
        vector = self.queries[int((request.text or "q0").removeprefix("q"))]
        points = ctx.store.search(
            ctx.collection(self.algo),
            vector.tolist(),
            using="v",
            limit=request.offset + request.limit,
            hnsw_ef=self.hnsw_ef,
        )
        return [
            Hit(
                id=p.id,
                asset_id=p.payload["asset_id"],
                title=p.payload["title"],
                algo=self.algo,
                score=p.score,
                start=p.payload["start"],
                end=p.payload["end"],
                extra={"row": p.payload["row"]},
            )
            for p in points
        ]


class SyntheticPlugin:
    @hookimpl
    def register_algos(self, register: Callable[[type[Algo[Any]]], None]) -> None:
        register(SyntheticAlgo)

    @hookimpl
    def register_searchers(self, register: Callable[[type[Searcher]], None]) -> None:
        register(SyntheticSearcher)


def bench_runtime(
    folder: Path, hnsw_ef: int | None, candidates: int | None, store: EdgeStore | None = None
) -> Runtime:
    """A runtime over the Edge store in ``folder`` with the synthetic search registered (and
    no installed plugin but the post-processors)."""
    options = {"queries": str(folder / "queries.npy"), "hnsw_ef": hnsw_ef}
    settings = load_settings(
        home=folder / "home",
        store_url=str(folder / "store"),
        plugins=["postprocessors"],
        components={"searchers": {"synthetic-knn": options}},
        **({"search_candidates": candidates} if candidates else {}),
    )
    plugins = [LocalPlugin("synthetic", SyntheticPlugin())]
    return Runtime(settings, plugins=plugins, store=store, executor=LocalExecutor())


def serve(folder: Path, hnsw_ef: int | None, candidates: int | None) -> None:
    """The server subprocess: serve the store in ``folder`` until stdin closes."""
    with (
        bench_runtime(folder, hnsw_ef, candidates) as runtime,
        LiveServer(create_app(runtime)) as server,
    ):
        print(server.port, flush=True)
        sys.stdin.read()


@contextlib.contextmanager
def served(folder: Path, hnsw_ef: int | None, candidates: int | None) -> Iterator[str]:
    """The URL of a server subprocess over the Edge store in ``folder``."""
    command = [sys.executable, __file__, "--serve", str(folder)]
    if hnsw_ef is not None:
        command += ["--hnsw-ef", str(hnsw_ef)]
    if candidates is not None:
        command += ["--candidates", str(candidates)]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdin is not None
        port = child.stdout.readline().strip()
        if not port:
            raise RuntimeError("the server subprocess did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(timeout=60)


def body(n: int, grouped: bool = False) -> dict[str, Any]:
    grouping = {"group_by": "title"} if grouped else {}
    return {"text": f"q{n}", "algos": ["synthetic-knn"], "limit": K, **grouping}


def http_sequential(
    size: int,
    url: str,
    queries: Matrix,
    truth: NDArray[Any],
    ef: str,
    grouped: bool = False,
    candidates: int = K + 1,
) -> Row:
    """One client's requests in turn; ``candidates``: how many hits the gateway asks for."""
    with httpx.Client(base_url=url, timeout=30) as client:

        def one(n: int) -> Callable[[], list[int]]:
            def search() -> list[int]:
                response = client.post("/api/search", json=body(n, grouped))
                if response.status_code != 200:
                    raise RuntimeError(f"HTTP {response.status_code}: {response.text}")
                return [h["extra"]["row"] for h in response.json()["hits"]]

            return search

        timed([one(n) for n in range(20)])  # warm up
        latencies, found = timed([one(n) for n in range(len(queries))])
    return Row(
        size,
        f"HTTP /api/search{', group_by=title' if grouped else ''}, 1 client, hnsw_ef={ef}",
        "",
        latencies,
        recall=None if grouped else recall(found, truth),
        note=f"client-side, {candidates} candidates",
    )


def gateway(size: int, runtime: Runtime, queries: Matrix, truth: NDArray[Any], ef: str) -> Row:
    def one(n: int) -> Callable[[], list[int]]:
        def search() -> list[int]:
            hits = runtime.search(SearchRequest.model_validate(body(n))).hits
            return [h.extra["row"] for h in hits]

        return search

    timed([one(n) for n in range(20)])  # warm up
    latencies, found = timed([one(n) for n in range(len(queries))])
    label = f"Runtime.search in-process, hnsw_ef={ef}"
    note = f"gateway, {K + 1} candidates"
    return Row(size, label, "", latencies, recall=recall(found, truth), note=note)


async def _load(
    url: str, clients: int, seconds: float, queries: int
) -> tuple[list[float], Counter[str]]:
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def worker(offset: int) -> None:
            n = offset
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await client.post("/api/search", json=body(n % queries))
                    hits = len(response.json()["hits"]) if response.status_code == 200 else 0
                    error = "" if hits == K else f"HTTP {response.status_code}, {hits} hits"
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"[:120]
                if error:
                    errors[error] += 1
                else:
                    latencies.append((time.perf_counter() - started) * 1000)
                n += clients

        await asyncio.gather(*(worker(i) for i in range(clients)))
    return latencies, errors


def http_concurrent(size: int, url: str, queries: int, clients: int, seconds: float) -> Row:
    latencies, errors = asyncio.run(_load(url, clients, seconds, queries))
    kinds = ", ".join(f"{kind} x{count}" for kind, count in errors.most_common())
    return Row(
        size,
        f"HTTP /api/search, {clients} clients, {seconds:.0f} s",
        "",
        latencies,
        qps=len(latencies) / seconds,
        note=f"{sum(errors.values())} errors" + (f" ({kinds})" if kinds else ""),
    )


# ---------------------------------------------------------------------------- text encoding


def text_encoding(count: int = 30) -> Row | None:
    """Latency of encoding one text query with open_clip ViT-B-32's text tower (random weights)."""
    try:
        import open_clip
        import torch
    except ImportError:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = open_clip.create_model("ViT-B-32", pretrained=None).eval()
        tokenizer = open_clip.get_tokenizer("ViT-B-32")
    torch.set_num_threads(2)
    phrases = [f"a red race car on a wet street at night, shot {i}" for i in range(count + 5)]

    def one(text: str) -> Callable[[], list[int]]:
        def encode() -> list[int]:
            with torch.inference_mode():
                model.encode_text(tokenizer([text]))
            return []

        return encode

    timed([one(t) for t in phrases[:5]])
    latencies, _ = timed([one(t) for t in phrases[5:]])
    return Row(0, "open_clip ViT-B-32 text tower, 1 query", "", latencies, note="not in the rows")


# ---------------------------------------------------------------------------- main


def bench_size(size: int, args: argparse.Namespace, work: Path) -> tuple[list[Row], list[Row]]:
    distribution = Clusters()
    print(f"[{size:,}] generating vectors...", file=sys.stderr, flush=True)
    data = distribution.sample(size, seed=1)
    queries = distribution.sample(args.queries, seed=2)
    truth = exact_top_k(data, queries)
    rows = [numpy_exact(size, data, queries, truth)]
    if size <= args.local_max:
        print(f"[{size:,}] qdrant-client local mode...", file=sys.stderr, flush=True)
        rows.append(qdrant_local(size, data, queries, truth))
    print(f"[{size:,}] loading Qdrant Edge and building HNSW...", file=sys.stderr, flush=True)
    folder = work / f"n{size}"
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "queries.npy", queries)
    store, build = reuse_edge(folder / "store", size) or load_edge(folder / "store", data)
    del data
    with store:
        sweep = edge_sweep(store, size, queries, truth, args.efs, build)
        reaching = [(ef, row) for ef, row in sweep if (row.recall or 0) >= args.target_recall]
        ef, best = (
            min(reaching, key=lambda item: float(np.percentile(item[1].latencies_ms, 50)))
            if reaching
            else max(sweep, key=lambda item: item[1].recall or 0)
        )
        rows.append(best)
        label = str(ef) if ef is not None else "default"
        # The runtime borrows the store; the with block closes it.
        runtime = bench_runtime(folder, ef, args.candidates, store=store)
        rows.append(gateway(size, runtime, queries, truth, label))
    print(f"[{size:,}] HTTP with hnsw_ef={label}...", file=sys.stderr, flush=True)
    with served(folder, ef, args.candidates) as url:
        rows.append(http_sequential(size, url, queries, truth, label))
        wide = max(args.candidates or Settings.model_fields["search_candidates"].default, K + 1)
        rows.append(http_sequential(size, url, queries, truth, label, True, wide))
        rows.append(http_concurrent(size, url, len(queries), args.clients, args.duration))
    return rows, [row for _, row in sweep]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="Comma-separated shot counts.")
    parser.add_argument("--queries", type=int, default=500, help="Queries per measurement.")
    parser.add_argument("--clients", type=int, default=50, help="Concurrent HTTP clients.")
    parser.add_argument("--duration", type=float, default=30.0, help="Seconds of the load test.")
    parser.add_argument("--local-max", type=int, default=10_000, help="Largest size for local.")
    parser.add_argument("--ef", default="default,16,32,64,128,256", help="hnsw_ef values to try.")
    parser.add_argument("--target-recall", type=float, default=0.95)
    parser.add_argument("--no-text-encoder", action="store_true", help="Skip open_clip.")
    parser.add_argument("--json", type=Path, help="Also write the rows as JSON here.")
    parser.add_argument(
        "--work",
        type=Path,
        help="Keep the Edge stores in this folder, and reuse those an earlier run left there "
        "(measure 1M again without rebuilding its HNSW graph).",
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--hnsw-ef", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--candidates", type=int, help="The gateway's search_candidates (default: the setting's)."
    )
    args = parser.parse_args(argv)
    if args.serve is not None:
        serve(args.serve, args.hnsw_ef, args.candidates)
        return
    args.efs = [None if e == "default" else int(e) for e in args.ef.split(",")]
    rows: list[Row] = []
    sweeps: list[Row] = []
    with contextlib.ExitStack() as stack:
        work = args.work or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        for size in (int(s) for s in args.sizes.split(",")):
            found, sweep = bench_size(size, args, work)
            rows += found
            sweeps += sweep
    encoding = None if args.no_text_encoder else text_encoding()
    print("\nSearch latency, top-10 of clustered 512-d shot vectors (cosine):\n")
    print(table([r.cells() for r in rows], HEADER))
    print("\nQdrant Edge hnsw_ef sweep (in-process store.search):\n")
    print(table([r.cells()[:8] for r in sweeps], HEADER[:8]))
    if encoding is not None:
        print(
            f"\nText encoding, excluded above: {encoding.method}: "
            f"p50 {encoding.percentile(50)} ms, p95 {encoding.percentile(95)} ms"
        )
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in [*rows, *sweeps]], indent=1))


if __name__ == "__main__":
    main()
