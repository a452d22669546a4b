"""Synthetic documents for the store tests (generated; no real person's data)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import base58

from tocsin.model import Document, DocumentKind

TEMPLATES = (
    "Customer service job in Sihanoukville, USD {salary} per month, no experience needed, "
    "flight and visa paid. Contact Telegram @{handle} or WhatsApp +855 12 {a:03d} {b:03d}.",
    "Tuyển nhân viên chăm sóc khách hàng tại Campuchia, lương {salary} USD, bao vé máy bay. "
    "Liên hệ Telegram @{handle}.",
    "Crypto analyst wanted, remote first then Bavet office. Send USDT deposit to "
    "T{wallet} (USDT TRC20) to reserve your seat. Email hr{a}@example.net",
    "Looking for a typist, good English, salary {salary} USD. Call +66 81 {a:03d} {b:04d}.",
)


def synthetic_texts(count: int, seed: int = 7, networks: int = 40) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for i in range(count):
        net = rng.randrange(networks)
        texts.append(
            rng.choice(TEMPLATES).format(
                salary=800 + 50 * rng.randrange(30) + i % 7,
                handle=f"hr_net{net}_desk",
                a=net,
                b=rng.randrange(1000),
                wallet=base58.b58encode_check(b"\x41" + rng.randbytes(20)).decode()[1:],
            )
            + f" Ref {i}."
        )
    return texts


def synthetic_documents(count: int, seed: int = 7) -> list[Document]:
    return [
        Document(t, DocumentKind.JOB_AD, id=f"syn:{i}", source="synthetic")
        for i, t in enumerate(synthetic_texts(count, seed))
    ]


def write_jsonl(path: Path, texts: list[str]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i, t in enumerate(texts):
            out.write(json.dumps({"id": f"r{i}", "kind": "job_ad", "text": t}) + "\n")
    return path
