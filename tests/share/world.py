"""Synthetic material for the sharing tests (generated; no real person's data).

`sample_package` is a hand-made package with fixed times: the golden STIX and MISP files are
written from it, so they change only when the mapping changes. `fill` stores synthetic job ads
in datasets of every marking, owned by "ngo", with "police" named as partner everywhere (only
AMBER lets a partner in) and "bank" as an outsider.
"""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tocsin.access import users
from tocsin.detect.engine import Engine
from tocsin.model import Document, DocumentKind, SelectorType
from tocsin.share.collect import package_clusters
from tocsin.share.model import Package, SharedCompound, SharedDocument, SharedSelector
from tocsin.store import Store

ENGINE = Engine()
GOLDEN = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).parent / "fixtures"
T = SelectorType
T1 = datetime(2026, 10, 3, 8, 30, tzinfo=UTC)
T2 = datetime(2026, 11, 14, 17, 5, tzinfo=UTC)
TAGS = {"clear": "c", "green": "g", "amber": "a", "amber+strict": "s", "red": "r"}


def check_golden(name: str, data: bytes) -> None:
    """Compare with tests/share/golden/NAME; TOCSIN_UPDATE_GOLDEN=1 rewrites the file."""
    path = GOLDEN / name
    if os.environ.get("TOCSIN_UPDATE_GOLDEN") == "1":
        path.write_bytes(data)
    assert path.read_bytes() == data, f"{name} differs from the golden file (see its diff)"


def sample_package() -> Package:
    sels = [
        SharedSelector("telegram:hr_mekong_desk", T.TELEGRAM, "hr_mekong_desk"),
        SharedSelector("whatsapp:+85512345678", T.WHATSAPP, "+85512345678", country="KH",
                       validated=True),
        SharedSelector("phone:+85512345678", T.PHONE, "+85512345678", country="KH",
                       validated=True),
        SharedSelector("crypto:TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", T.CRYPTO,
                       "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", chain="tron", token="usdt",
                       validated=True),
        SharedSelector("domain:luckyjob.top", T.DOMAIN, "luckyjob.top"),
        SharedSelector("url:https://luckyjob.top/apply?ref='x'", T.URL,
                       "https://luckyjob.top/apply?ref='x'"),
        SharedSelector("email:hr@luckyjob.top", T.EMAIL, "hr@luckyjob.top"),
        SharedSelector("iban:GB82WEST12345698765432", T.IBAN, "GB82WEST12345698765432",
                       country="GB", validated=True),
        SharedSelector("bank_account:0012345678", T.BANK_ACCOUNT, "0012345678", country="KH"),
    ]  # fmt: skip
    package = Package("NGO Hotline (synthetic)")
    for sel in sels:
        package.add_selector(sel)
    ad = (
        "SYNTHETIC. Customer service job in Sihanoukville, USD 1500 per month, no experience, "
        "flight and visa paid. Telegram @hr_mekong_desk, WhatsApp +855 12 345 678, apply at "
        "https://luckyjob.top/apply?ref='x'"
    )
    chat = (
        "SYNTHETIC. Deposit 500 USDT (TRC20) to TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW first, then "
        "withdraw. Questions: hr@luckyjob.top. Bank: GB82 WEST 1234 5698 7654 32, ABA account "
        "0012345678. <script>alert('x')</script>"
    )
    package.documents = sorted(
        [
            SharedDocument(
                Document(ad).content_hash,
                ad,
                "job_ad",
                "green",
                T1,
                T2,
                (
                    "domain:luckyjob.top",
                    "phone:+85512345678",
                    "telegram:hr_mekong_desk",
                    "url:https://luckyjob.top/apply?ref='x'",
                    "whatsapp:+85512345678",
                ),
                title="Customer service (Sihanoukville)",
                language="en",
                source_url="https://jobs.example.org/ad/1",
                risk=91,
                level="critical",
                categories=("recruitment_lure",),
                indicators=("lure.salary_no_experience", "place.compound_hub"),
            ),
            SharedDocument(
                Document(chat).content_hash,
                chat,
                "conversation",
                "amber",
                T1,
                T1,
                (
                    "bank_account:0012345678",
                    "crypto:TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW",
                    "email:hr@luckyjob.top",
                    "iban:GB82WEST12345698765432",
                    "telegram:hr_mekong_desk",
                ),
                language="en",
                risk=72,
                level="high",
                categories=("pig_butchering", "payment"),
                indicators=("pb.deposit_first",),
            ),
        ],
        key=lambda d: d.id,
    )
    package.clusters = package_clusters(package)
    package.compounds = [
        SharedCompound("kk-park", "KK Park (synthetic record)", "amber", T1, T2, country="mm",
                       address="Myawaddy, Kayin State"),
    ]  # fmt: skip
    return package


def texts(tag: str, count: int, shared: str = "hr_shared_desk") -> list[str]:
    """Synthetic job ads of one dataset: unique selectors plus one shared handle."""
    return [
        f"SYNTHETIC {tag}{i}. Customer service job in Sihanoukville, USD {1500 + i} per month, "
        f"no experience, flight and visa paid. Telegram @hr_{tag}{i}_desk or @{shared}. "
        f"Marker zq{tag}{i}marker."
        for i in range(count)
    ]


def store_texts(store: Store, dataset: str, marking: str, items: list[str], org: str) -> list[str]:
    store.dataset(dataset, marking, org=org)
    docs = [Document(t, DocumentKind.JOB_AD, source="synthetic") for t in items]
    store.store_batch(docs, ENGINE, dataset=dataset)
    return [d.content_hash for d in docs]


def fill(store: Store, per_dataset: int = 2) -> dict[str, list[str]]:
    """One dataset per marking (ds-c, ds-g, ds-a, ds-s, ds-r) owned by ngo; police is named
    partner of every dataset; returns the document ids per marking."""
    engine = store.engine
    for org in ("ngo", "police", "bank"):
        users.create_organisation(engine, org)
    ids = {}
    for marking, tag in TAGS.items():
        name = f"ds-{tag}"
        ids[marking] = store_texts(store, name, marking, texts(tag, per_dataset), "ngo")
        users.share_dataset(engine, name, "police")
    return ids


def bundle_objects(data: bytes) -> list[dict[str, Any]]:
    return list(json.loads(data)["objects"])


def reader(data: bytes) -> io.BufferedReader:
    return io.BufferedReader(io.BytesIO(data))
