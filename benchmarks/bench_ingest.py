"""Ingest throughput into SQLite: read → scan (full engine) → store (documents, selectors,
links, signals, statements, full-text index, MinHash signature), batched transactions.

Corpus: synthetic ~1 KB job ads with planted phones, Telegram handles and TRON wallets
(generated here; no real data). Each run ingests into a fresh SQLite file on local disk; reports
the median docs/s of --runs runs, a re-ingest of the same documents (all already known) and
pivot latency (documents of a selector) p50/p95 on the resulting store, as markdown (stdout) and
JSON (benchmarks/results/ingest.json).

    python benchmarks/bench_ingest.py [--docs 10000] [--runs 3] [--batch 500]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import base58

from tocsin.detect.engine import Engine
from tocsin.model import Document, DocumentKind
from tocsin.store import SqlLinkSource, open_store

ROOT = Path(__file__).resolve().parents[1]
FILLER = (
    "We are a fast-growing international company offering customer service and online "
    "marketing positions. Candidates should be motivated, reliable and willing to relocate. "
    "Training is provided in our modern office with air conditioning, free meals and a gym. "
)
LURES = (
    "Salary USD {salary} per month, no experience needed, flight and visa paid.",
    "Work in Sihanoukville or Bavet, accommodation and food included, typing job only.",
    "Earn commission on crypto investment clients, deposit to wallet {wallet} (USDT TRC20).",
    "Office job, standard hours, benefits according to local law.",
)


def corpus(count: int, seed: int = 3) -> list[Document]:
    rng = random.Random(seed)
    docs = []
    for i in range(count):
        net = rng.randrange(count // 25 + 1)
        lure = rng.choice(LURES).format(
            salary=900 + 10 * rng.randrange(100),
            wallet=base58.b58encode_check(b"\x41" + rng.randbytes(20)).decode(),
        )
        contact = (
            f"Contact Telegram @hr_team_{net} or WhatsApp +855 12 {net % 1000:03d} {i % 997:03d}."
        )
        text = f"Job ref {i}. {lure} {FILLER * 3}{contact}"
        docs.append(Document(text[:1100], DocumentKind.JOB_AD, id=str(i), source="bench"))
    return docs


def run(docs: list[Document], batch: int, engine: Engine) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(url=f"sqlite:///{Path(tmp) / 'bench.db'}")
        start = time.perf_counter()
        for i in range(0, len(docs), batch):
            store.store_batch(docs[i : i + batch], engine, dataset="bench")
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(0, len(docs), batch):
            store.store_batch(docs[i : i + batch], engine, dataset="bench")
        again = time.perf_counter() - start
        source = SqlLinkSource(store.engine)
        keys = list(source.link_arrays().selectors)
        rng = random.Random(1)
        times = []
        for key in rng.sample(keys, min(500, len(keys))):
            t = time.perf_counter()
            source.documents_of(key, limit=100)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        counts = store.counts()
        store.close()
    return {
        "docs_per_s": len(docs) / elapsed,
        "reingest_docs_per_s": len(docs) / again,
        "pivot_p50_ms": times[len(times) // 2],
        "pivot_p95_ms": times[int(len(times) * 0.95)],
        "selectors": counts["selectors"],
        "links": counts["links"],
        "statements": counts["statements"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    docs = corpus(args.docs)
    engine = Engine()
    engine.scan_many(docs[:200])  # warm caches and models, as a long-running ingest would be
    runs = [run(docs, args.batch, engine) for _ in range(args.runs)]
    median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    result = {
        "docs": args.docs,
        "runs": args.runs,
        "batch": args.batch,
        "median": median,
        "all": runs,
    }
    out = ROOT / "benchmarks" / "results" / "ingest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        "| documents | runs | batch | ingest docs/s (median) | re-ingest docs/s | "
        "pivot p50 ms | pivot p95 ms |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {args.docs:,} | {args.runs} | {args.batch} | {median['docs_per_s']:,.0f} | "
        f"{median['reingest_docs_per_s']:,.0f} | {median['pivot_p50_ms']:.2f} | "
        f"{median['pivot_p95_ms']:.2f} |"
    )
    print(
        f"\nper run docs/s: {', '.join(format(r['docs_per_s'], ',.0f') for r in runs)}; "
        f"{median['selectors']:,.0f} selectors, {median['links']:,.0f} links, "
        f"{median['statements']:,.0f} statements"
    )


if __name__ == "__main__":
    main()
