"""Case register benchmarks: statistics over many persons, spreadsheet import, matches.

1. **Statistics**: N synthetic persons (80 % with a missing-person report; nationalities,
   statuses, compounds and months drawn at random, some rare) written straight into a fresh
   SQLite store, then `tocsin.cases.stats.statistics` timed (median of --runs): the SQL grouping,
   the suppression of every table and the release.
2. **Import**: a synthetic sheet (the demo's generator: names, recruiter contacts, pasted offers
   for 70 % of rows) imported with a field key set (every personal field encrypted), rows/s;
   and the same sheet without offers and contacts (no scanning), rows/s.
3. **Matches**: p50/p95 of `Casebook.matches` over the imported reports.

Everything is generated here and SYNTHETIC. Markdown to stdout, JSON to
benchmarks/results/cases.json.

    python benchmarks/bench_cases.py [--persons 100000] [--rows 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics as stats_mod
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tocsin.cases import Casebook, generate_key
from tocsin.cases.demo import HEADERS, synthetic_rows
from tocsin.cases.reference import load_reference
from tocsin.cases.stats import statistics
from tocsin.cases.transfer import import_file
from tocsin.settings import Settings
from tocsin.store import Store, open_store
from tocsin.store.schema import CASE_TABLES

ROOT = Path(__file__).resolve().parents[1]
T = CASE_TABLES
NATIONALITIES = [
    "vn",
    "id",
    "th",
    "ph",
    "in",
    "my",
    "cn",
    "ke",
    "et",
    "lk",
    "np",
    "ug",
    "br",
    "gh",
    "pe",
]
WEIGHTS = [30, 18, 14, 10, 8, 6, 5, 3, 2, 2, 0.3, 0.2, 0.05, 0.004, 0.002]
STATUSES = [
    "reported",
    "located",
    "rescued",
    "in_shelter",
    "repatriated",
    "lost_contact",
    "declined_assistance",
    "deceased",
]
STATUS_WEIGHTS = [40, 8, 6, 15, 25, 4, 1.5, 0.2]


def _store(folder: Path, key: str | None = None) -> Store:
    settings = Settings(database_url=f"sqlite:///{folder / 'cases.db'}", field_key=key)
    return open_store(settings)


def bench_statistics(persons: int, runs: int, folder: Path) -> dict[str, float]:
    store = _store(folder)
    book = Casebook(store)
    load_reference(book.context)
    case = book.cases.create("[SYNTHETIC] benchmark")
    rng = random.Random(11)
    with store.engine.begin() as conn:
        case_pk = conn.execute(T.cases.select().where(T.cases.c.id == case.id)).one().pk
        compounds = [r.pk for r in conn.execute(T.compounds.select())]
        start = datetime(2022, 1, 1, tzinfo=UTC)
        t0 = time.perf_counter()
        for first in range(0, persons, 5000):
            rows, reports = [], []
            for i in range(first, min(first + 5000, persons)):
                at = start + timedelta(days=rng.random() * 1300)
                rows.append(
                    {
                        "id": f"P-BENCH-{i:07d}",
                        "case_pk": case_pk,
                        "ref": None,
                        "name": None,
                        "passport": None,
                        "photo": None,
                        "photo_type": None,
                        "notes": None,
                        "sex": None,
                        "birth_year": None,
                        "nationality": rng.choices(NATIONALITIES, WEIGHTS)[0],
                        "languages": "",
                        "status": rng.choices(STATUSES, STATUS_WEIGHTS)[0],
                        "status_at": at,
                        "compound_pk": rng.choice(compounds) if rng.random() < 0.7 else None,
                        "created_at": at,
                        "updated_at": at,
                        "created_by": "bench",
                    }
                )
            conn.execute(T.persons.insert(), rows)
            pks = conn.execute(
                T.persons.select().where(T.persons.c.id.in_([r["id"] for r in rows]))
            ).all()
            for p in pks:
                if rng.random() < 0.8:
                    reports.append(
                        {
                            "id": f"R-{p.id[2:]}",
                            "case_pk": case_pk,
                            "person_pk": p.pk,
                            "reported_at": p.created_at,
                            "recruiter_contacts": "",
                            "last_known_country": rng.choice(["kh", "mm", "la", "ph"]),
                            "created_at": p.created_at,
                            "created_by": "bench",
                        }
                    )
            if reports:
                conn.execute(T.missing_reports.insert(), reports)
        load_seconds = time.perf_counter() - t0
    times = []
    release = None
    for _ in range(runs):
        t0 = time.perf_counter()
        release = statistics(book.context)
        times.append(time.perf_counter() - t0)
    assert release is not None and release.total == persons
    store.close()
    return {
        "persons": persons,
        "load_seconds": round(load_seconds, 1),
        "statistics_seconds_median": round(stats_mod.median(times), 3),
        "withheld": release.withheld(),
        "nationalities": len(release.by_nationality.labels),
    }


def _sheet(path: Path, rows: int, with_offers: bool) -> None:
    data = synthetic_rows(rows, seed=5)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(HEADERS))
        writer.writeheader()
        for i, row in enumerate(data):
            row["Case no."] = f"B-{i:06d}"
            if not with_offers:
                row["Job ad text"] = row["Recruiter contacts"] = ""
            writer.writerow(row)


def bench_import(rows: int, folder: Path) -> dict[str, float]:
    found: dict[str, float] = {"rows": rows}
    for label, offers in (("with_offers", True), ("without_offers", False)):
        sub = folder / label
        sub.mkdir()
        store = _store(sub, generate_key("bench"))
        book = Casebook(store)
        load_reference(book.context)
        from tocsin.cases.reports import scanner

        scanner()  # load the models before timing
        case = book.cases.create("[SYNTHETIC] import benchmark")
        sheet = sub / "sheet.csv"
        _sheet(sheet, rows, offers)
        t0 = time.perf_counter()
        result = import_file(book.context, case.id, sheet, HEADERS)
        seconds = time.perf_counter() - t0
        assert not result.errors, result.errors[:3]
        found[f"{label}_rows_per_second"] = round(rows / seconds, 1)
        if offers:
            reports = [r.id for r in book.reports.in_case(case.id)][:200]
            latencies = []
            for report_id in reports:
                t0 = time.perf_counter()
                book.matches(report_id)
                latencies.append(time.perf_counter() - t0)
            latencies.sort()
            found["matches_p50_ms"] = round(1000 * latencies[len(latencies) // 2], 1)
            found["matches_p95_ms"] = round(1000 * latencies[int(len(latencies) * 0.95)], 1)
        store.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "stats").mkdir()
        (folder / "import").mkdir()
        result = {
            "statistics": bench_statistics(args.persons, args.runs, folder / "stats"),
            "import": bench_import(args.rows, folder / "import"),
        }
    s, i = result["statistics"], result["import"]
    print("| measure | value |\n|---|---|")
    print(
        f"| statistics over {s['persons']:,} persons (SQLite, median of {args.runs}) | "
        f"{s['statistics_seconds_median']} s ({s['withheld']} figures withheld) |"
    )
    print(
        f"| import with offers and contacts, fields encrypted ({i['rows']:,} rows) | "
        f"{i['with_offers_rows_per_second']} rows/s |"
    )
    print(
        f"| import without offers ({i['rows']:,} rows) | "
        f"{i['without_offers_rows_per_second']} rows/s |"
    )
    print(f"| matches of a report, p50 / p95 | {i['matches_p50_ms']} / {i['matches_p95_ms']} ms |")
    out = ROOT / "benchmarks" / "results" / "cases.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
