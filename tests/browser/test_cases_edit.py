"""The person forms in a real browser: an analyst records a missing-person report, sees its
matches, edits the person (passport, notes), uploads a photo, advances the status; the
statistics page draws its Chart.js charts and the cross table. Synthetic data only.

docs/img/cases-person.png and cases-statistics.png are copies of this test's screenshots
(tests/browser/artifacts/cases-person-edited.png, cases-statistics-charts.png), made by hand."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from browser.conftest import Server, Watch, login_at, new_page, shot
from tocsin.cases import Casebook, PersonInput, ReportInput
from tocsin.cases.reference import load_reference

SHARED = "@zq_browser_edit_desk"
OFFER = (
    "SYNTHETIC BROWSER TEST OFFER. IT support in Poipet, 2000 USD per month, visa and flight "
    f"paid. Contact Telegram {SHARED}."
)


def login(page: Any, server: Server, username: str) -> None:
    login_at(page, server, username, "/app/cases")


@pytest.fixture(scope="module")
def case_id(server: Server) -> str:
    book = Casebook(server.world.store)
    load_reference(book.context)
    info = book.cases.create("[SYNTHETIC] Browser edit case", members=[("demo-analyst", "lead")])
    # earlier, synthetic persons: enough for the statistics page to have bars and a cross table
    for i in range(30):
        nationality = ("VN", "TH", "ID", "PH")[i % 4 if i < 24 else 0]
        status = ("in_shelter", "rescued", "located")[i % 3]
        book.persons.add(info.id, PersonInput(nationality=nationality, compound="poipet"), status)
    book.reports.create(
        info.id,
        ReportInput(person=PersonInput(nationality="TH"), offer_text=OFFER, compound="poipet"),
    )  # an earlier report naming the same recruiter: the new one matches it
    return info.id


def _photo(path: Path) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "ZqBrowserCam"
    exif[0x8825] = {1: "N", 2: (13.0, 39.0, 0.0), 3: "E", 4: (102.0, 33.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (120, 160), (90, 120, 160)).save(out, "JPEG", exif=exif.tobytes())
    path.write_bytes(out.getvalue())
    return path


def test_report_matches_edit_photo_status_and_charts(
    browser: Any, server: Server, watch: Watch, case_id: str, tmp_path: Path
) -> None:
    page = new_page(browser, watch)
    login(page, server, "demo-analyst")
    page.goto(f"{server.url}/app/cases/{case_id}/reports/new")
    page.fill("#r-name", "Zq Browser Edited")
    page.fill("#r-nat", "TH")
    page.select_option("#r-compound", "poipet")
    page.fill("#r-offer", OFFER)
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/app/cases/reports/R-*")
    assert "telegram:zq_browser_edit_desk" in page.inner_text("#selector-matches")
    assert "R-" in page.inner_text("#matches")  # the earlier report shares the recruiter

    page.click("text=Zq Browser Edited")
    page.wait_for_url("**/app/cases/persons/P-*")
    page.click("#edit summary")
    page.fill("#e-passport", "ZQ-SYNTH-4411")
    page.fill("#e-year", "1997")
    page.fill("#e-notes", "Synthetic note: speaks some English")
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector("text=edited birth_year, notes, passport")
    assert "ZQ-SYNTH-4411" in page.inner_text("#person-facts")

    page.click("#photo summary")
    page.set_input_files("#ph-file", str(_photo(tmp_path / "synthetic.jpg")))
    page.click("#photo-form button[type=submit]")
    page.wait_for_selector("#person-photo")
    assert page.eval_on_selector("#person-photo", "img => img.naturalWidth") == 120

    page.select_option("#s-status", "located")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("text=reported → located")
    page.select_option("#s-status", "rescued")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("text=located → rescued")
    shot(page, "cases-person-edited")

    page.goto(f"{server.url}/app/cases/statistics")
    page.wait_for_function(
        "() => document.querySelectorAll('canvas.chart').length > 0 && "
        "[...document.querySelectorAll('canvas.chart')].every(c => window.Chart.getChart(c))"
    )
    assert page.locator("#cross table td").count() > 8
    assert "x" in page.inner_text("#cross").split()  # small cells withheld, others shown
    shot(page, "cases-statistics-charts")
    assert watch.problems == []
