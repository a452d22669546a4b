"""Throughput of the shipped models: ``score`` on 1 KB texts, batched and one at a time.

Run: ``python benchmarks/bench_models.py [--docs 4096] [--json]``

Texts are 1,000-character cuts of the raw EMSCAD job ads (job_ad model) and of concatenated
SMS (message model) from ../shared/data (or $TOCSIN_TRAINING_DATA); without the data, a
synthetic text is used. Pinned to one thread: the budget is per core (docs/models.md).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402  (thread limits must be set before numpy loads)
import csv  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

from tocsin.detect.ml import score, shipped_model  # noqa: E402
from tocsin.detect.ml.bundled import training_data_dir  # noqa: E402
from tocsin.errors import InputError  # noqa: E402
from tocsin.model import DocumentKind  # noqa: E402

SIZE = 1000


def _cut(texts: list[str], n: int) -> list[str]:
    blob = " ".join(texts)
    out = []
    for i in range(n):
        start = (i * 733) % max(1, len(blob) - SIZE)
        out.append(blob[start : start + SIZE])
    return out


def corpus(kind: DocumentKind, n: int) -> list[str]:
    try:
        directory = training_data_dir()
    except InputError:
        return _cut(["Work from home, earn 500 dollars a week, send your bank details."] * 50, n)
    if kind is DocumentKind.JOB_AD:
        path = directory / "emscad_raw_fraud_train.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            texts = [
                " ".join(
                    r[f]
                    for f in ("title", "company_profile", "description", "requirements", "benefits")
                )
                for r in csv.DictReader(handle)
            ]
    else:
        path = directory / "sms_spam_train.tsv"
        texts = [line.partition("\t")[2] for line in path.read_text(encoding="utf-8").splitlines()]
    return _cut(texts, n)


def bench(kind: DocumentKind, n: int, batch: int) -> dict[str, float]:
    started = time.perf_counter()
    model = shipped_model(kind)
    load = time.perf_counter() - started
    if model is None:
        raise SystemExit(f"no shipped {kind.value} model")
    texts = corpus(kind, n)
    score(model, texts[:batch])  # warm up (feature-name cache)
    best_batched = best_single = 0.0
    for _ in range(3):
        started = time.perf_counter()
        for i in range(0, len(texts), batch):
            score(model, texts[i : i + batch])
        best_batched = max(best_batched, len(texts) / (time.perf_counter() - started))
        single = texts[: min(len(texts), 1000)]
        started = time.perf_counter()
        for text in single:
            score(model, [text])
        best_single = max(best_single, len(single) / (time.perf_counter() - started))
    return {
        "load_s": round(load, 3),
        "batched_docs_per_s": round(best_batched),
        "single_docs_per_s": round(best_single),
        "batch": batch,
        "docs": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=4096)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {
        k.value: bench(k, args.docs, args.batch)
        for k in (DocumentKind.JOB_AD, DocumentKind.MESSAGE)
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, r in results.items():
        print(
            f"{name:8s} batched {r['batched_docs_per_s']:>7,} docs/s (batch {r['batch']})  "
            f"single {r['single_docs_per_s']:>6,} docs/s  load {r['load_s']} s  "
            f"({r['docs']} docs of ~{r['mean_chars']} chars)"
        )


if __name__ == "__main__":
    main()
