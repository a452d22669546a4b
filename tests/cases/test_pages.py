"""The case pages: every page renders for the team, answers 404 off the team, and the forms
create a report (with its matches), change a status, refuse with the reason."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest

from cases.world import NAME, OFFER, World
from tocsin.access import tokens
from tocsin.cases import OperationInput, PersonInput, ReportInput
from tocsin.cases.reference import load_reference
from tocsin.web.app import create_app
from web.client import TestClient


@pytest.fixture
def site(world: World) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    headers = {}
    for who in ("lead", "viewer", "admin"):
        token, _ = tokens.create_token(world.store.engine, who, "pages")
        headers[who] = {"Authorization": f"Bearer {token}", "Accept": "text/html"}
    with TestClient(create_app(world.store.settings, world.store)) as client:
        yield client, headers


def _seed(world: World) -> tuple[str, str]:
    from tocsin.cases import Casebook

    load_reference(Casebook(world.store).context)
    book = world.book("lead")
    report = book.reports.create(
        world.case,
        ReportInput(
            person=PersonInput(name=NAME, nationality="VN"),
            offer_text=OFFER,
            recruiter_contacts=["Telegram @hr_zq_desk"],
            compound="kk-park",
        ),
    )
    book.operations.record(
        world.case,
        OperationInput(
            kind="raid",
            date=date(2025, 2, 1),
            compound="kk-park",
            nationalities={"TH": 20},
        ),
    )
    return report.id, report.person


def test_every_page_renders_for_the_team(
    world: World, site: tuple[TestClient, dict[str, dict[str, str]]]
) -> None:
    client, h = site
    report_id, person_id = _seed(world)
    pages = [
        "/app/cases",
        f"/app/cases/{world.case}",
        f"/app/cases/{world.case}/reports/new",
        f"/app/cases/reports/{report_id}",
        f"/app/cases/persons/{person_id}",
        "/app/cases/compounds",
        "/app/cases/compounds/kk-park",
        "/app/cases/statistics",
        "/app/cases/find",
    ]
    for path in pages:
        page = client.get(path, headers=h["lead"])
        assert page.status_code == 200, (path, page.text[:500])
        assert "<script>" not in page.text and ' style="' not in page.text, path
    person = client.get(f"/app/cases/persons/{person_id}", headers=h["lead"]).text
    assert NAME in person
    report = client.get(f"/app/cases/reports/{report_id}", headers=h["lead"]).text
    assert "telegram:hr_zq_desk" in report
    stats = client.get("/app/cases/statistics", headers=h["lead"]).text
    assert "KK Park" in stats


def test_off_the_team_pages_are_404(
    world: World, site: tuple[TestClient, dict[str, dict[str, str]]]
) -> None:
    client, h = site
    report_id, person_id = _seed(world)
    for path in (
        f"/app/cases/{world.case}",
        f"/app/cases/reports/{report_id}",
        f"/app/cases/persons/{person_id}",
    ):
        page = client.get(path, headers=h["admin"])
        assert page.status_code == 404, path
        assert NAME not in page.text
    assert world.case not in client.get("/app/cases", headers=h["admin"]).text


def test_forms_create_a_report_and_change_a_status(
    world: World, site: tuple[TestClient, dict[str, dict[str, str]]]
) -> None:
    client, h = site
    answer = client.post(
        f"/app/cases/{world.case}/reports",
        headers=h["lead"],
        data={
            "name": "Zq Form Person",
            "nationality": "VN",
            "offer": OFFER,
            "contacts": "Telegram @hr_zq_desk\nsomeone called Ben",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = client.get(answer.headers["location"], headers=h["lead"]).text
    assert "telegram:hr_zq_desk" in page and "someone called Ben" in page
    person = re.search(r"/app/cases/persons/(P-[0-9A-Z-]+)", page)
    assert person is not None
    pid = person.group(1)
    refused = client.post(
        f"/app/cases/persons/{pid}/status", headers=h["lead"], data={"status": "repatriated"}
    )
    assert refused.status_code == 400 and "allowed next" in refused.text
    moved = client.post(
        f"/app/cases/persons/{pid}/status",
        headers=h["lead"],
        data={"status": "located", "note": "seen"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert "reported → located" in client.get(f"/app/cases/persons/{pid}", headers=h["lead"]).text
    viewer = client.post(
        f"/app/cases/persons/{pid}/status", headers=h["viewer"], data={"status": "rescued"}
    )
    assert viewer.status_code == 400 and "may read case" in viewer.text


def test_import_form_lists_bad_rows(
    world: World, site: tuple[TestClient, dict[str, dict[str, str]]]
) -> None:
    client, h = site
    sheet = "Full name,Nationality\nZq Good,VN\nZq Bad,Atlantis\n"
    page = client.post(
        f"/app/cases/{world.case}/import",
        headers=h["lead"],
        files={"file": ("sheet.csv", sheet, "text/csv")},
        data={"mapping": "Full name=name"},
    )
    assert page.status_code == 200
    assert "1 reports" in page.text and "sheet.csv:3 field &#39;Nationality&#39;" in page.text
