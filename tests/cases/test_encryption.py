"""Personal fields at rest: the database never holds them in clear when a key is configured,
and they never reach the audit log, the logs, or the documents' full-text index."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlalchemy import text

from cases.world import FAMILY_PHONE, NAME, NOTE, OFFER, PASSPORT, REPORTER, World, keyed
from tocsin.cases import Casebook, OperationInput, PersonInput, ReportInput, generate_key
from tocsin.cases.rekey import rekey
from tocsin.errors import ConfigError
from tocsin.store import Store

PHOTO = b"\x89PNG\r\n\x1a\n" + b"zqxphotobytes" * 20
SECRETS = (NAME, PASSPORT, REPORTER, FAMILY_PHONE, NOTE, "zqxphotobytes")


def _record(book: Casebook, case: str) -> tuple[str, str]:
    report = book.reports.create(
        case,
        ReportInput(
            person=PersonInput(
                name=NAME,
                passport=PASSPORT,
                notes=NOTE,
                nationality="TH",
                photo=PHOTO,
                photo_type="image/png",
            ),
            reporter_name=REPORTER,
            reporter_contact=FAMILY_PHONE,
            offer_text=OFFER,
        ),
    )
    book.persons.set_status(report.person, "located", note=NOTE)
    book.operations.record(
        case, OperationInput(kind="rescue", date=date(2025, 1, 5), persons=[report.person])
    )
    return report.id, report.person


def _raw_dump(store: Store) -> str:
    """Every text column of every row of every case table and the audit log and documents."""
    chunks = []
    with store.engine.connect() as conn:
        for table in (
            "persons",
            "missing_reports",
            "person_events",
            "operations",
            "cases",
            "audit_log",
            "documents",
            "statements",
        ):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                chunks.extend(str(v) for v in row)
    return "\n".join(chunks)


def test_raw_columns_hold_ciphertext_only(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    book = world.book("lead")
    report_id, person_id = _record(book, world.case)
    dump = _raw_dump(world.store)
    for secret in SECRETS:
        assert secret not in dump, f"{secret!r} stored in clear"
    with world.store.engine.connect() as conn:
        name, passport, photo = conn.execute(
            text("SELECT name, passport, photo FROM persons WHERE id = :id"), {"id": person_id}
        ).one()
    assert name.startswith("e1:k1:") and passport.startswith("e1:k1:")
    assert photo.startswith("e1:k1:")
    # the team reads them back
    person = book.persons.get(person_id)
    assert (person.name, person.passport, person.notes) == (NAME, PASSPORT, NOTE)
    assert NOTE in [e.note for e in person.timeline]
    assert book.persons.photo(person_id) == (PHOTO, "image/png")
    report = book.reports.get(report_id)
    assert (report.reporter_name, report.reporter_contact) == (REPORTER, FAMILY_PHONE)
    # never in the logs
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in SECRETS:
        assert secret not in logged


def test_full_text_search_does_not_find_personal_fields(world: World) -> None:
    _record(world.book("lead"), world.case)
    for who in ("lead", "admin", "system"):
        store = world.store.as_principal(world.principals[who])
        assert store.search(NAME.split()[0]) == []
        assert store.search(PASSPORT) == []
    # the case team finds the person through the case search, which decrypts
    found = world.book("member").persons.find(NAME.split()[0].lower())
    assert [p.name for p in found] == [NAME]


def test_a_wrong_key_refuses_to_read(world: World) -> None:
    _, person_id = _record(world.book("lead"), world.case)
    other = Casebook(keyed(world.store, generate_key("k9")).as_principal(world.principals["lead"]))
    with pytest.raises(ConfigError, match="key 'k1'"):
        other.persons.get(person_id)


def test_rotation_and_rekey(world: World) -> None:
    plain = keyed(world.store, None)  # no key: stored as marked plaintext
    _, person_id = _record(Casebook(plain.as_principal(world.principals["lead"])), world.case)
    assert NAME in _raw_dump(world.store)
    k1, k2 = world.store.settings.field_key, generate_key("k2")
    result = rekey(Casebook(keyed(world.store, k1)).context)
    assert result.rewritten >= 6
    assert NAME not in _raw_dump(world.store)
    rotated = keyed(world.store, f"{k2},{k1}")
    rekey(Casebook(rotated).context)
    only_new = Casebook(keyed(world.store, k2).as_principal(world.principals["lead"]))
    person = only_new.persons.get(person_id)
    assert person.name == NAME and NOTE in [e.note for e in person.timeline]
    assert only_new.persons.photo(person_id) == (PHOTO, "image/png")
    with world.store.engine.connect() as conn:
        kids = {v.split(":")[1] for (v,) in conn.execute(text("SELECT name FROM persons"))}
    assert kids == {"k2"}


def test_a_survivor_needs_no_name(world: World) -> None:
    book = world.book("lead")
    view = book.persons.add(world.case, PersonInput(nationality="ET"), "rescued")
    assert view.name is None and view.id.startswith("P-")
    assert book.persons.get(view.id).id == view.id  # a stable pseudonymous id
