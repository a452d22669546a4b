"""The page forms the API already had: edit a person, the family's contact on a report, a photo
(type read from bytes, metadata stripped, sealed, served to the team only, never cached), an
operation freeing persons and a located person linked to a report — roles as the API, every
read audited, CSRF on session forms, and no personal value in any log record."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator

import pytest
from PIL import Image
from sqlalchemy import select

from cases.world import FAMILY_PHONE, NAME, NOTE, OFFER, PASSPORT, PASSWORD, REPORTER, World
from tocsin.access import audit, tokens
from tocsin.cases import PersonInput, ReportInput
from tocsin.cases.fields import MAX_PHOTO_BYTES
from tocsin.store.schema import CASE_TABLES
from tocsin.web.app import create_app
from web.client import TestClient

Site = tuple[TestClient, dict[str, dict[str, str]]]


@pytest.fixture
def site(world: World) -> Iterator[Site]:
    headers = {}
    for who in ("lead", "viewer", "admin", "member"):
        token, _ = tokens.create_token(world.store.engine, who, "forms")
        headers[who] = {"Authorization": f"Bearer {token}", "Accept": "text/html"}
    with TestClient(create_app(world.store.settings, world.store)) as client:
        yield client, headers


def _report(world: World) -> tuple[str, str]:
    report = world.book("lead").reports.create(
        world.case,
        ReportInput(
            person=PersonInput(name="Zq Before Edit", nationality="VN"),
            offer_text=OFFER,
            reporter_relation="mother",
        ),
    )
    return report.id, report.person


def gps_jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    """A synthetic JPEG carrying a camera name and a GPS position, turned by its EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "ZqSyntheticCam"
    exif[0x0112] = 6  # to be shown turned by 90°
    exif[0x8825] = {1: "N", 2: (10.0, 36.0, 0.0), 3: "E", 4: (103.0, 30.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", size, (180, 40, 40)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_edit_form_changes_fields_encrypted_and_names_them_in_the_timeline(
    world: World, site: Site
) -> None:
    client, h = site
    _, pid = _report(world)
    form = {"name": NAME, "passport": PASSPORT, "nationality": "vn", "languages": "vi,en",
            "birth_year": "1999", "notes": NOTE, "sex": "female"}  # fmt: skip
    answer = client.post(
        f"/app/cases/persons/{pid}/edit", headers=h["lead"], data=form, follow_redirects=False
    )
    assert answer.status_code == 303
    page = client.get(f"/app/cases/persons/{pid}", headers=h["lead"]).text
    assert NAME in page and PASSPORT in page and NOTE in page
    edited = re.search(r"edited ([a-z_, ]+)</strong>", page)
    assert edited is not None
    assert edited.group(1) == "birth_year, languages, name, notes, passport, sex"  # not nationality
    with world.store.engine.connect() as conn:
        row = conn.execute(select(CASE_TABLES.persons).where(CASE_TABLES.persons.c.id == pid)).one()
    assert row.name.startswith("e1:") and row.passport.startswith("e1:")  # sealed at rest
    assert PASSPORT not in row.passport and NAME not in row.name
    again = client.post(f"/app/cases/persons/{pid}/edit", headers=h["lead"], data=form)
    assert again.status_code == 200 and again.text.count("edited ") == 1  # nothing changed
    bad = client.post(
        f"/app/cases/persons/{pid}/edit", headers=h["lead"], data={**form, "birth_year": "90s"}
    )
    assert bad.status_code == 400 and "birth year" in bad.text
    changed = {**form, "name": "Zq Other"}
    viewer = client.post(f"/app/cases/persons/{pid}/edit", headers=h["viewer"], data=changed)
    assert viewer.status_code == 400 and "may read case" in viewer.text
    outsider = client.post(f"/app/cases/persons/{pid}/edit", headers=h["admin"], data=changed)
    assert outsider.status_code == 404 and NAME not in outsider.text


def test_family_contact_form_seals_the_contact(world: World, site: Site) -> None:
    client, h = site
    rid, pid = _report(world)
    answer = client.post(
        f"/app/cases/reports/{rid}/family",
        headers=h["lead"],
        data={
            "reporter_name": REPORTER,
            "reporter_contact": FAMILY_PHONE,
            "reporter_relation": "mother",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = client.get(f"/app/cases/reports/{rid}", headers=h["lead"]).text
    assert FAMILY_PHONE in page and REPORTER in page
    with world.store.engine.connect() as conn:
        row = conn.execute(
            select(CASE_TABLES.missing_reports).where(CASE_TABLES.missing_reports.c.id == rid)
        ).one()
    assert row.reporter_contact.startswith("e1:") and FAMILY_PHONE not in row.reporter_contact
    timeline = client.get(f"/app/cases/persons/{pid}", headers=h["lead"]).text
    assert "edited reporter_contact, reporter_name" in timeline  # not the relation: unchanged
    off = client.post(f"/app/cases/reports/{rid}/family", headers=h["admin"], data={})
    assert off.status_code == 404


def test_photo_is_sniffed_stripped_sealed_and_served_to_the_team_only(
    world: World, site: Site
) -> None:
    client, h = site
    _, pid = _report(world)
    upload = client.post(
        f"/app/cases/persons/{pid}/photo",
        headers=h["lead"],
        files={"photo": ("holiday.png", gps_jpeg(), "image/png")},  # the claimed type is wrong
        follow_redirects=False,
    )
    assert upload.status_code == 303
    before = audit.count(world.store.engine)
    served = client.get(f"/app/cases/persons/{pid}/photo", headers=h["member"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"] == "no-store"
    assert b"ZqSyntheticCam" not in served.content and b"Exif" not in served.content
    image = Image.open(io.BytesIO(served.content))
    assert image.size == (48, 64) and not dict(image.getexif())  # turned upright, no EXIF
    new = audit.entries(world.store.engine, limit=audit.count(world.store.engine) - before)
    assert ("member", "person.photo", pid) in {(e.actor, e.action, e.target_id) for e in new}
    with world.store.engine.connect() as conn:
        stored = conn.execute(
            select(CASE_TABLES.persons.c.photo).where(CASE_TABLES.persons.c.id == pid)
        ).scalar_one()
    assert stored.startswith("e1:")  # sealed with the field key
    assert client.get(f"/app/cases/persons/{pid}/photo", headers=h["admin"]).status_code == 404
    assert (
        client.get(f"/app/cases/persons/{pid}", headers=h["lead"]).text.count(
            f"/app/cases/persons/{pid}/photo"
        )
        >= 2
    )  # the image and the form
    fake = client.post(
        f"/app/cases/persons/{pid}/photo",
        headers=h["lead"],
        files={"photo": ("x.jpg", b"\xff\xd8\xff" + b"not really" * 50, "image/jpeg")},
    )
    assert fake.status_code == 400 and "JPEG, PNG or WebP" in fake.text
    big = client.post(
        f"/app/cases/persons/{pid}/photo",
        headers=h["lead"],
        files={"photo": ("big.jpg", b"\xff\xd8\xff" + bytes(MAX_PHOTO_BYTES), "image/jpeg")},
    )
    assert big.status_code == 400 and "bytes" in big.text
    viewer = client.post(
        f"/app/cases/persons/{pid}/photo",
        headers=h["viewer"],
        files={"photo": ("a.jpg", gps_jpeg(), "image/jpeg")},
    )
    assert viewer.status_code == 400 and "may read case" in viewer.text
    gone = client.post(
        f"/app/cases/persons/{pid}/photo", headers=h["lead"], data={"remove": "yes"},
        follow_redirects=False,
    )  # fmt: skip
    assert gone.status_code == 303
    assert client.get(f"/app/cases/persons/{pid}/photo", headers=h["lead"]).status_code == 404


def test_api_photo_is_stripped_too(world: World, site: Site) -> None:
    client, h = site
    _, pid = _report(world)
    bearer = {"Authorization": h["lead"]["Authorization"]}
    put = client.put(
        f"/api/v1/cases/persons/{pid}/photo",
        headers=bearer,
        files={"file": ("p.jpg", gps_jpeg(), "image/jpeg")},
    )
    assert put.status_code == 200, put.text
    got = client.get(f"/api/v1/cases/persons/{pid}/photo", headers=bearer)
    assert got.headers["cache-control"] == "no-store" and b"ZqSyntheticCam" not in got.content


def test_operation_form_frees_persons_and_a_located_person_is_linked(
    world: World, site: Site
) -> None:
    client, h = site
    rid, reported = _report(world)
    survivor = world.book("lead").persons.add(world.case, PersonInput(nationality="VN"), "located")
    answer = client.post(
        f"/app/cases/{world.case}/operations",
        headers=h["lead"],
        data={
            "kind": "raid",
            "day": "2025-02-14",
            "compound": "zq-compound",
            "nationalities": "TH=109, PK=50\nVN=2",
            "persons": [survivor.id],
            "agencies": "Synthetic Police Unit",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    person = world.book("lead").persons.get(survivor.id)
    assert person.status == "rescued" and person.operations
    bad = client.post(
        f"/app/cases/{world.case}/operations",
        headers=h["lead"],
        data={"kind": "raid", "day": "2025-02-14", "nationalities": "TH 109"},
    )
    assert bad.status_code == 400 and "CODE=N" in bad.text
    link = client.post(
        f"/app/cases/persons/{survivor.id}/link",
        headers=h["lead"],
        data={"report": rid, "note": "same birthmark (synthetic)"},
        follow_redirects=False,
    )
    assert link.status_code == 303
    report = client.get(f"/app/cases/reports/{rid}", headers=h["lead"]).text
    assert f"/app/cases/persons/{survivor.id}" in report
    assert world.book("lead").persons.get(reported).status == "rescued"  # brought along


def test_find_posts_its_query_and_session_forms_need_the_csrf_token(
    world: World, site: Site
) -> None:
    client, h = site
    _, pid = _report(world)
    found = client.post("/app/cases/find", headers=h["lead"], data={"q": "Zq Before"})
    assert found.status_code == 200 and pid in found.text
    assert pid not in client.get("/app/cases/find?q=Zq+Before", headers=h["lead"]).text
    browser = TestClient(client.app, base_url="http://127.0.0.1")
    login = browser.post("/api/v1/auth/login", json={"username": "lead", "password": PASSWORD})
    assert login.status_code == 200
    forged = browser.post(f"/app/cases/persons/{pid}/edit", data={"name": "Zq Forged"})
    assert forged.status_code == 403
    page = browser.get(f"/app/cases/persons/{pid}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    ok = browser.post(
        f"/app/cases/persons/{pid}/edit",
        data={"name": "Zq After Edit", "nationality": "VN", "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert "Zq After Edit" in browser.get(f"/app/cases/persons/{pid}").text


def test_personal_fields_never_reach_the_logs(
    world: World, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    client, h = site
    photo = gps_jpeg()  # made before the capture: the test's own Pillow calls log tags too
    caplog.set_level(logging.DEBUG)  # every logger, every level
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and parameters
    try:
        answer = client.post(
            f"/app/cases/{world.case}/reports",
            headers=h["lead"],
            data={
                "name": NAME,
                "passport": PASSPORT,
                "nationality": "VN",
                "offer": OFFER,
                "reporter_contact": FAMILY_PHONE,
                "contacts": "Telegram @hr_zq_desk",
            },
            follow_redirects=False,
        )
        rid = answer.headers["location"].rsplit("/", 1)[1]
        pid = world.book("lead").reports.get(rid).person
        edits = {"name": NAME + " Jr", "passport": PASSPORT + "9", "notes": NOTE}
        client.post(f"/app/cases/persons/{pid}/edit", headers=h["lead"], data=edits)
        family = {"reporter_name": REPORTER, "reporter_contact": FAMILY_PHONE + "1"}
        client.post(f"/app/cases/reports/{rid}/family", headers=h["lead"], data=family)
        client.post(f"/app/cases/persons/{pid}/photo", headers=h["lead"],
                    files={"photo": ("p.jpg", photo, "image/jpeg")})  # fmt: skip
        client.get(f"/app/cases/persons/{pid}", headers=h["lead"])
        client.get(f"/app/cases/reports/{rid}", headers=h["lead"])
        client.get(f"/app/cases/persons/{pid}/photo", headers=h["lead"])
        client.post("/app/cases/find", headers=h["lead"], data={"q": PASSPORT})
        client.get(
            f"/api/v1/cases/persons/{pid}", headers={"Authorization": h["lead"]["Authorization"]}
        )
        client.post(f"/app/cases/persons/{pid}/edit", headers=h["lead"],
                    data={"name": "x" * 400})  # a refused value  # fmt: skip
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert len(caplog.records) > 5  # the logs were really captured (SQL statements at least)
    text = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )
    for value in (NAME, PASSPORT, NOTE, REPORTER, FAMILY_PHONE, "ZqSyntheticCam", "x" * 400):
        assert value not in text, f"{value!r} reached a log record"


def test_api_twins_of_the_family_form_and_the_posted_search(world: World, site: Site) -> None:
    client, h = site
    rid, pid = _report(world)
    bearer = {"Authorization": h["lead"]["Authorization"]}
    patched = client.patch(
        f"/api/v1/cases/reports/{rid}", headers=bearer, json={"reporter_contact": FAMILY_PHONE}
    )
    assert patched.status_code == 200 and patched.json()["reporter_contact"] == FAMILY_PHONE
    assert patched.json()["reporter_relation"] == "mother"  # not sent: unchanged
    viewer = {"Authorization": h["viewer"]["Authorization"]}
    refused = client.patch(
        f"/api/v1/cases/reports/{rid}", headers=viewer, json={"reporter_name": "x"}
    )
    assert refused.status_code == 403
    admin = {"Authorization": h["admin"]["Authorization"]}
    assert client.patch(f"/api/v1/cases/reports/{rid}", headers=admin, json={}).status_code == 404
    found = client.post("/api/v1/cases/persons/search", headers=bearer, json={"q": "Zq Before"})
    assert [p["id"] for p in found.json()] == [pid]
