"""The server-rendered pages over a synthetic deployment: public check in two languages, the
report, login, workspace and admin pages, access rules and the no-inline-code rule of the CSP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tocsin.store.schema import datasets, document_datasets, documents, judgements
from tocsin.web.app import create_app

from .client import TestClient
from .world import World, build_world

JOB_AD = (
    "Synthetic test ad: customer service job in Sihanoukville, no experience needed, salary "
    "1500 USD per month, flight and visa paid. Contact Telegram @hr_synthetic_desk"
)
JOB_AD_VI = (
    "Quảng cáo thử nghiệm (tổng hợp): tuyển nhân viên chăm sóc khách hàng làm việc tại "
    "Sihanoukville, không cần kinh nghiệm, lương 1500 USD mỗi tháng, bao ăn ở, bao vé máy "
    "bay. Liên hệ Telegram @tuyendung_synthetic"
)
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    w = build_world(tmp_path_factory.mktemp("pages"))
    yield w
    w.store.close()


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings, world.store), base_url="https://testserver") as c:
        yield c


def login(client: TestClient, world: World, username: str) -> None:
    answer = client.post(
        "/login",
        data={"username": username, "password": world.passwords[username]},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def assert_no_inline_code(html: str) -> None:
    """CSP script-src/style-src 'self': no inline script, style block, style attribute or
    event handler attribute in any page."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html), "style attribute"
    assert not re.search(r"\son[a-z]+=", html), "event handler attribute"


def test_public_check_english(client: TestClient) -> None:
    page = client.get("/", headers=HTML)
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Is this job offer or message a trap?" in page.text
    assert_no_inline_code(page.text)
    answer = client.post("/check", data={"text": JOB_AD, "kind": "job_ad", "lang": "en"})
    assert answer.status_code == 200
    assert 'class="card verdict level-critical"' in answer.text or "level-high" in answer.text
    assert "What looks wrong" in answer.text
    assert re.search(r'<mark class="[^"]*sig[^"]*"[^>]*>[^<]*Sihanoukville', answer.text)
    assert re.search(
        r'<mark class="[^"]*selector[^"]*"[^>]*>@hr_synthetic_desk</mark>', answer.text
    )
    assert "Never send a photo of your passport" in answer.text
    assert "Report this to Tocsin demo (synthetic data)" in answer.text
    assert_no_inline_code(answer.text)


def test_public_check_vietnamese_from_accept_language(client: TestClient) -> None:
    page = client.get("/", headers={**HTML, "accept-language": "vi-VN,vi;q=0.9,en;q=0.5"})
    assert '<html lang="vi">' in page.text
    assert "Lời mời làm việc hay tin nhắn này có phải là cái bẫy?" in page.text
    answer = client.post("/check", data={"text": JOB_AD_VI, "kind": "job_ad", "lang": "vi"})
    assert answer.status_code == 200
    assert "Điều gì không ổn" in answer.text
    assert "Lương cao mà không cần kinh nghiệm" in answer.text  # translated indicator title
    assert "Không bao giờ gửi ảnh hộ chiếu" in answer.text
    assert "<mark" in answer.text


def test_language_switch_sets_a_cookie(client: TestClient) -> None:
    page = client.get("/?lang=th", headers=HTML)
    assert '<html lang="th">' in page.text
    assert client.cookies.get("tocsin_lang") == "th"
    again = client.get("/", headers=HTML)
    assert '<html lang="th">' in again.text


def test_partial_answer_is_the_verdict_alone(client: TestClient) -> None:
    answer = client.post("/check?partial=1", data={"text": JOB_AD, "kind": "job_ad"})
    assert answer.text.lstrip().startswith('<section class="card verdict')
    assert "<html" not in answer.text


def test_empty_and_too_long_texts_are_explained(client: TestClient) -> None:
    empty = client.post("/check", data={"text": "  ", "lang": "fr"})
    assert empty.status_code == 422
    assert "Collez un texte à vérifier." in empty.text
    long = client.post("/check", data={"text": "a" * 100_001, "lang": "en"})
    assert long.status_code == 422
    assert "too long" in long.text


