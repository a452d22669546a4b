"""Sharing at a million selectors: export and import (STIX, MISP, FtM), hash sets and matching.

The source store is created through the normal open/migrate path, then filled fast by bulk
inserts into the real tables (as bench_pivot.py does): ``--selectors`` selectors over documents
of ``--per-doc`` selectors each (a few shared by small networks, so the export has clusters),
with the FtM statements an ingest would have written. Everything is synthetic: texts say so,
phones are in Cambodia's +855 12 range (random subscriber numbers), handles are ``synth_…``,
e-mail and web domains are under example.org / example.net (RFC 2606), TRON addresses are random
payloads with valid checksums.

Each measurement runs in a fresh Python process (peak RSS is that process's), ``--runs`` times;
the median time is reported with the peak RSS, CPU seconds and load average of the median run
(on a shared machine the CPU seconds compare better than the wall time):

- ``export-{stix,misp,ftm}``: `tocsin.share.exchange.export` of everything to a file;
- ``import-{stix,misp,ftm}``: `tocsin.share.exchange.import_file` of that file into an empty
  store (documents scanned by the engine, linked, statements written) — the whole import;
- ``hashes``: the keyed hashes of every selector that may leave, written as a hash-set file;
- ``match``: our selectors against another party's hash set of the same size (10 % overlap).

    python benchmarks/bench_share.py [--selectors 1000000] [--per-doc 8] [--runs 3]
        [--phases export-stix,import-stix,...] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58

ROOT = Path(__file__).resolve().parents[1]
TS = "2026-10-01 00:00:00.000000"
PHASES = (
    "hashes",
    "match",
    "export-stix",
    "export-misp",
    "export-ftm",
    "import-stix",
    "import-misp",
    "import-ftm",
)


# -- the store -----------------------------------------------------------------------------


def _value(rng: random.Random, serial: int) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.35:
        return "phone", f"+85512{serial % 1_000_000:06d}"
    if roll < 0.65:
        return "telegram", f"synth_{serial}"
    if roll < 0.80:
        return "email", f"hr{serial}@mail.example.org"
    if roll < 0.90:
        return "domain", f"jobs{serial}.example.net"
    payload = b"\x41" + rng.randbytes(20)
    return "crypto", base58.b58encode_check(payload).decode()


def _statement_id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


def build(path: Path, selectors: int, per_doc: int, seed: int) -> dict[str, Any]:
    from tocsin.store import open_store
    from tocsin.store.ftm import selector_entity_id

    t0 = time.perf_counter()
    store = open_store(url=f"sqlite:///{path}")
    store.engine.dispose()
    rng = random.Random(seed)
    docs = selectors // per_doc
    values: list[tuple[str, str]] = []
    seen: set[str] = set()
    serial = 0
    while len(values) < selectors:
        kind, value = _value(rng, serial)
        serial += 1
        if f"{kind}:{value}" not in seen:
            seen.add(f"{kind}:{value}")
            values.append((kind, value))
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=OFF")
    trigger = con.execute(
        "SELECT sql FROM sqlite_master WHERE type='trigger' AND name='documents_fts_insert'"
    ).fetchone()[0]
    con.execute("DROP TRIGGER documents_fts_insert")
    con.execute("BEGIN")
    con.execute("INSERT INTO organisations (pk, name, created_at) VALUES (1, 'local', ?)", (TS,))
    con.execute(
        "INSERT INTO datasets (pk, name, marking, created_at, org_pk) "
        "VALUES (1, 'bench', 'green', ?, 1)",
        (TS,),
    )
    links: list[tuple[int, int]] = []
    doc_values: list[list[int]] = []
    for d in range(docs):
        mine = list(range(d * per_doc, (d + 1) * per_doc))
        if d % 50 < 5 and d >= 5:  # small networks: reuse a selector of a neighbour
            mine.append((d - 1 - d % 5) * per_doc)
        doc_values.append(mine)
        links += [(v + 1, d + 1) for v in mine]

    def doc_rows() -> Iterator[tuple[Any, ...]]:
        for d, mine in enumerate(doc_values):
            contacts = ", ".join(_written(*values[v]) for v in mine)
            text = f"SYNTHETIC benchmark ad {d}: customer service job, contact {contacts}."
            yield (
                d + 1, hashlib.sha256(text.encode()).hexdigest(), "green", "job_ad", "en",
                55, "medium", ",recruitment_lure,", "{}", text, TS, TS,
            )  # fmt: skip

    con.executemany(
        "INSERT INTO documents (pk, id, dataset_pk, marking, kind, language, risk, level, "
        "categories, verdict, text, first_seen, last_seen) "
        "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        doc_rows(),
    )
    con.executemany(
        "INSERT INTO document_datasets (document_pk, dataset_pk, first_seen, last_seen) "
        "VALUES (?, 1, ?, ?)",
        ((d + 1, TS, TS) for d in range(docs)),
    )
    con.executemany(
        "INSERT INTO selectors (pk, key, type, value, normalised, chain, validated, first_seen, "
        "last_seen) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
        (
            (i + 1, f"{k}:{v}", k, v, v.casefold(), "tron" if k == "crypto" else None, TS, TS)
            for i, (k, v) in enumerate(values)
        ),
    )
    con.executemany(
        "INSERT INTO links (selector_pk, document_pk, spans) VALUES (?, ?, '[]')", links
    )
    ids = [r[0] for r in con.execute("SELECT id FROM documents ORDER BY pk")]

    def statement_rows() -> Iterator[tuple[Any, ...]]:
        for d, mine in enumerate(doc_values):
            doc_id = ids[d]
            doc_entity = f"tocsin-doc-{doc_id}"
            props = [(doc_entity, "Document", "keywords", "tocsin:category:recruitment_lure")]
            for v in mine:
                kind, value = values[v]
                if kind == "phone":
                    props.append((doc_entity, "Document", "phoneMentioned", value))
                elif kind == "email":
                    props.append((doc_entity, "Document", "emailMentioned", value))
                elif kind == "domain":
                    props.append((doc_entity, "Document", "keywords", f"domain:{value}"))
                else:
                    entity = selector_entity_id(f"{kind}:{value}")
                    schema = "UserAccount" if kind == "telegram" else "CryptoWallet"
                    if kind == "telegram":
                        props += [(entity, schema, "service", "telegram"),
                                  (entity, schema, "username", value)]  # fmt: skip
                    else:
                        props += [(entity, schema, "publicKey", value),
                                  (entity, schema, "blockchain", "tron"),
                                  (entity, schema, "currencySymbol", "TRON")]  # fmt: skip
                    props.append((entity, schema, "proof", doc_entity))
            for entity, schema, prop, value in props:
                yield (
                    _statement_id(entity, prop, value, "bench", doc_id, "extracted"),
                    entity, schema, prop, value, "bench", doc_id, "extracted", "green", TS, TS,
                )  # fmt: skip

    con.executemany(
        "INSERT OR IGNORE INTO statements (id, entity_id, schema, prop, value, dataset, "
        "document_id, origin, marking, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        statement_rows(),
    )
    con.execute(trigger)
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return {
        "build_seconds": round(time.perf_counter() - t0, 1),
        "documents": docs,
        "selectors": len(values),
        "links": len(links),
        "db_bytes": path.stat().st_size,
    }


def _written(kind: str, value: str) -> str:
    """How an ad writes the selector (so the import's scan finds it again)."""
    if kind == "phone":
        return f"phone {value}"
    if kind == "telegram":
        return f"Telegram @{value}"
    if kind == "crypto":
        return f"USDT (TRC20) {value}"
    return value


# -- one measurement, in its own process -----------------------------------------------------


def _key_file(workdir: Path) -> Path:
    from tocsin.share.hashes import load_keyring, new_keyring, save_keyring

    path = workdir / "keys" / "bench.key"
    if not path.exists():
        save_keyring(new_keyring("bench"), path)
    load_keyring(path)
    return path


def run_phase(phase: str, workdir: Path) -> dict[str, Any]:
    """One measurement; returns seconds, peak RSS and what was produced."""
    from tocsin.access import Principal
    from tocsin.settings import Settings
    from tocsin.share.exchange import export, import_file
    from tocsin.share.policy import ExportPolicy
    from tocsin.store import open_store

    source = workdir / "source.db"
    settings = Settings(database_url=f"sqlite:///{source}", organisation="local")
    system = Principal.system()
    started = time.perf_counter()
    cpu = time.process_time()
    out: dict[str, Any] = {}
    if phase.startswith("export-"):
        fmt = phase.removeprefix("export-")
        with open_store(settings) as store, (workdir / f"out.{fmt}").open("wb") as handle:
            result = export(store, handle, fmt, principal=system,
                            policy=ExportPolicy(recipient="local"), settings=settings)  # fmt: skip
        out = {"documents": result.documents, "selectors": result.selectors,
               "objects": sum(result.objects.values()),
               "bytes": (workdir / f"out.{fmt}").stat().st_size}  # fmt: skip
    elif phase.startswith("import-"):
        fmt = phase.removeprefix("import-")
        target = workdir / f"import-{fmt}.db"
        target.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        target_settings = Settings(database_url=f"sqlite:///{target}", organisation="local")
        with open_store(target_settings) as store, (workdir / f"out.{fmt}").open("rb") as handle:
            started = time.perf_counter()  # the empty store's migration is not the import
            cpu = time.process_time()
            report = import_file(
                store, handle, dataset="partner", source=f"out.{fmt}", principal=system,
                settings=target_settings, marking="green",
            )  # fmt: skip
            out = {"documents": report.documents_new, "selectors": report.selectors,
                   "statements": report.statements, "problems": len(report.problems)}  # fmt: skip
    elif phase == "hashes":
        from tocsin.share.hashes import load_keyring, write_hashset
        from tocsin.share.keys import exportable_selector_keys
        from tocsin.share.policy import exportable_datasets

        ring = load_keyring(_key_file(workdir))
        with open_store(settings) as store:
            with store.engine.connect() as conn:
                eligible = exportable_datasets(conn, system, ExportPolicy(recipient="local"))
            with (workdir / "ours.hashes").open("wb") as handle:
                header = write_hashset(
                    handle, exportable_selector_keys(store.engine, eligible), ring
                )
        out = {"hashes": header.count, "bytes": (workdir / "ours.hashes").stat().st_size}
    elif phase == "match":
        from tocsin.share.hashes import load_keyring, match_hashset
        from tocsin.share.keys import selector_keys

        ring = load_keyring(_key_file(workdir))
        with open_store(settings) as store, (workdir / "theirs.hashes").open("rb") as handle:
            result = match_hashset(handle, selector_keys(store.engine), ring)
        out = {"ours": result.ours, "theirs": result.theirs, "matched": len(result.matched)}
    else:
        raise SystemExit(f"unknown phase {phase}")
    out["seconds"] = round(time.perf_counter() - started, 2)
    # CPU seconds of this process and the load average: on a shared machine the wall time
    # says as much about the neighbours as about Tocsin
    out["cpu_seconds"] = round(time.process_time() - cpu, 2)
    out["load"] = round(os.getloadavg()[0], 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def _their_hashes(workdir: Path, ours: int) -> None:
    """Another party's hash set of the same size: 10 % of our selectors, 90 % of theirs."""
    from tocsin.share.hashes import load_keyring, write_hashset
    from tocsin.store import open_store

    ring = load_keyring(_key_file(workdir))
    with (
        open_store(url=f"sqlite:///{workdir / 'source.db'}") as store,
        store.engine.connect() as conn,
    ):
        keys = [r[0] for r in conn.exec_driver_sql("SELECT key FROM selectors ORDER BY pk")]
    shared = keys[::10]
    theirs = shared + [f"telegram:other_party_{i}" for i in range(ours - len(shared))]
    with (workdir / "theirs.hashes").open("wb") as handle:
        write_hashset(handle, theirs, ring, organisation="other party (synthetic)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--selectors", type=int, default=1_000_000)
    parser.add_argument("--per-doc", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--phases", default=",".join(PHASES))
    parser.add_argument("--workdir", type=Path, help="keep the stores and files here")
    parser.add_argument("--phase", help=argparse.SUPPRESS)  # internal: one measurement
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.workdir)))
        return
    tmp = tempfile.TemporaryDirectory(prefix="tocsin-share-")
    workdir = args.workdir or Path(tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / "source.db"
    built: dict[str, Any]
    if source.exists():
        built = {"reused": str(source)}
    else:
        built = build(source, args.selectors, args.per_doc, args.seed)
        print(f"built {source}: {built}", flush=True)
    env = {**os.environ, "TOCSIN_SHARE_KEYS_DIR": str(workdir / "keys")}
    results: dict[str, Any] = {"build": built, "runs": args.runs, "phases": {}}
    for phase in args.phases.split(","):
        if phase == "match":
            _their_hashes(workdir, built.get("selectors", args.selectors))
        runs = []
        for _ in range(args.runs):
            done = subprocess.run(
                [sys.executable, __file__, "--phase", phase, "--workdir", str(workdir)],
                capture_output=True, text=True, env=env, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise SystemExit(f"{phase} failed:\n{done.stderr[-3000:]}")
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(phase, runs[-1], flush=True)
        median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
        results["phases"][phase] = {
            **median,
            "seconds_all": [r["seconds"] for r in runs],
            "median_seconds": statistics.median(r["seconds"] for r in runs),
        }
    results["machine"] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load": os.getloadavg(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out = ROOT / "benchmarks" / "results" / "share.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print("| phase | median s | runs s | CPU s | load | peak RSS MB | produced |")
    print("|---|---|---|---|---|---|---|")
    for phase, r in results["phases"].items():
        produced = {k: v for k, v in r.items() if k not in
                    ("seconds", "seconds_all", "median_seconds", "peak_rss_mb", "cpu_seconds",
                     "load")}  # fmt: skip
        print(f"| {phase} | {r['median_seconds']} | {r['seconds_all']} | "
              f"{r.get('cpu_seconds', '')} | {r.get('load', '')} | {r['peak_rss_mb']} | "
              f"{json.dumps(produced)} |")  # fmt: skip
    tmp.cleanup()


if __name__ == "__main__":
    main()
