"""Synthetic labelled texts for the ML tests (written for the tests; no real data)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

FRAUD = [
    "Work from home and earn {n} dollars a week, no experience needed, pay the training fee",
    "Urgent hiring data entry, send your bank details and a registration fee of {n} to start",
    "Congratulations you won a prize of {n}, call now to claim your cash reward",
    "Easy money typing job {n} per day, wire the starter kit payment to our agent today",
]
LEGIT = [
    "Senior software engineer to join our platform team, {n} years of Python experience",
    "Registered nurse for the cardiology ward, rotating shifts, {n} days of annual leave",
    "Are we still meeting for lunch at {n}, I will bring the report for the project",
    "Accountant to prepare quarterly statements and audits, CPA preferred, {n} staff",
]


def synthetic(n: int, seed: int = 0) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = i % 2
        template = rng.choice(FRAUD if label else LEGIT)
        rows.append((template.format(n=rng.randint(10, 9999)) + f" ref {i}", label))
    return rows


def write_csv(path: Path, rows: list[tuple[str, int]], extra: str = "") -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for text, label in rows:
            writer.writerow([text, label])
    if extra:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(extra)
