"""The synthetic demo: a hotline's spreadsheet of missing-person reports, job ads that share the
recruiters' contacts, raids on reference compounds, and the follow-up — invented from end to end.

Every name, phone number, handle, offer and operation here is SYNTHETIC, generated from a seed;
the only real things are the reference compounds (published facts, `tocsin.cases.reference`).
`synthetic_rows` makes the spreadsheet shipped as ``data/synthetic_missing_persons.csv`` (a test
checks the file is current); `load_demo` loads all of it into a store, so that the dashboard,
the map and the matches tell a story.
"""

from __future__ import annotations

import csv
import io
import json
import random
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Final

from tocsin.cases.book import Casebook
from tocsin.cases.fields import OperationInput, PersonInput
from tocsin.cases.reference import load_reference
from tocsin.cases.reports import scanner
from tocsin.cases.transfer import ImportResult, import_file
from tocsin.cases.workflow import Status
from tocsin.model import Document, DocumentKind
from tocsin.store import Store

__all__ = ["DEMO_TITLE", "NOTICE", "DemoResult", "load_demo", "synthetic_csv", "synthetic_rows"]

NOTICE: Final = (
    "SYNTHETIC DEMO DATA: every person, report, contact and operation is invented; only the "
    "compounds are published facts."
)
DEMO_TITLE: Final = "[SYNTHETIC DEMO] Hotline missing-person reports"
HEADERS: Final = {
    "Case no.": "ref", "Full name": "name", "Sex": "sex", "Age": "age",
    "Nationality": "nationality", "Languages spoken": "languages",
    "Date reported": "reported_at", "Reported by": "reporter_relation",
    "Family contact": "reporter_contact", "Last contact": "last_contact_at",
    "Last contact via": "last_contact_channel", "Last known place": "last_known_place",
    "Country": "last_known_country", "Compound": "compound", "Job offered": "job_title",
    "Promised workplace": "promised_place", "Recruiter contacts": "recruiter_contacts",
    "Job ad text": "job_offer", "Status": "status", "Status date": "status_at",
    "Remarks": "notes",
}  # fmt: skip
NATIONALITIES: Final = {
    "VN": (30, "vi"), "ID": (18, "id"), "TH": (14, "th"), "PH": (10, "tl"), "IN": (8, "hi"),
    "MY": (6, "ms"), "CN": (5, "zh"), "KE": (3, "sw"), "ET": (2, "am"), "LK": (2, "si"),
    "NP": (1, "ne"), "UG": (1, "en"), "BR": (0.3, "pt"),
}  # fmt: skip
PLACES: Final = {  # compound id → (last known place, country)
    "kk-park": ("Myawaddy", "MM"), "shwe-kokko": ("Myawaddy", "MM"),
    "sihanoukville": ("Sihanoukville", "KH"), "bavet": ("Bavet", "KH"),
    "poipet": ("Poipet", "KH"), "golden-triangle-sez": ("Bokeo", "LA"),
    "porac-lucky-south-99": ("Porac, Pampanga", "PH"), "bamban": ("Bamban, Tarlac", "PH"),
}  # fmt: skip
JOBS: Final = ("customer service", "IT support", "typist", "online sales", "translator",
               "crypto analyst", "game tester", "admin assistant")  # fmt: skip
PROMISED: Final = ("Bangkok", "Kuala Lumpur", "Singapore", "Ho Chi Minh City", "Phnom Penh",
                   "Dubai", "Mae Sot")  # fmt: skip
OFFERS: Final = (
    "SYNTHETIC AD. Hiring {job} staff in {promised}, salary {salary} USD per month, no "
    "experience needed, flight and visa paid, food and lodging included. Contact Telegram "
    "@{handle} or WhatsApp {phone}.",
    "SYNTHETIC AD. Tuyển nhân viên {job} làm việc tại {promised}, lương {salary} USD, việc nhẹ "
    "lương cao, bao vé máy bay. Liên hệ Telegram @{handle}, Zalo {phone}.",
    "SYNTHETIC AD. 高薪招聘{job}，工作地点{promised}，月薪{salary}美元，包吃包住包机票，"
    "不需要经验。联系 Telegram @{handle} 电话 {phone}",
    "SYNTHETIC AD. Lowongan kerja {job} di {promised}, gaji {salary} USD per bulan, tiket "
    "pesawat dan visa ditanggung. Hubungi Telegram @{handle} atau WA {phone}.",
)
CHANNELS: Final = ("WhatsApp", "Telegram", "Zalo", "Line", "Facebook")
_SYLLABLES: Final = ("la", "mi", "no", "ra", "ve", "ko", "su", "ta", "ni", "do", "ha", "ri", "an",
                     "el", "mo", "pe", "ki", "zu", "ya", "be")  # fmt: skip


