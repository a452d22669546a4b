"""The case pages in a real browser: an analyst on the team records a missing-person report
from a pasted offer and sees its matches at once, moves the person along the workflow, and an
admin who is not on the team finds nothing. Synthetic data only."""

from __future__ import annotations

from typing import Any

import pytest

from browser.conftest import Server, Watch, login_at, new_page, shot
from tocsin.cases import Casebook
from tocsin.cases.reference import load_reference

SHARED = "@zq_browser_case_desk"
OFFER = (
    "SYNTHETIC BROWSER TEST OFFER. Customer service in Sihanoukville, 1800 USD per month, no "
    f"experience needed, flight and visa paid. Contact Telegram {SHARED}."
)
AD = (
    "SYNTHETIC BROWSER TEST AD. Typist wanted in Bavet, salary 1500 USD, visa paid, contact "
    f"Telegram {SHARED}."
)


def login(page: Any, server: Server, username: str) -> None:
    login_at(page, server, username, "/app/cases")


@pytest.fixture(scope="module")
def case_id(server: Server) -> str:
    store = server.world.store
    book = Casebook(store)
    load_reference(book.context)
    from tocsin.cases.reports import scanner
    from tocsin.model import Document, DocumentKind

    store.store_batch(
        [Document(AD, DocumentKind.JOB_AD)], scanner(), dataset="browser-ads", marking="green"
    )
    info = book.cases.create(
        "[SYNTHETIC] Browser test case",
        members=[("demo-analyst", "lead"), ("demo-viewer", "member")],
    )
    return info.id


def test_a_report_and_its_matches(browser: Any, server: Server, watch: Watch, case_id: str) -> None:
    page = new_page(browser, watch)
    login(page, server, "demo-analyst")
    assert case_id in page.inner_text("#cases-table")
    page.click(f"a[href='/app/cases/{case_id}']")
    page.click("#new-report")
    page.fill("#r-name", "Zq Browser Person")
    page.fill("#r-nat", "VN")
    page.fill("#r-lang", "vi, en")
    page.fill("#r-place", "Sihanoukville")
    page.fill("#r-country", "KH")
    page.select_option("#r-compound", "sihanoukville")
    page.fill("#r-offer", OFFER)
    page.fill("#r-contacts", f"Telegram {SHARED}\nsomeone called Ben")
    shot(page, "cases-report-form")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/app/cases/reports/R-*")
    matches = page.inner_text("#selector-matches")
    assert "telegram:zq_browser_case_desk" in matches
    # the ad in another dataset names the same handle: one other document, shown at once
    row = page.locator("#selector-matches tr", has_text="telegram:zq_browser_case_desk")
    assert row.locator("td.num").inner_text() == "1"
    assert "1 other document" in page.inner_text("#network-summary")
    assert "someone called Ben" in page.inner_text("main")  # not recognised, said so
    shot(page, "cases-report-matches")

    # the person: located, then rescued; a jump the workflow refuses is explained
    page.click("text=Zq Browser Person")
    page.wait_for_url("**/app/cases/persons/P-*")
    page.select_option("#s-status", "located")
    page.fill("#s-note", "seen in a synthetic photo")
    page.click("#status-form button[type=submit]")
    page.wait_for_selector("text=reported → located")
    assert "rescued" in page.inner_text("#s-status")
    shot(page, "cases-person-timeline")

    page.goto(f"{server.url}/app/cases/statistics")
    assert page.locator("svg.map path.land").count() > 10
    shot(page, "cases-statistics")
    assert watch.problems == []


def test_need_to_know_in_the_browser(
    browser: Any, server: Server, watch: Watch, case_id: str
) -> None:
    page = new_page(browser, watch)
    login(page, server, "demo-admin")
    assert case_id not in page.inner_text("main")
    response = page.goto(f"{server.url}/app/cases/{case_id}")
    assert response is not None and response.status == 404
    watch.problems = [p for p in watch.problems if "404" not in p]  # the page we asked for
    assert watch.problems == []
