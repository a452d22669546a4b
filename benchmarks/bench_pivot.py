"""Pivot latency on a big SQLite store: what `tocsin show SELECTOR` asks the store, at 1M documents.

The store is created through the normal open/migrate path (`tocsin.store.open_store`, so the
schema and indexes are exactly the shipped migrations), then filled FAST by bulk-inserting
synthetic rows straight into the real tables with ``sqlite3`` ``executemany`` in big transactions
— documents are *not* scanned or ingested; only the tables a pivot reads are filled
(``documents``, ``document_datasets``, ``selectors``, ``links``, ``signals``). Not filled: the
FTS5 index (its insert trigger is dropped for the load and put back afterwards, so full-text
search is not measured here), ``statements`` and MinHash signatures.

Synthetic data only (texts say so; selectors use ``.example`` domains, ``synth_`` handles and the
unassigned +999 calling code). Degree distribution: every document has 1-3 private selectors
(30 % of them shared with 1-2 other documents), 30 % of documents belong to networks of 20-200
documents sharing 2-6 selectors, and a dozen hubs sit in 1,000-10,000 documents each.

Measured, per selector (a seeded mix: 60 % private, 35 % network, 5 % hub selectors): the calls
`tocsin show` makes — look the selector up, `pivot()` over `SqlLinkSource` (selector degree,
documents of a selector, selectors of each document, with the hub threshold, fan-out and node
limit of the settings), `summaries()` of the documents reached and the degree of every selector
reached — at depth 1 and depth 2; p50/p95/p99, median of --rounds rounds. Clusters
(``--no-clusters``) and FtM entities are not part of this measurement.

    python benchmarks/bench_pivot.py [--docs 1000000] [--queries 1200] [--rounds 3] [--db PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from tocsin.graph.queries import pivot
from tocsin.graph.source import NodeKind, NodeRef
from tocsin.store import SqlLinkSource, open_store

ROOT = Path(__file__).resolve().parents[1]
TS = "2024-06-01 00:00:00.000000"
INDICATORS = (
    ("lure.salary_too_good", "lure"),
    ("lure.no_experience", "lure"),
    ("control.passport_retention", "control"),
    ("place.sihanoukville", "place"),
    ("place.myawaddy", "place"),
)
LANGS = ("en", "vi", "zh", "th", "id")


def _selector(rng: random.Random, serial: int) -> tuple[str, str]:
    kind = rng.choice(("phone", "telegram", "email", "domain"))
    if kind == "phone":
        value = f"+999{serial:09d}"
    elif kind == "telegram":
        value = f"synth_{serial}"
    elif kind == "email":
        value = f"hr{serial}@synthetic.example"
    else:
        value = f"net{serial}.synthetic.example"
    return kind, value


def generate(docs: int, seed: int) -> tuple[list[tuple[str, str, str]], np.ndarray, np.ndarray]:
    """Selectors (key, type, value) and links as (selector_pk, document_pk) arrays, 1-based."""
    rng = random.Random(seed)
    sels: list[tuple[str, str, str]] = []
    lsel, ldoc = array("q"), array("q")

    def new(stratum: str, members: list[int]) -> None:
        kind, value = _selector(rng, len(sels))
        sels.append((f"{kind}:{value}", kind, stratum))
        pk = len(sels)
        for d in members:
            lsel.append(pk)
            ldoc.append(d)

    for _ in range(12):  # hubs: a job board's support address, a shared payment domain
        new("hub", rng.sample(range(1, docs + 1), int(1000 * 10 ** rng.uniform(0, 1))))
    order = list(range(1, docs + 1))
    rng.shuffle(order)
    pos = 0
    while pos < 0.3 * docs:  # networks of 20-200 documents sharing 2-6 selectors
        size = int(20 * 10 ** rng.uniform(0, 1))
        members = order[pos : pos + size]
        pos += size
        new("network", members)
        for _ in range(rng.randint(1, 5)):
            new("network", rng.sample(members, max(2, int(len(members) * rng.uniform(0.2, 1)))))
    for d in range(1, docs + 1):  # private selectors, some shared with 1-2 other documents
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            members = [d]
            if rng.random() < 0.3:
                members += [rng.randint(1, docs) for _ in range(rng.randint(1, 2))]
            new("private", list(dict.fromkeys(members)))
    pairs = np.stack([np.frombuffer(lsel, dtype=np.int64), np.frombuffer(ldoc, dtype=np.int64)])
    pairs = np.unique(pairs, axis=1)  # sorted by (selector, document): primary-key order
    return sels, pairs[0], pairs[1]


def build(path: Path, docs: int, seed: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    store = open_store(url=f"sqlite:///{path}")  # the real migrations: tables, indexes, FTS
    store.engine.dispose()
    sels, lsel, ldoc = generate(docs, seed)
    t_gen = time.perf_counter() - t0
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-2000000")
    con.execute("PRAGMA foreign_keys=OFF")
    trigger = con.execute(
        "SELECT sql FROM sqlite_master WHERE type='trigger' AND name='documents_fts_insert'"
    ).fetchone()[0]
    con.execute("DROP TRIGGER documents_fts_insert")
    rng = random.Random(seed + 1)
    con.execute("BEGIN")
    con.execute(
        "INSERT INTO datasets (pk, name, marking, created_at) VALUES (1, 'synthetic-bench', "
        "'amber', ?)",
        (TS,),
    )

    def doc_rows() -> Iterator[tuple[Any, ...]]:
        for pk in range(1, docs + 1):
            text = f"Synthetic benchmark document {pk}: job ad with planted contacts."
            risk = rng.randrange(100)
            level = "high" if risk >= 70 else "medium" if risk >= 40 else "low"
            yield (
                pk,
                hashlib.sha256(text.encode()).hexdigest(),
                "amber",
                "job_ad",
                rng.choice(LANGS),
                risk,
                level,
                "lure",
                "{}",
                text,
                TS,
                TS,
            )

    con.executemany(
        "INSERT INTO documents (pk, id, dataset_pk, marking, kind, language, risk, level, "
        "categories, verdict, text, first_seen, last_seen) "
        "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        doc_rows(),
    )
    con.executemany(
        "INSERT INTO document_datasets (document_pk, dataset_pk, first_seen, last_seen) "
        "VALUES (?, 1, ?, ?)",
        ((pk, TS, TS) for pk in range(1, docs + 1)),
    )

    def signal_rows() -> Iterator[tuple[Any, ...]]:
        for pk in range(1, docs + 1):
            for name, category in rng.sample(INDICATORS, rng.randint(1, 2)):
                evidence = json.dumps([{"text": name.split(".")[1], "start": 0, "end": 9}])
                yield pk, name, category, 1.0, 1.0, evidence

    con.executemany(
        "INSERT INTO signals (document_pk, indicator, category, weight, contribution, evidence) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        signal_rows(),
    )
    con.executemany(
        "INSERT INTO selectors (pk, key, type, value, normalised, validated, first_seen, "
        "last_seen) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
        (
            (pk, key, kind, key.split(":", 1)[1], key.split(":", 1)[1], TS, TS)
            for pk, (key, kind, _) in enumerate(sels, 1)
        ),
    )
    con.executemany(
        "INSERT INTO links (selector_pk, document_pk, spans) VALUES (?, ?, '[]')",
        zip(lsel.tolist(), ldoc.tolist(), strict=True),
    )
    con.execute(trigger)  # FTS rows for these documents are not built (search not measured)
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    seconds = time.perf_counter() - t0
    degrees = np.bincount(lsel)[1:]
    return {
        "build_seconds": round(seconds, 1),
        "generate_seconds": round(t_gen, 1),
        "db_bytes": path.stat().st_size,
        "documents": docs,
        "selectors": len(sels),
        "links": int(lsel.size),
        "degree_p50": int(np.percentile(degrees, 50)),
        "degree_p99": int(np.percentile(degrees, 99)),
        "degree_max": int(degrees.max()),
    }


def sample(path: Path, count: int, seed: int) -> list[tuple[str, str, int]]:
    """A seeded mix of selectors: 60 % private, 35 % network, 5 % hubs, with their degree."""
    con = sqlite3.connect(path)
    strata: dict[str, list[tuple[str, int]]] = {"private": [], "network": [], "hub": []}
    rows = con.execute(
        "SELECT s.key, count(*) FROM selectors s JOIN links l ON l.selector_pk = s.pk GROUP BY s.pk"
    )
    for key, degree in rows:
        bucket = "hub" if degree >= 1000 else "network" if degree >= 10 else "private"
        strata[bucket].append((key, degree))
    con.close()
    rng = random.Random(seed)
    picks: list[tuple[str, str, int]] = []
    for name, share in (("private", 0.60), ("network", 0.35), ("hub", 0.05)):
        pool = strata[name]
        n = round(count * share)
        chosen = rng.sample(pool, n) if n <= len(pool) else rng.choices(pool, k=n)
        picks += [(name, key, degree) for key, degree in chosen]
    rng.shuffle(picks)
    return picks


def show_like(store: Any, source: SqlLinkSource, key: str, depth: int) -> int:
    """The store calls `tocsin show KEY --depth N --no-clusters` makes; returns nodes reached."""
    store.selector(key)
    sub = pivot(source, NodeRef(NodeKind.SELECTOR, key), depth=depth)
    documents = [n.id for n in sub.depth if n.kind is NodeKind.DOCUMENT]
    selectors = [n.id for n in sub.depth if n.kind is NodeKind.SELECTOR]
    source.summaries(documents)
    for k in selectors:
        source.selector_degree(k)
    return len(sub.depth)


def measure(path: Path, picks: list[tuple[str, str, int]], rounds: int) -> dict[str, Any]:
    store = open_store(url=f"sqlite:///{path}")
    source = SqlLinkSource(store.engine)
    out: dict[str, Any] = {}
    for depth in (1, 2):
        per_round: list[dict[str, float]] = []
        by_stratum: dict[str, list[float]] = {}
        nodes: list[int] = []
        for _ in range(rounds):
            times = []
            for stratum, key, _degree in picks:
                t = time.perf_counter()
                reached = show_like(store, source, key, depth)
                ms = (time.perf_counter() - t) * 1000
                times.append(ms)
                by_stratum.setdefault(stratum, []).append(ms)
                nodes.append(reached)
            q = np.percentile(times, [50, 95, 99])
            per_round.append({"p50": q[0], "p95": q[1], "p99": q[2], "max": max(times)})
        out[f"depth{depth}"] = {
            **{
                k: round(statistics.median(r[k] for r in per_round), 2)
                for k in ("p50", "p95", "p99", "max")
            },
            "rounds": [{k: round(v, 2) for k, v in r.items()} for r in per_round],
            "p95_by_stratum": {
                s: round(float(np.percentile(v, 95)), 2) for s, v in sorted(by_stratum.items())
            },
            "nodes_mean": round(statistics.fmean(nodes), 1),
        }
    store.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, help="reuse (or build and keep) this SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tocsin-pivot-") as tmp:
        path = args.db or Path(tmp) / "pivot.db"
        if args.db is not None and path.exists():
            built: dict[str, Any] = {"reused": str(path), "db_bytes": path.stat().st_size}
        else:
            built = build(path, args.docs, args.seed)
            print(f"built {path} in {built['build_seconds']} s: {built}", flush=True)
        picks = sample(path, args.queries, args.seed)
        result = {"build": built, "queries": len(picks), **measure(path, picks, args.rounds)}
    result["machine"] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "load": os.getloadavg(),
    }
    out = ROOT / "benchmarks" / "results" / "pivot.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print("| depth | selectors | p50 ms | p95 ms | p99 ms | p95 private / network / hub ms |")
    print("|---|---|---|---|---|---|")
    for depth in (1, 2):
        r = result[f"depth{depth}"]
        s = r["p95_by_stratum"]
        print(
            f"| {depth} | {len(picks)} | {r['p50']} | {r['p95']} | {r['p99']} | "
            f"{s.get('private')} / {s.get('network')} / {s.get('hub')} |"
        )


if __name__ == "__main__":
    main()