def _name(rng: random.Random) -> str:
    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    return f"{word()} {word()}"


def _networks(rng: random.Random, count: int = 24) -> list[tuple[str, str, str]]:
    """(Telegram handle, phone, compound id) of each synthetic recruitment network."""
    compounds = list(PLACES)
    return [
        (f"synth_hr_{i:02d}_desk", f"+855 12 {100 + i:03d} {rng.randint(100, 999):03d}",
         compounds[i % len(compounds)])
        for i in range(count)
    ]  # fmt: skip


def synthetic_rows(count: int = 300, seed: int = 7) -> list[dict[str, str]]:
    """The demo spreadsheet: ``count`` rows under the headers a hotline might use."""
    rng = random.Random(seed)
    nets = _networks(rng)
    codes = list(NATIONALITIES)
    weights = [NATIONALITIES[c][0] for c in codes]
    start = date(2023, 1, 1)
    rows = []
    for i in range(count):
        nat = rng.choices(codes, weights)[0]
        handle, phone, compound = nets[min(int(rng.paretovariate(1.2)) - 1, len(nets) - 1)]
        days = int(900 * rng.random() ** 0.7)  # more reports lately
        reported = start + timedelta(days=days)
        place, country = PLACES[compound]
        job = rng.choice(JOBS)
        promised = rng.choice(PROMISED)
        salary = 800 + 100 * rng.randint(0, 12)
        offer = rng.choice(OFFERS).format(
            job=job, promised=promised, handle=handle, phone=phone, salary=salary
        )
        last_contact = reported - timedelta(days=rng.randint(3, 60))
        shelter = rng.random() < 0.12  # met at a shelter, not reported by a family
        known = rng.random() < 0.8
        rows.append({
            "Case no.": f"HL-{2023 + days // 365}-{i + 1:04d}",
            "Full name": _name(rng) if rng.random() < 0.92 else "",
            "Sex": rng.choice(["female", "male", "male"]),
            "Age": str(rng.randint(18, 45)),
            "Nationality": nat,
            "Languages spoken": ",".join(dict.fromkeys([NATIONALITIES[nat][1], "en"])),
            "Date reported": "" if shelter else reported.isoformat(),
            "Reported by": "" if shelter else rng.choice(["mother", "father", "sister",
                                                           "brother", "spouse", "friend"]),
            "Family contact": "" if shelter else f"+00 555 {i:04d} (synthetic)",
            "Last contact": "" if shelter else last_contact.isoformat(),
            "Last contact via": "" if shelter else rng.choice(CHANNELS),
            "Last known place": place if known and not shelter else "",
            "Country": country if known and not shelter else "",
            "Compound": compound if known else "",
            "Job offered": "" if shelter else job,
            "Promised workplace": "" if shelter else promised,
            "Recruiter contacts": "" if shelter else f"Telegram @{handle}; {phone}",
            "Job ad text": offer if not shelter and rng.random() < 0.7 else "",
            "Status": "in shelter" if shelter else "reported",
            "Status date": reported.isoformat() if shelter else "",
            "Remarks": "SYNTHETIC record for the demo",
        })  # fmt: skip
    return rows


