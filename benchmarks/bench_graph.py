"""Link analysis: clustering time, peak memory and recovery of planted networks.

Corpus: benchmarks/graph_corpus.py (synthetic; planted networks, hubs, templates). Each size runs
in a fresh subprocess so that peak memory (ru_maxrss) is that run's own. Near-duplicates are
measured on the text corpus (signatures computed first, as the store does at ingest, and timed
apart). Pivot/path timings here are the in-memory graph side; the store measures its own.

    python benchmarks/bench_graph.py [--sizes 100000 1000000] [--runs 3] [--text-docs 20000]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import graph_corpus  # the generator sits next to this script, not in a package

from tocsin.graph import MemoryLinkSource, NodeKind, NodeRef
from tocsin.graph.clusters import ClusterOptions, find_clusters
from tocsin.graph.neardup import signature
from tocsin.graph.queries import pivot, shortest_path
from tocsin.graph.source import LinkArrays

RESULTS = Path(__file__).resolve().parent / "results"


class PlantedSource(MemoryLinkSource):
    """The planted arrays as a LinkSource (what the store's `link_arrays` returns)."""

    def __init__(self, planted: graph_corpus.Planted, signatures: list[tuple[str, bytes]]) -> None:
        super().__init__()
        self.planted, self.signatures = planted, signatures

    def link_arrays(self) -> LinkArrays:
        p = self.planted
        return LinkArrays(p.documents, p.selectors, p.link_documents, p.link_selectors)

    def iter_signatures(self):  # type: ignore[no-untyped-def]
        yield from self.signatures


def one_run(n_docs: int, text: bool, seed: int) -> dict[str, float]:
    planted = (graph_corpus.texts if text else graph_corpus.arrays)(
        n_docs, seed=seed, template_only_share=0.3 if text else 0.0
    )
    sigs: list[tuple[str, bytes]] = []
    sig_seconds = 0.0
    if planted.texts is not None:
        t0 = time.perf_counter()
        for doc_id, body in zip(planted.documents, planted.texts, strict=True):
            sig = signature(body)
            if sig is not None:
                sigs.append((doc_id, sig))
        sig_seconds = time.perf_counter() - t0
        planted.texts = None
    source = PlantedSource(planted, sigs)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = find_clusters(source, ClusterOptions(near_duplicates=text))
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    precision, recall = graph_corpus.pairwise_scores(result.document_labels, planted.truth)
    no_dup = {}
    if text:
        plain = find_clusters(source, ClusterOptions(near_duplicates=False))
        p2, r2 = graph_corpus.pairwise_scores(plain.document_labels, planted.truth)
        no_dup = {"precision_links_only": p2, "recall_links_only": r2}
    hubs_found = sorted(h.key for h in result.hubs) == sorted(planted.hubs)
    return {
        "docs": n_docs,
        "links": int(planted.link_documents.shape[0]),
        "selectors": len(planted.selectors),
        "seconds": seconds,
        "signature_seconds": sig_seconds,
        "peak_mb": peak / 1024,
        "peak_before_mb": before / 1024,
        "clusters": result.count,
        "precision": precision,
        "recall": recall,
        "hubs_exact": float(hubs_found),
        "near_duplicate_links": len(result.near_duplicates),
        **no_dup,
    }


def query_latency(n_docs: int, seed: int) -> dict[str, float]:
    """Pivot (depth 2) and shortest-path latency on an in-memory source (graph side only)."""
    planted = graph_corpus.arrays(n_docs, seed=seed)
    src = MemoryLinkSource()
    order = np.argsort(planted.link_documents, kind="stable")
    docs, sels = planted.link_documents[order], planted.link_selectors[order]
    bounds = np.searchsorted(docs, np.arange(n_docs + 1))
    for i in range(n_docs):
        keys = [planted.selectors[s] for s in sels[bounds[i] : bounds[i + 1]].tolist()]
        src.add(planted.documents[i], keys)
    rng = np.random.default_rng(seed)
    pool = [k for k in planted.selectors if ":net" in k]
    pivots, paths = [], []
    for _ in range(200):
        key = pool[int(rng.integers(len(pool)))]
        t0 = time.perf_counter()
        pivot(src, NodeRef(NodeKind.SELECTOR, key), depth=2)
        pivots.append((time.perf_counter() - t0) * 1000)
        net = key.split(":", 1)[1].split("_")[0]
        other = f"phone:{net}_s1"
        t0 = time.perf_counter()
        shortest_path(src, key, other)
        paths.append((time.perf_counter() - t0) * 1000)

    def pct(values: list[float], q: float) -> float:
        return float(np.percentile(values, q))

    return {
        "pivot_p50_ms": pct(pivots, 50),
        "pivot_p95_ms": pct(pivots, 95),
        "path_p50_ms": pct(paths, 50),
        "path_p95_ms": pct(paths, 95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size below 1M")
    parser.add_argument("--text-docs", type=int, default=20_000)
    parser.add_argument("--child", nargs=3, metavar=("DOCS", "TEXT", "SEED"))
    args = parser.parse_args()
    if args.child:
        docs, text, seed = int(args.child[0]), args.child[1] == "1", int(args.child[2])
        print(json.dumps(one_run(docs, text, seed)))
        return

    def child(docs: int, text: bool, seed: int) -> dict[str, float]:
        cmd = [sys.executable, __file__, "--child", str(docs), "1" if text else "0", str(seed)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        return dict(json.loads(out))

    report: dict[str, object] = {}
    for size in args.sizes:
        runs = [child(size, False, seed) for seed in range(args.runs if size < 1_000_000 else 1)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        report[f"links_{size}"] = {"runs": len(runs), **med}
        print(f"links {size}: {json.dumps(med)}", flush=True)
    runs = [child(args.text_docs, True, seed) for seed in range(args.runs)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    report[f"text_{args.text_docs}"] = {"runs": len(runs), **med}
    print(f"text {args.text_docs}: {json.dumps(med)}", flush=True)
    report["queries_100000"] = query_latency(100_000, 0)
    print(f"queries: {json.dumps(report['queries_100000'])}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "graph.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
