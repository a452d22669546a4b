"""The product in a real browser: the public check in English and Vietnamese (with and without
JavaScript), the report, sign-in, upload with progress, search, a document, a selector's graph
and timeline, confirming a link, the dashboard and the admin pages. No console error, no CSP
violation, no failed request on any page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tocsin.store.schema import judgements

from .conftest import Server, Watch, login_at, new_page, shot

JOB_AD_EN = (
    "Synthetic test ad: customer service job in Sihanoukville, no experience needed, salary "
    "1500 USD per month, food and lodging included, flight and visa paid. Send a photo of "
    "your passport to Telegram @hr_browser_desk"
)
JOB_AD_VI = (
    "Quảng cáo thử nghiệm (tổng hợp): tuyển nhân viên chăm sóc khách hàng làm việc tại "
    "Sihanoukville, không cần kinh nghiệm, lương 1500 USD mỗi tháng, bao ăn ở, bao vé máy "
    "bay. Liên hệ Telegram @tuyendung_browser"
)


def check(page: Any, server: Server, lang: str, text: str) -> None:
    page.goto(f"{server.url}/?lang={lang}")
    page.fill("#check-text", text)
    page.check("input[name=kind][value=job_ad]")
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#verdict")


def test_public_check_in_english_and_report(browser: Any, server: Server, watch: Watch) -> None:
    page = new_page(browser, watch)
    check(page, server, "en", JOB_AD_EN)
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text(".verdict-title").startswith("Danger")
    assert page.locator("#marked-text mark.sig").count() >= 3
    assert page.locator("#marked-text mark.selector").count() == 1
    assert "Never send a photo of your passport" in page.inner_text(".advice-card")
    page.hover(".finding >> nth=0")
    shot(page, "public-check-en")
    page.check("input[name=consent]")
    page.click(".report-form button[type=submit]")
    page.wait_for_selector("#report-sent")
    assert "Thank you" in page.inner_text("h1")
    shot(page, "public-report-sent")
    assert watch.problems == []


def test_public_check_in_vietnamese(browser: Any, server: Server, watch: Watch) -> None:
    page = new_page(browser, watch)
    check(page, server, "vi", JOB_AD_VI)
    assert page.get_attribute("html", "lang") == "vi"
    assert "Lời mời làm việc hay tin nhắn này có phải là cái bẫy?" in page.inner_text("h1")
    assert page.inner_text(".why h2") == "Điều gì không ổn"
    assert "Lương cao mà không cần kinh nghiệm" in page.inner_text(".why")
    assert page.locator("#marked-text mark.sig").count() >= 2
    shot(page, "public-check-vi")
    mobile = new_page(browser, watch, viewport={"width": 390, "height": 844}, is_mobile=True)
    check(mobile, server, "vi", JOB_AD_VI)
    shot(mobile, "public-check-vi-mobile")
    assert watch.problems == []


def test_public_check_without_javascript(browser: Any, server: Server, watch: Watch) -> None:
    page = new_page(browser, watch, java_script_enabled=False)
    check(page, server, "fr", JOB_AD_EN)
    assert page.inner_text(".why h2") == "Ce qui ne va pas"
    assert page.locator("#marked-text mark").count() >= 3
    assert watch.problems == []


def login(page: Any, server: Server, username: str) -> None:
    login_at(page, server, username, "/app")


def test_workspace_flow(browser: Any, server: Server, watch: Watch, tmp_path: Path) -> None:
    page = new_page(browser, watch)
    login(page, server, "demo-analyst")
    page.wait_for_function("document.querySelectorAll('canvas.chart').length >= 3")
    page.wait_for_function("window.Chart && Object.keys(Chart.instances).length >= 3")
    assert page.locator("svg.map path.land").count() > 10
    shot(page, "dashboard")

    # upload a file with progress
    upload = tmp_path / "synthetic-upload.jsonl"
    records = [
        {
            "id": f"up-{i}",
            "text": f"Synthetic upload zqbrowsermarker {i}: hiring typist in Poipet, salary "
            f"{1200 + i * 100} USD per month, no experience, visa paid. WhatsApp +855 12 777 90{i}"
            " or Telegram @zq_upload_recruiter",
        }
        for i in range(3)
    ]
    upload.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    page.goto(f"{server.url}/app/upload")
    page.fill("#dataset", "browser-upload")
    page.set_input_files("#file", str(upload))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-result .form-ok")
    assert "3 new documents" in page.inner_text("#upload-result")
    assert page.get_attribute("#upload-bar", "value") == "100"
    shot(page, "upload")

    # search, open a document
    page.goto(f"{server.url}/app/search?q=zqbrowsermarker")
    assert page.inner_text(".results-meta").startswith("3 documents")
    shot(page, "search")
    page.click("#results table a >> nth=0")
    page.wait_for_selector(".doc-text mark.sig")
    page.wait_for_selector(".graph.ready")
    shot(page, "document")

    # follow the shared Telegram selector into its graph
    page.click("a[href='/app/selectors/telegram:zq_upload_recruiter']")
    page.wait_for_selector("#selector-graph.ready")
    nodes = int(page.get_attribute("#selector-graph", "data-nodes") or "0")
    assert nodes >= 4  # the selector, three documents, their other selectors
    assert page.locator("#selector-graph canvas").count() >= 1
    assert page.locator(".timeline li").count() == 3
    shot(page, "selector-graph")

    # confirm a link
    first = page.locator(".timeline .judge").first
    doc_id = first.get_attribute("data-doc")
    first.locator("button[data-decision=confirm]").click()
    page.wait_for_selector(".timeline .judged.confirm")
    assert first.locator(".judged").inner_text() == "confirmed"
    with server.world.store.engine.connect() as conn:
        row = conn.execute(
            select(judgements.c.decision, judgements.c.who, judgements.c.b_id).where(
                judgements.c.a_id == doc_id
            )
        ).first()
    assert row is not None
    assert tuple(row) == ("confirm", "demo-analyst", "telegram:zq_upload_recruiter")

    page.goto(f"{server.url}/app/clusters")
    page.click("table a >> nth=0")
    page.wait_for_selector(".graph.ready")
    shot(page, "cluster")
    assert watch.problems == []


def test_admin_pages(browser: Any, server: Server, watch: Watch) -> None:
    page = new_page(browser, watch)
    login(page, server, "demo-admin")
    page.goto(f"{server.url}/admin/users")
    assert page.locator("table.data tbody tr").count() >= 3
    shot(page, "admin-users")
    page.goto(f"{server.url}/admin/settings")
    shot(page, "admin-settings")
    assert watch.problems == []