def synthetic_csv(count: int = 300, seed: int = 7) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(HEADERS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(synthetic_rows(count, seed))
    return buffer.getvalue()


def _background_ads(seed: int, count: int = 150) -> list[Document]:
    rng = random.Random(seed + 1)
    nets = _networks(random.Random(seed))
    docs = []
    for i in range(count):
        handle, phone, compound = nets[min(int(rng.paretovariate(1.1)) - 1, len(nets) - 1)]
        text = rng.choice(OFFERS).format(
            job=rng.choice(JOBS), promised=PLACES[compound][0], handle=handle, phone=phone,
            salary=900 + 100 * rng.randint(0, 10),
        ) + f" Ref {i}."  # fmt: skip
        docs.append(Document(text, DocumentKind.JOB_AD, id=f"demo-ad-{i}", source="synthetic"))
    return docs


@dataclass(slots=True)
class DemoResult:
    case: str
    imported: ImportResult
    operations: list[str] = field(default_factory=list)
    compounds: int = 0


def load_demo(store: Store, *, members: list[tuple[str, str]] | None = None, seed: int = 7,
              rows: int | None = None) -> DemoResult:  # fmt: skip
    """Load the synthetic demo into ``store`` (as its principal: the system, from the CLI)."""
    book = Casebook(store)
    added, updated = load_reference(book.context)
    store.store_batch(_background_ads(seed), scanner(), dataset="demo-ads", marking="green")
    case = book.cases.create(DEMO_TITLE, members=members or [])
    path = files("tocsin.cases") / "data" / "synthetic_missing_persons.csv"
    mapping = json.loads(
        (files("tocsin.cases") / "data" / "synthetic_mapping.json").read_text("utf-8")
    )
    # rows: a smaller demo, for tests
    text = synthetic_csv(rows, seed) if rows is not None else path.read_text("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / "synthetic_missing_persons.csv"
        local.write_text(text, encoding="utf-8")
        imported = import_file(book.context, case.id, local, mapping)
    result = DemoResult(case=case.id, imported=imported, compounds=added + updated)
    rng = random.Random(seed + 2)
    raids = [("kk-park", date(2024, 3, 14)), ("porac-lucky-south-99", date(2024, 6, 5)),
             ("sihanoukville", date(2024, 9, 20)), ("bavet", date(2025, 1, 22)),
             ("shwe-kokko", date(2025, 2, 18)), ("kk-park", date(2025, 5, 30))]  # fmt: skip
    for compound, day in raids:
        persons = book.persons.in_case(case.id)
        held = [p for p in persons if p.compound == compound and p.status == "reported"
                and p.status_at.date() < day and rng.random() < 0.55]  # fmt: skip
        counts: dict[str, int] = {}
        for p in held:
            counts[(p.nationality or "zz").upper()] = (
                counts.get((p.nationality or "zz").upper(), 0) + 1
            )
        for nat in rng.sample(list(NATIONALITIES), 4):  # others freed, not in the case
            counts[nat] = counts.get(nat, 0) + rng.randint(1, 40)
        counts.pop("ZZ", None)
        survivors = [PersonInput(nationality=rng.choice(list(NATIONALITIES)), sex="male")
                     for _ in range(rng.randint(1, 4))]  # fmt: skip
        op = book.operations.record(case.id, OperationInput(
            kind="raid", date=day, compound=compound, agencies=["Synthetic Police Unit"],
            nationalities=counts, persons=[p.id for p in held], survivors=survivors,
            follow_up="SYNTHETIC: screening at the border, shelter referrals",
            source="synthetic demo",
        ))  # fmt: skip
        result.operations.append(op.id)
        for pid in op.persons:
            _follow_up(book, pid, day, rng)
    return result


def _follow_up(book: Casebook, person_id: str, day: date, rng: random.Random) -> None:
    """After a raid: most go to a shelter, most of them home; some are lost or decline."""
    at = datetime(day.year, day.month, day.day, tzinfo=UTC)
    roll = rng.random()
    if roll < 0.08:
        book.persons.set_status(person_id, Status.LOST_CONTACT, at=at + timedelta(days=5))
        return
    if roll < 0.13:
        book.persons.set_status(person_id, Status.DECLINED_ASSISTANCE, at=at + timedelta(days=2))
        return
    book.persons.set_status(person_id, Status.IN_SHELTER, at=at + timedelta(days=1))
    if rng.random() < 0.7 and at + timedelta(days=40) < datetime.now(UTC):
        book.persons.set_status(person_id, Status.REPATRIATED,
                                at=at + timedelta(days=rng.randint(14, 40)))  # fmt: skip
