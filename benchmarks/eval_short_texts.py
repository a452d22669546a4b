"""How the engine does on SHORT texts, as a public user pastes them into the check page.

Two measurements, both with the engine as shipped (bundled packs and models, default settings):

1. **Short texts** (``benchmarks/data/short_texts.jsonl``, synthetic: recruiters' short lures
   and ordinary short job posts, bank and delivery notices and chats in en, zh, vi, th, id and
   fr). The file is split 50/50 per (language, label) with a fixed seed into *dev* (the only
   half looked at while tuning) and *test* (reported). Texts are scanned as the public page
   scans them: kind ``unknown``. A lure counts as caught at level medium or above; a benign
   text counts as a false positive at medium or above.
2. **Real held-out data** (never copied into the repository): the 20 % test split that the
   model build holds out (de-duplicated, stratified, seed 0; ``tocsin.detect.ml.training``) of
   EMSCAD job ads and of the SMS sets, read from ``../shared/data`` (or
   ``$TOCSIN_TRAINING_DATA``). Legitimate ads and ham messages give the false-positive rate,
   scanned with their kind (``job_ad`` / ``message``) and as ``unknown``; the fraudulent ones
   give recall for contrast.

    python benchmarks/eval_short_texts.py [--split dev|test|all] [--kind K] [--no-real] [--show]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from tocsin.detect.engine import Engine
from tocsin.detect.ml.bundled import load_bundled
from tocsin.detect.ml.data import dedupe
from tocsin.model import Document, DocumentKind, Verdict

DATA = Path(__file__).resolve().parent / "data" / "short_texts.jsonl"
SPLIT_SEED = 20261201
#: A text "alerts" at this risk and above (level medium).
ALERT = 30
_FIELDS = {"id", "language", "label", "text", "synthetic"}


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    language: str
    label: str
    text: str


def read_items(path: Path = DATA) -> list[Item]:
    """The short-text set, checked strictly: each line names its problem by line number."""
    items: list[Item] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{number}: not JSON ({exc})") from exc
            if set(row) != _FIELDS:
                expected = sorted(_FIELDS)
                raise SystemExit(f"{path}:{number}: fields {sorted(row)}, expected {expected}")
            if row["synthetic"] is not True or row["label"] not in ("lure", "benign"):
                raise SystemExit(f"{path}:{number}: synthetic must be true, label lure|benign")
            if row["id"] in seen:
                raise SystemExit(f"{path}:{number}: duplicate id {row['id']}")
            seen.add(row["id"])
            items.append(Item(row["id"], row["language"], row["label"], row["text"]))
    return items


def split(items: list[Item]) -> dict[str, list[Item]]:
    """50/50 per (language, label) with a fixed seed: the same halves on every run."""
    groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in items:
        groups[(item.language, item.label)].append(item)
    out: dict[str, list[Item]] = {"dev": [], "test": []}
    rng = random.Random(SPLIT_SEED)
    for key in sorted(groups):
        group = sorted(groups[key], key=lambda i: i.id)
        rng.shuffle(group)
        half = len(group) // 2
        out["dev"] += group[:half]
        out["test"] += group[half:]
    return out


def _rate(verdicts: list[Verdict]) -> float:
    return sum(v.risk >= ALERT for v in verdicts) / max(len(verdicts), 1)


def short_report(engine: Engine, items: list[Item], show: bool, kind: DocumentKind) -> None:
    verdicts = list(engine.scan_many(Document(i.text, kind) for i in items))
    by: dict[tuple[str, str], list[Verdict]] = defaultdict(list)
    for item, verdict in zip(items, verdicts, strict=True):
        by[(item.language, item.label)].append(verdict)
        by[("all", item.label)].append(verdict)
        if show:
            wrong = (verdict.risk >= ALERT) != (item.label == "lure")
            signals = ", ".join(s.indicator for s in verdict.signals)
            model = ", ".join(f"{m.model}:{m.contribution:+.2f}" for m in verdict.model_scores)
            print(
                f"{'XX' if wrong else '  '} {item.id:24s} {verdict.risk:3d} {signals} {model}"
                f" | {item.text[:70]}"
            )
    print(
        "| language | lures caught (≥ medium) | benign flagged (≥ medium) "
        "| median risk lure / benign |"
    )
    print("|---|---|---|---|")
    for lang in ["en", "zh", "vi", "th", "id", "fr", "all"]:
        lures, benign = by.get((lang, "lure"), []), by.get((lang, "benign"), [])
        if not lures and not benign:
            continue
        ml = int(np.median([v.risk for v in lures])) if lures else 0
        mb = int(np.median([v.risk for v in benign])) if benign else 0
        print(
            f"| {lang} | {sum(v.risk >= ALERT for v in lures)}/{len(lures)} ({_rate(lures):.0%}) "
            f"| {sum(v.risk >= ALERT for v in benign)}/{len(benign)} ({_rate(benign):.0%}) "
            f"| {ml} / {mb} |"
        )


def held_out(kind: DocumentKind) -> tuple[list[str], list[int]]:
    """The held-out 20 % the model build measures on (same de-duplication, split and seed)."""
    data = dedupe(load_bundled(kind), prefer_last=True)
    y = data.y
    _, test_idx = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=0)
    return [data.texts[i] for i in test_idx], [int(y[i]) for i in test_idx]


def real_report(engine: Engine) -> None:
    print("\n| held-out set | scanned as | n | legitimate flagged (FPR) | fraud caught (recall) |")
    print("|---|---|---|---|---|")
    for kind, name in ((DocumentKind.JOB_AD, "EMSCAD job ads"), (DocumentKind.MESSAGE, "SMS")):
        texts, labels = held_out(kind)
        for as_kind in (kind, DocumentKind.UNKNOWN):
            verdicts = list(engine.scan_many(Document(t, as_kind) for t in texts))
            legit = [v for v, y in zip(verdicts, labels, strict=True) if y == 0]
            fraud = [v for v, y in zip(verdicts, labels, strict=True) if y == 1]
            print(
                f"| {name} | {as_kind.value} | {len(texts)} "
                f"| {sum(v.risk >= ALERT for v in legit)}/{len(legit)} ({_rate(legit):.1%}) "
                f"| {sum(v.risk >= ALERT for v in fraud)}/{len(fraud)} ({_rate(fraud):.1%}) |"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test")
    parser.add_argument("--no-real", action="store_true", help="skip the real held-out data")
    parser.add_argument("--show", action="store_true", help="print every short text's verdict")
    parser.add_argument(
        "--kind",
        choices=[k.value for k in DocumentKind],
        default="unknown",
        help="scan the short texts as this kind (the public page's default is unknown)",
    )
    args = parser.parse_args(argv)
    items = read_items()
    halves = split(items)
    chosen = items if args.split == "all" else halves[args.split]
    engine = Engine()
    print(f"## Short texts ({args.split}: {len(chosen)} of {len(items)}, synthetic)", end="")
    print(f", kind {args.kind}\n")
    short_report(engine, chosen, args.show, DocumentKind(args.kind))
    if not args.no_real:
        real_report(engine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
