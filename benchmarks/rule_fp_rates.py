"""Per-indicator firing rates on legitimate texts: a false-positive check for the packs.

Reads legitimate job ads (EMSCAD, ``fraudulent == 0``) and ham SMS from the shared data folder
(never copied into the repository) and reports, for every indicator that fires at least once,
how often it fires on legitimate text (and on the ham of the smishing set), with a few
example evidence strings. For contrast it also reports the rates on the fraudulent EMSCAD
ads and on SMS spam.

    python benchmarks/rule_fp_rates.py [--data /work/shared/data] [--examples 3]
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

from tocsin.detect.rules import load_packs
from tocsin.model.document import DocumentKind

DEFAULT_DATA = Path("/work/shared/data")


def _emscad(path: Path) -> tuple[list[str], list[str]]:
    csv.field_size_limit(sys.maxsize)
    legit: list[str] = []
    fraud: list[str] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            (fraud if row["fraudulent"].strip() == "1" else legit).append(row["text"])
    return legit, fraud


def _sms(path: Path) -> tuple[list[str], list[str]]:
    ham: list[str] = []
    spam: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            label, _, text = line.rstrip("\n").partition("\t")
            (ham if label == "ham" else spam).append(text)
    return ham, spam


def _smishing(path: Path) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        return [row["TEXT"] for row in csv.DictReader(fh) if row["label"].strip().lower() == "ham"]


def _rates(texts: list[str], kind: DocumentKind) -> tuple[int, Counter[str], dict[str, list[str]]]:
    rules = load_packs()
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    any_hit = 0
    for text in texts:
        hits = rules.match(text, kind=kind)
        any_hit += bool(hits)
        for hit in hits:
            counts[hit.id] += 1
            examples[hit.id].append(" | ".join(e.text for e in hit.evidence))
    return any_hit, counts, examples


def _report(name: str, texts: list[str], kind: DocumentKind, n_examples: int) -> None:
    any_hit, counts, examples = _rates(texts, kind)
    total = len(texts) or 1
    print(f"\n## {name}: {len(texts)} texts, any indicator fired on {any_hit / total:.2%}")
    for ind_id, n in counts.most_common():
        samples = list(dict.fromkeys(examples[ind_id]))[:n_examples]
        shown = "; ".join(repr(s[:60]) for s in samples)
        print(f"  {ind_id:36s} {n:5d}  {n / total:7.2%}  e.g. {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--examples", type=int, default=3)
    args = parser.parse_args()
    legit, fraud = _emscad(args.data / "emscad_balanced_train.csv")
    ham, spam = _sms(args.data / "sms_spam_train.tsv")
    _report(
        "EMSCAD legitimate job ads (false positives)", legit, DocumentKind.JOB_AD, args.examples
    )
    _report("SMS ham (false positives)", ham, DocumentKind.MESSAGE, args.examples)
    smishing_ham = _smishing(args.data / "smishing_train.csv")
    _report("Smishing-set ham (false positives)", smishing_ham, DocumentKind.MESSAGE, args.examples)
    _report("EMSCAD fraudulent job ads (for contrast)", fraud, DocumentKind.JOB_AD, args.examples)
    _report("SMS spam (for contrast)", spam, DocumentKind.MESSAGE, args.examples)


if __name__ == "__main__":
    main()
