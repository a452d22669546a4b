"""Small synthetic labelled data (written for these tests; no real person's data)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def synthetic_rows() -> list[tuple[str, int]]:
    return synthetic(80)


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory, synthetic_rows: list[tuple[str, int]]):
    from tocsin.detect.ml import save_model, train

    directory = tmp_path_factory.mktemp("data")
    path = directory / "labelled.csv"
    write_csv(path, synthetic_rows)
    result = train("job_ad", [path], text_column="text", label_column="label", name="synthetic")
    model_dir = save_model(result.model, directory / "model")
    return result, model_dir, path


def write_csv(path: Path, rows: list[tuple[str, int]], extra: str = "") -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for text, label in rows:
            writer.writerow([text, label])
    if extra:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(extra)