def test_report_needs_consent_and_stores_the_text(client: TestClient, world: World) -> None:
    text = JOB_AD + " (report test)"
    refused = client.post("/report", data={"text": text, "kind": "job_ad", "lang": "en"})
    assert refused.status_code == 422
    assert "tick the box" in refused.text
    sent = client.post(
        "/report",
        data={"text": text, "kind": "job_ad", "lang": "en", "consent": "yes"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = client.get(sent.headers["location"], headers=HTML)
    reference = re.search(r"<code>([0-9a-f]{12})</code>", page.text)
    assert reference is not None
    with world.store.engine.connect() as conn:
        stored = conn.execute(
            select(datasets.c.name, datasets.c.marking)
            .join(document_datasets, document_datasets.c.dataset_pk == datasets.c.pk)
            .join(documents, documents.c.pk == document_datasets.c.document_pk)
            .where(documents.c.id.like(reference.group(1) + "%"))
        ).one()
    assert stored == (world.settings.public_report_dataset, world.settings.public_report_marking)


def test_workspace_needs_login(client: TestClient) -> None:
    answer = client.get("/app/search?q=x", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/app/search%3Fq%3Dx"
    page = client.get("/login", headers=HTML)
    assert 'name="password"' in page.text


def test_wrong_password(client: TestClient) -> None:
    answer = client.post("/login", data={"username": "demo-analyst", "password": "wrong-pass"})
    assert answer.status_code == 401
    assert "Wrong username or password." in answer.text


def test_workspace_pages(client: TestClient, world: World) -> None:
    login(client, world, "demo-analyst")
    dashboard = client.get("/app", headers=HTML)
    assert dashboard.status_code == 200
    assert 'data-chart="timeline"' in dashboard.text
    assert '<svg class="map"' in dashboard.text and "Sihanoukville" in dashboard.text
    assert_no_inline_code(dashboard.text)
    search = client.get("/app/search", params={"q": "salary", "level": ["high", "critical"]})
    assert search.status_code == 200
    doc_id = re.search(r"/app/documents/([0-9a-f]{64})", search.text)
    assert doc_id is not None
    document = client.get(f"/app/documents/{doc_id.group(1)}")
    assert document.status_code == 200
    assert "<mark" in document.text and 'data-graph-url="/api/v1/documents/' in document.text
    key = re.search(r'data-sel="([^"]+)"', document.text)
    assert key is not None
    selector = client.get(f"/app/selectors/{key.group(1)}")
    assert selector.status_code == 200
    assert 'class="timeline"' in selector.text
    clusters = client.get("/app/clusters")
    assert clusters.status_code == 200
    cluster_id = re.search(r"/app/clusters/(c-[0-9a-f]{12})", clusters.text)
    assert cluster_id is not None
    assert client.get(f"/app/clusters/{cluster_id.group(1)}").status_code == 200
    upload = client.get("/app/upload")
    assert 'id="upload-form"' in upload.text
    for page in (search, document, selector, clusters, upload):
        assert_no_inline_code(page.text)


def test_judgement_state_is_shown(client: TestClient, world: World) -> None:
    login(client, world, "demo-analyst")
    search = client.get("/app/search", params={"q": "Telegram"})
    doc_id = re.search(r"/app/documents/([0-9a-f]{64})", search.text)
    assert doc_id is not None
    document = client.get(f"/app/documents/{doc_id.group(1)}")
    key = re.search(r'data-sel="([^"]+)"', document.text)
    assert key is not None
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', document.text)
    assert csrf is not None
    answer = client.post(
        "/api/v1/judgements",
        json={
            "target": "link",
            "a": {"kind": "document", "id": doc_id.group(1)},
            "b": {"kind": "selector", "id": key.group(1)},
            "decision": "confirm",
        },
        headers={"X-CSRF-Token": csrf.group(1)},
    )
    assert answer.status_code == 201, answer.text
    again = client.get(f"/app/documents/{doc_id.group(1)}")
    assert '<span class="judged confirm" aria-live="polite">confirmed</span>' in again.text
    with world.store.engine.connect() as conn:
        assert conn.execute(
            select(judgements.c.who).where(judgements.c.a_id == doc_id.group(1))
        ).first() == ("demo-analyst",)


def test_unknown_document_is_a_404_page(client: TestClient, world: World) -> None:
    login(client, world, "demo-viewer")
    answer = client.get("/app/documents/" + "ab" * 32, headers=HTML)
    assert answer.status_code == 404
    assert "no such document" in answer.text


def test_admin_pages_are_for_admins(client: TestClient, world: World) -> None:
    login(client, world, "demo-analyst")
    assert client.get("/admin/users", headers=HTML).status_code == 403


def test_admin_settings_reach_the_public_page(client: TestClient, world: World) -> None:
    login(client, world, "demo-admin")
    page = client.get("/admin/settings")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    saved = client.post(
        "/admin/settings",
        data={
            "csrf_token": csrf.group(1),
            "organisation_name": "Synthetic Hotline Org",
            "hotline_name_0": "Synthetic helpline",
            "hotline_country_0": "kh",
            "hotline_phone_0": "+1 555 0199",
            "hotline_url_0": "https://help.example.org",
            "hotline_languages_0": "en, km",
            "hotline_name_1": "",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    public = client.get("/?lang=en", headers=HTML)
    assert "Synthetic helpline" in public.text and 'href="tel:+15550199"' in public.text
    assert "Synthetic Hotline Org" in public.text
    bad = client.post(
        "/admin/settings",
        data={"csrf_token": csrf.group(1), "hotline_name_0": "x", "hotline_url_0": "javascript:1"},
    )
    assert bad.status_code == 400


def test_admin_users_and_tokens(client: TestClient, world: World) -> None:
    login(client, world, "demo-admin")
    page = client.get("/admin/users")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    token = csrf.group(1)
    added = client.post(
        "/admin/users",
        data={"csrf_token": token, "username": "new-viewer", "password": "synthetic-pass-123"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    role = client.post(
        "/admin/users/new-viewer/role",
        data={"csrf_token": token, "role": "analyst"},
        follow_redirects=False,
    )
    assert role.status_code == 303
    assert "new-viewer" in client.get("/admin/users").text
    short = client.post(
        "/admin/users", data={"csrf_token": token, "username": "x2", "password": "short"}
    )
    assert short.status_code == 400
    made = client.post(
        "/admin/tokens",
        data={"csrf_token": token, "username": "demo-admin", "name": "sync", "days": "30"},
    )
    assert made.status_code == 200
    assert 'id="new-token"' in made.text


def test_form_post_without_csrf_is_refused(client: TestClient, world: World) -> None:
    login(client, world, "demo-admin")
    answer = client.post("/admin/settings", data={"organisation_name": "x"}, headers=HTML)
    assert answer.status_code == 403


def test_static_assets_exist(client: TestClient) -> None:
    page = client.get("/", headers=HTML)
    for path in re.findall(r'(?:src|href)="(/static/[^"?]+)', page.text):
        assert client.get(path).status_code == 200, path
    manifest = client.get("/static/vendor/MANIFEST.json").json()
    assert {"chart.js", "cytoscape", "world-atlas"} <= set(manifest)


def test_vendor_manifest_matches_files() -> None:
    import hashlib
    import json

    vendor = Path(__file__).resolve().parents[2] / "src/tocsin/web/static/vendor"
    manifest = json.loads((vendor / "MANIFEST.json").read_text())
    lock = json.loads((vendor.parents[4] / "frontend/package-lock.json").read_text())
    for package, entry in manifest.items():
        assert lock["packages"][f"node_modules/{package}"]["version"] == entry["version"]
        for name, digest in entry["files"].items():
            assert hashlib.sha256((vendor / package / name).read_bytes()).hexdigest() == digest
