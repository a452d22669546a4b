"""What the access scoping costs: search, search totals, document() and pivots on a store of
10,000 synthetic documents, run as the system principal (no filter) and as users who see part of
it. Documents are ingested through the normal path (scanned, linked) into five datasets, one per
TLP marking, 2,000 each; a fifth of the networks' selectors cross datasets.

Synthetic data only: texts say so; handles are ``synth_…``, phones use the unassigned +999 code.

Each operation is run over a fixed set of queries; a round's figure is the mean latency per call,
and the table gives the median of --rounds rounds. A scoped read of AMBER/RED material also
appends to the audit log (a write): that is part of what is measured.

    python benchmarks/bench_access.py [--docs 10000] [--rounds 3] [--database URL]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tocsin.access import Principal, users
from tocsin.detect.engine import Engine
from tocsin.graph import NodeKind, NodeRef
from tocsin.graph.queries import pivot
from tocsin.model import Document, DocumentKind
from tocsin.store import Store, open_store

MARKINGS = ("clear", "green", "amber", "amber+strict", "red")
TEMPLATES = (
    "Synthetic ad {i}: customer service job in Sihanoukville, USD {salary} per month, flight and "
    "visa paid. Contact Telegram @synth_net{net}_desk or WhatsApp +999 {net:04d} {n:04d}.",
    "Synthetic ad {i}: crypto analyst wanted, remote first. Send a USDT deposit first; Telegram "
    "@synth_net{net}_hr. Email hr{net}@synthetic.example",
    "Synthetic ad {i}: typist, good English, salary {salary} USD. Call +999 {net:04d} {n:04d}.",
)


def build(store: Store, count: int) -> dict[str, list[str]]:
    rng = random.Random(5)
    scanner = Engine()
    users.create_organisation(store.engine, "owner")
    users.create_organisation(store.engine, "partner")
    ids: dict[str, list[str]] = {m: [] for m in MARKINGS}
    per = count // len(MARKINGS)
    for k, marking in enumerate(MARKINGS):
        name = f"bench-{marking}"
        store.dataset(name, marking, org="owner")
        users.share_dataset(store.engine, name, "partner")
        docs = []
        for i in range(per):
            net = rng.randrange(400) if rng.random() < 0.8 else 400 + k * 100 + rng.randrange(100)
            text = rng.choice(TEMPLATES).format(
                i=k * per + i, salary=800 + rng.randrange(30) * 50, net=net, n=rng.randrange(10_000)
            )
            docs.append(Document(text, DocumentKind.JOB_AD, source="synthetic"))
        for start in range(0, len(docs), 500):
            result = store.store_batch(docs[start : start + 500], scanner, dataset=name)
            ids[marking].extend(result.new_ids)
    return ids


def timed(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default=None, help="a store URL [default: temporary SQLite]")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = open_store(url=url)
        started = time.perf_counter()
        ids = build(store, args.docs)
        built = time.perf_counter() - started
        analyst = users.create_user(store.engine, "owner_an", "synthetic-pass-123", org="owner",
                                    role="analyst")  # fmt: skip
        partner = users.create_user(store.engine, "partner_an", "synthetic-pass-123",
                                    org="partner", role="analyst")  # fmt: skip
        principals = {
            "system": Principal.system(),
            "owner analyst (4/5)": analyst,
            "partner analyst (3/5)": partner,
            "public (1/5)": Principal.public(),
        }
        queries = ["customer service", "Telegram", "USDT deposit", "typist English"]
        selectors = [f"telegram:synth_net{n}_desk" for n in range(0, 400, 8)]
        docs = [d for m in MARKINGS for d in ids[m][:10]]
        results: dict[str, dict[str, float]] = {}
        for label, principal in principals.items():
            scoped = store.as_principal(principal)
            ops: dict[str, Callable[[], object]] = {
                "search (20 rows)": lambda s=scoped: [s.search(q) for q in queries],
                "search total": lambda s=scoped: [s.search_count(q) for q in queries],
                "document()": lambda s=scoped: [s.document(d) for d in docs],
                "pivot depth 2": lambda s=scoped: [
                    pivot(s.link_source(), NodeRef(NodeKind.SELECTOR, k), depth=2)
                    for k in selectors
                ],
            }
            per_call = {"search (20 rows)": len(queries), "search total": len(queries),
                        "document()": len(docs), "pivot depth 2": len(selectors)}  # fmt: skip
            results[label] = {}
            for op, fn in ops.items():
                fn()  # warm up
                rounds = [timed(fn, 1) / per_call[op] for _ in range(args.rounds)]
                results[label][op] = statistics.median(rounds)
        store.close()
    print(f"store: {args.docs} documents ({store.dialect}), built in {built:.0f} s\n")
    ops_list = list(next(iter(results.values())))
    print("| principal | " + " | ".join(f"{o} ms" for o in ops_list) + " |")
    print("|---|" + "---|" * len(ops_list))
    for label, row in results.items():
        base = results["system"]
        cells = [
            f"{row[o]:.2f}" + ("" if label == "system" else f" ({row[o] / base[o]:.2f}×)")
            for o in ops_list
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")
    out = Path(__file__).parent / "results" / "access.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"docs": args.docs, "results": results}, indent=1))


if __name__ == "__main__":
    main()
