"""Full-scan throughput: language + selectors + indicators + model, one core.

Corpus: the raw EMSCAD fraudulent job ads read from ../shared/data (title, description,
requirements, benefits; cut to ~1 KB), cycled to --docs documents. Reports docs/s, MB/s and peak
memory, the median of --runs runs, and a per-stage breakdown, as markdown (stdout) and JSON
(benchmarks/results/scan.json).

    python benchmarks/bench_scan.py [--docs 20000] [--runs 3] [--no-model]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import statistics
import subprocess
import time
from pathlib import Path

from tocsin.detect.engine import Engine
from tocsin.detect.language import detect_language
from tocsin.model import Document, DocumentKind
from tocsin.selectors import extract
from tocsin.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("TOCSIN_TRAINING_DATA", ROOT.parent / "shared" / "data"))


def load_ads(limit: int) -> list[str]:
    path = DATA / "emscad_raw_fraud_train.csv"
    if not path.exists():
        raise SystemExit(f"{path} not found: set TOCSIN_TRAINING_DATA to the shared data folder")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    texts = []
    for row in rows:
        text = "\n".join(
            row[k]
            for k in ("title", "location", "description", "requirements", "benefits")
            if row[k]
        )
        if len(text) >= 200:
            texts.append(text[:1000])
    return [texts[i % len(texts)] for i in range(limit)]


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def timed(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-model", action="store_true")
    args = parser.parse_args()

    texts = load_ads(args.docs)
    docs = [Document(t, DocumentKind.JOB_AD, id=str(i)) for i, t in enumerate(texts)]
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    engine = Engine(settings=Settings(use_models=not args.no_model))
    engine.scan(docs[0])  # warm up: load packs, models, language model

    full = timed(lambda: sum(1 for _ in engine.scan_many(docs)), args.runs)
    lang = timed(lambda: [detect_language(t) for t in texts], args.runs)
    sels = timed(lambda: [extract(t) for t in texts], args.runs)
    rules = timed(lambda: [engine.rules.match(t) for t in texts], args.runs)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    n = len(docs)
    result = {
        "docs": n,
        "mean_chars": round(sum(map(len, texts)) / n),
        "runs": args.runs,
        "models": not args.no_model,
        "full_scan_docs_per_s": round(n / full),
        "full_scan_mb_per_s": round(megabytes / full, 2),
        "language_docs_per_s": round(n / lang),
        "selectors_docs_per_s": round(n / sels),
        "rules_docs_per_s": round(n / rules),
        "peak_rss_mb": round(peak_mb),
        "cpu": cpu_model(),
        "python": platform.python_version(),
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "scan.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        f"| measure ({n:,} EMSCAD fraudulent ads, ~{result['mean_chars']} chars, median of "
        f"{args.runs}) | value |"
    )
    print("|---|---|")
    for key in (
        "full_scan_docs_per_s",
        "full_scan_mb_per_s",
        "language_docs_per_s",
        "selectors_docs_per_s",
        "rules_docs_per_s",
        "peak_rss_mb",
    ):
        print(f"| {key} | {result[key]:,} |")
    print(f"\nCPU: {result['cpu']}; Python {result['python']}; one process, one core.")


if __name__ == "__main__":
    main()
