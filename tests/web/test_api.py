"""Every endpoint once with the answer it should give (the role × marking matrix is in
test_matrix.py, auth and CSRF in test_auth.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tocsin.access import audit
from tocsin.errors import ConfigError
from tocsin.settings import DEV_SECRET_KEY
from tocsin.store import Store
from tocsin.web.security import CSP

from .conftest import (
    ROOT,
    SHARED_KEY,
    TestClient,
    World,
    client,
    make_app,
    unique_key,
    web_settings,
)

LURE = (
    "URGENT customer service job in Sihanoukville, USD 2000 per month, no experience needed, "
    "flight and visa paid. Contact Telegram @hr_api_test_desk or WhatsApp +855 12 345 678."
)


def test_scan_explains_its_verdict(sqlite_world: World) -> None:
    c = client(sqlite_world.app)
    answer = c.post("/api/v1/scan", json={"text": LURE, "kind": "job_ad", "language": "en"})
    assert answer.status_code == 200
    verdict = answer.json()
    assert verdict["level"] in ("high", "critical") and verdict["risk"] >= 60
    assert verdict["signals"] and all(s["evidence"] for s in verdict["signals"])
    first = verdict["signals"][0]["evidence"][0]
    assert LURE[first["start"] : first["end"]] == first["text"]
    keys = {s["key"] for s in verdict["selectors"]}
    assert {"telegram:hr_api_test_desk", "whatsapp:+85512345678"} <= keys
    assert sqlite_world.store.search_count("hr_api_test_desk") == 0  # a scan stores nothing


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": "x" * 100_001},
        {"text": "hi", "kind": "spaceship"},
        {"text": "hi", "language": "not a language"},
        {"text": "hi", "unexpected": 1},
    ],
)
def test_scan_rejects_bad_requests_with_json(sqlite_world: World, body: dict[str, object]) -> None:
    answer = client(sqlite_world.app).post("/api/v1/scan", json=body)
    assert answer.status_code == 422
    data = answer.json()
    assert data["error"] == "invalid_request" and data["message"] and data["detail"]
    assert "Traceback" not in answer.text


def test_ingest_json_counts_and_is_idempotent(world: World) -> None:
    c = world.client("analyst")
    body = {
        "dataset": "ds-api",
        "marking": "green",
        "kind": "job_ad",
        "records": [{"text": LURE, "id": "r1", "title": "Synthetic ad"}, {"text": LURE}],
    }
    first = c.post("/api/v1/ingest", json=body).json()
    assert first["dataset"] == "ds-api" and first["marking"] == "green"
    assert (first["read"], first["new"], first["known"], first["errors"]) == (2, 1, 1, 0)
    again = c.post("/api/v1/ingest", json=body).json()
    assert (again["new"], again["known"]) == (0, 2)
    doc = c.get("/api/v1/search", params={"q": "hr_api_test_desk"}).json()["items"][0]
    assert doc["title"] == "Synthetic ad" and doc["marking"] == "green"
    entries = audit.entries(world.store.engine, limit=50, action="ingest")
    assert any(e.actor == "an_ngo" and e.target_id == "ds-api" for e in entries)


def test_ingest_file_upload_streams_records_and_names_bad_ones(world: World) -> None:
    c = world.client("analyst")
    lines = [json.dumps({"id": f"r{i}", "text": f"{LURE} Ref {i}."}) for i in range(1200)]
    lines.insert(5, "{not json")
    answer = c.post(
        "/api/v1/ingest",
        data={"dataset": "ds-upload", "marking": "amber", "kind": "job_ad"},
        files={"file": ("ads.jsonl", ("\n".join(lines) + "\n").encode(), "application/x-ndjson")},
    )
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert (out["read"], out["new"], out["errors"]) == (1200, 1200, 1)
    assert out["problems"][0]["place"] == "ads.jsonl:6"
    csv = "id,body\nm1,Synthetic message one about USDT deposit\n"
    answer = c.post(
        "/api/v1/ingest",
        data={"dataset": "ds-upload", "text_field": "body"},
        files={"file": ("msgs.csv", csv.encode(), "text/csv")},
    )
    assert answer.json()["new"] == 1


@pytest.mark.parametrize(
    ("data", "files", "status"),
    [
        ({"dataset": "ds-x"}, None, 415),
        ({}, {"file": ("a.txt", b"synthetic", "text/plain")}, 400),
        ({"dataset": "ds-x", "marking": "purple"}, {"file": ("a.txt", b"x", "text/plain")}, 400),
        ({"dataset": "ds-x", "input_format": "pdf"}, {"file": ("a.txt", b"x", "text/plain")}, 400),
        ({"dataset": "ds-x", "encoding": "nope"}, {"file": ("a.txt", b"x", "text/plain")}, 400),
    ],
)
def test_ingest_form_mistakes_are_400(
    sqlite_world: World, data: dict[str, str], files: dict[str, object] | None, status: int
) -> None:
    answer = sqlite_world.client("analyst").post("/api/v1/ingest", data=data, files=files)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"] in ("bad_request", "unsupported_media_type")


def test_body_limits(sqlite_world: World) -> None:
    c = sqlite_world.client("analyst")
    huge = b'{"text": "' + b"a" * 5_000_000 + b'"}'
    scan = c.post("/api/v1/scan", content=huge, headers={"Content-Type": "application/json"})
    assert scan.status_code == 413 and scan.json()["error"] == "too_large"
    assert scan.headers["content-security-policy"] == CSP
    big_file = b"synthetic " * 600_000  # 6 MB: accepted as an upload, too big as one document
    upload = c.post(
        "/api/v1/ingest",
        data={"dataset": "ds-big"},
        files={"file": ("big.txt", big_file, "text/plain")},
    )
    assert upload.status_code == 200, upload.text
    assert (upload.json()["read"], upload.json()["errors"]) == (0, 1)


def test_ingest_other_content_types_are_415(sqlite_world: World) -> None:
    answer = sqlite_world.client("analyst").post(
        "/api/v1/ingest", content=b"hello", headers={"Content-Type": "text/plain"}
    )
    assert answer.status_code == 415


def test_search_filters_and_paging(world: World) -> None:
    c = world.client("analyst")
    page = c.get("/api/v1/search", params={"q": "Sihanoukville", "limit": 2}).json()
    assert page["total"] == 4 and len(page["items"]) == 2 and page["limit"] == 2
    rest = c.get("/api/v1/search", params={"q": "Sihanoukville", "limit": 2, "offset": 2}).json()
    assert {i["id"] for i in page["items"]}.isdisjoint(i["id"] for i in rest["items"])
    assert c.get("/api/v1/search", params={"risk": "critical", "level": "low"}).json()["total"] == 0
    for params in (
        {"kind": "job_ad"},
        {"language": "en"},
        {"category": "recruitment_lure"},
        {"since": "2000-01-01"},
        {"until": "2999-01-01"},
        {"min_risk": 1},
        {"risk": "low"},
    ):
        assert c.get("/api/v1/search", params=params).json()["total"] == 4, params
    assert c.get("/api/v1/search", params={"until": "2000-01-01"}).json()["total"] == 0
    assert c.get("/api/v1/search", params={"limit": 0}).status_code == 422


def test_document_has_its_verdict_and_visible_datasets(world: World) -> None:
    doc_id = world.doc_ids["green"]
    doc = world.client("partner").get(f"/api/v1/documents/{doc_id}").json()
    assert doc["id"] == doc_id and doc["marking"] == "green"
    assert doc["datasets"] == [{"name": "ds-g", "marking": "green"}]
    assert doc["verdict"]["signals"] and doc["text"].startswith("Synthetic test ad g")
    assert client(world.app).get("/api/v1/documents/zz").status_code == 422


def test_reading_restricted_material_is_audited(world: World) -> None:
    before = len(audit.entries(world.store.engine, limit=1000))
    c = world.client("viewer")
    c.get(f"/api/v1/documents/{world.doc_ids['clear']}")
    assert len(audit.entries(world.store.engine, limit=1000)) == before  # CLEAR: no row
    c.get(f"/api/v1/documents/{world.doc_ids['amber+strict']}")
    last = audit.entries(world.store.engine, limit=1)[0]
    assert (last.actor, last.action, last.marking) == ("v_ngo", "read", "amber+strict")
    c.get("/api/v1/search", params={"q": "zqamarker"})
    last = audit.entries(world.store.engine, limit=1)[0]
    assert (last.action, last.marking) == ("search", "amber")
    c.get(f"/api/v1/selectors/{SHARED_KEY}")
    last = audit.entries(world.store.engine, limit=1)[0]
    assert (last.action, last.target_kind, last.marking) == ("read", "selector", "amber+strict")
    before = len(audit.entries(world.store.engine, limit=1000))
    client(world.app).get(f"/api/v1/selectors/{SHARED_KEY}")  # the public: CLEAR only
    assert len(audit.entries(world.store.engine, limit=1000)) == before
    cluster = c.get("/api/v1/clusters").json()["items"][0]["id"]
    c.get(f"/api/v1/clusters/{cluster}")
    assert audit.entries(world.store.engine, limit=1)[0].target_kind == "cluster"
    report = audit.verify(world.store.engine, world.store.settings.secret_key)
    assert report.ok, report


def test_selector_graph_is_cytoscape_elements(world: World) -> None:
    data = world.client("admin").get(f"/api/v1/selectors/{SHARED_KEY}?depth=1").json()
    assert data["key"] == SHARED_KEY and data["type"] == "telegram"
    assert data["documents"] == 4 and len(data["document_ids"]) == 4
    nodes = {n["data"]["id"]: n["data"] for n in data["graph"]["nodes"]}
    assert nodes[SHARED_KEY]["kind"] == "selector" and nodes[SHARED_KEY]["depth"] == 0
    docs = [n for n in nodes.values() if n["kind"] == "document"]
    assert len(docs) == 4 and all(d["risk"] is not None for d in docs)
    for edge in data["graph"]["edges"]:
        assert {edge["data"]["source"], edge["data"]["target"]} <= set(nodes)
    small = world.client("admin").get(f"/api/v1/selectors/{SHARED_KEY}?limit=2").json()
    assert small["graph"]["truncated"] and len(small["graph"]["nodes"]) == 2
    assert world.client("admin").get(f"/api/v1/selectors/{SHARED_KEY}?depth=3").status_code == 422
    url = "/api/v1/selectors/url:https://example.com/a/b"
    assert world.client("admin").get(url).status_code == 404


def test_path_clusters_entities_and_stats(world: World) -> None:
    c = world.client("analyst")
    path = c.get("/api/v1/path", params={"a": unique_key("green"), "b": unique_key("amber")})
    assert path.status_code == 200
    body = path.json()
    assert body["hops"] == 2 and body["nodes"][0]["id"] == unique_key("green")
    assert body["explanation"]
    none = c.get("/api/v1/path", params={"a": unique_key("green"), "b": "phone:+85599999999"})
    assert none.status_code == 404
    clusters = c.get("/api/v1/clusters").json()
    assert clusters["total"] == 1 and clusters["items"][0]["documents"] == 4
    detail = c.get(f"/api/v1/clusters/{clusters['items'][0]['id']}").json()
    assert len(detail["document_ids"]) == 4 and detail["graph"]["edges"]
    assert c.get("/api/v1/clusters/c-000000000000").status_code == 404
    entities = c.get("/api/v1/entities", params={"schema": "Document", "limit": 2}).json()
    assert entities["total"] == 4 and len(entities["items"]) == 2
    stats = c.get("/api/v1/stats").json()
    assert stats["documents"] == 4 and stats["datasets"] == 4
    assert {x["key"] for x in stats["levels"]} <= {"low", "medium", "high", "critical"}
    assert stats["per_day"] and stats["per_day"][0]["count"] == 4
    assert {x["key"] for x in stats["places"]} == {"sihanoukville"}
    assert stats["top_clusters"][0]["documents"] == 4


def test_judgement_rejecting_a_link_splits_the_cluster(world: World) -> None:
    c = world.client("analyst")
    body = {
        "target": "link",
        "a": {"kind": "document", "id": world.doc_ids["green"]},
        "b": {"kind": "selector", "id": SHARED_KEY},
        "decision": "reject",
        "why": "synthetic test",
    }
    answer = c.post("/api/v1/judgements", json=body)
    assert answer.status_code == 201 and answer.json()["who"] == "an_ngo"
    judged = world.store.link_source().judgements()
    assert (world.doc_ids["green"], SHARED_KEY) in judged.rejected_links
    wrong = {**body, "b": {"kind": "document", "id": world.doc_ids["clear"]}}
    assert c.post("/api/v1/judgements", json=wrong).status_code == 422


def test_export_streams_ftm_and_is_audited(world: World) -> None:
    answer = world.client("analyst").get("/api/v1/export")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    entities = [json.loads(line) for line in answer.text.splitlines()]
    assert {e["schema"] for e in entities} >= {"Document"}
    assert audit.entries(world.store.engine, limit=1, action="export")[0].actor == "an_ngo"


def test_public_report_is_stored_amber_strict_for_the_deployment(world: World) -> None:
    c = client(world.app)
    answer = c.post("/api/v1/public/report", json={"text": LURE + " (reported)", "kind": "job_ad"})
    assert answer.status_code == 200
    receipt = answer.json()
    assert receipt["received"] and len(receipt["reference"]) == 12
    assert "tocsin_session" not in answer.headers.get("set-cookie", "")
    settings = world.store.settings
    access = world.store.as_principal(world.store.principal)
    hits = access.search("reported", None)
    assert hits and hits[0]["id"].startswith(receipt["reference"])
    assert hits[0]["marking"] == "amber+strict"
    last = audit.entries(world.store.engine, limit=1, action="public_report")[0]
    assert last.actor == "public" and last.detail["dataset"] == settings.public_report_dataset
    assert client(world.app).get("/api/v1/search", params={"q": "reported"}).json()["total"] == 0


def test_admin_manages_users_tokens_datasets_settings(world: World) -> None:
    c = world.client("admin")
    made = c.post("/api/v1/admin/users", json={"username": "new_ngo", "role": "analyst"})
    assert made.status_code == 201
    password = made.json()["password"]
    assert password and made.json()["user"]["organisation"] == "ngo"
    login = client(world.app).post(
        "/api/v1/auth/login", json={"username": "new_ngo", "password": password}
    )
    assert login.status_code == 200
    assert (
        c.patch("/api/v1/admin/users/new_ngo", json={"role": "viewer"}).json()["role"] == "viewer"
    )
    assert c.patch("/api/v1/admin/users/ad_bank", json={"role": "viewer"}).status_code == 404
    token = c.post("/api/v1/admin/tokens", json={"username": "new_ngo", "name": "script"})
    assert token.status_code == 201
    prefix = token.json()["info"]["prefix"]
    assert (
        client(world.app, token.json()["token"]).get("/api/v1/auth/me").json()["role"] == "viewer"
    )
    assert any(t["prefix"] == prefix for t in c.get("/api/v1/admin/tokens").json())
    assert c.delete(f"/api/v1/admin/tokens/{prefix}").status_code == 204
    assert (
        c.post("/api/v1/admin/tokens", json={"username": "rd_bank", "name": "x"}).status_code == 404
    )
    datasets = {d["name"]: d for d in c.get("/api/v1/admin/datasets").json()}
    assert datasets["ds-r"]["readers"] == ["rd_bank"] and "police" in datasets["ds-a"]["partners"]
    changed = c.patch("/api/v1/admin/datasets/ds-g", json={"marking": "amber", "add_readers": []})
    assert changed.json()["marking"] == "amber"
    assert world.client("other").patch("/api/v1/admin/datasets/ds-g", json={}).status_code == 404
    orgs = {o["name"] for o in c.get("/api/v1/admin/organisations").json()}
    assert orgs == {"ngo", "police", "bank"}
    assert c.get("/api/v1/admin/audit", params={"limit": 5}).json()[0]["organisation"] == "ngo"


def test_only_the_deployment_organisation_edits_public_settings(web_store: Store) -> None:
    from tocsin.access import tokens, users

    key = web_store.settings.secret_key
    users.create_organisation(web_store.engine, "local", secret=key)
    users.create_organisation(web_store.engine, "elsewhere", secret=key)
    users.create_user(web_store.engine, "boss", "x" * 12, org="local", role="admin", secret=key)
    users.create_user(
        web_store.engine, "other", "x" * 12, org="elsewhere", role="admin", secret=key
    )
    app = make_app(web_store)
    boss = client(app, tokens.create_token(web_store.engine, "boss", "t", secret=key)[0])
    other = client(app, tokens.create_token(web_store.engine, "other", "t", secret=key)[0])
    body = {
        "organisation_name": "Synthetic Hotline NGO",
        "hotlines": [{"name": "Synthetic line", "phone": "+1 555 0100", "country": "KH"}],
    }
    assert other.put("/api/v1/admin/settings", json=body).status_code == 403
    assert boss.put("/api/v1/admin/settings", json=body).status_code == 200
    info = client(app).get("/api/v1/public/info").json()
    assert info["organisation_name"] == "Synthetic Hotline NGO"
    assert info["hotlines"][0]["name"] == "Synthetic line"
    bad = {"hotlines": [{"name": "x", "url": "javascript:alert(1)"}]}
    assert boss.put("/api/v1/admin/settings", json=bad).status_code == 422


def test_security_headers_everywhere(sqlite_world: World) -> None:
    c = client(sqlite_world.app)
    for answer in (
        c.get("/api/v1/search"),
        c.post("/api/v1/scan", json={"text": "hello"}),
        c.get("/openapi.json"),
        c.get("/docs"),
        c.get("/nowhere"),
        c.get("/static/vendor/swagger-ui-dist/swagger-ui.css"),
    ):
        assert answer.headers["content-security-policy"] == CSP, answer.url
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
    assert c.get("/api/v1/search").headers["cache-control"] == "no-store"


def test_openapi_and_local_swagger_ui(sqlite_world: World) -> None:
    c = client(sqlite_world.app)
    schema = c.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    paths = set(schema["paths"])
    for path in (
        "/api/v1/scan",
        "/api/v1/ingest",
        "/api/v1/search",
        "/api/v1/documents/{doc_id}",
        "/api/v1/selectors/{key}",
        "/api/v1/entities",
        "/api/v1/clusters",
        "/api/v1/clusters/{cluster_id}",
        "/api/v1/path",
        "/api/v1/judgements",
        "/api/v1/stats",
        "/api/v1/public/report",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
        "/api/v1/admin/users",
        "/api/v1/admin/tokens",
        "/api/v1/admin/settings",
    ):
        assert path in paths, path
    ingest = schema["paths"]["/api/v1/ingest"]["post"]["requestBody"]["content"]
    assert set(ingest) == {"application/json", "multipart/form-data"}
    page = c.get("/docs").text
    assert "http://" not in page and "https://" not in page and "<script>" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static/vendor/swagger-ui-dist/{asset}" in page
        assert c.get(f"/static/vendor/swagger-ui-dist/{asset}").status_code == 200
    assert "SwaggerUIBundle" in c.get("/docs/init.js").text


def test_errors_are_json_without_tracebacks(sqlite_world: World) -> None:
    app = sqlite_world.app

    @app.get("/api/v1/test-boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    c = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
    answer = c.get("/api/v1/test-boom")
    assert answer.status_code == 500
    assert answer.json()["error"] == "internal" and "reference" in answer.json()["message"]
    assert "passwd" not in answer.text and "Traceback" not in answer.text
    assert c.get("/api/v1/nothing").json()["error"] == "not_found"
    assert c.delete("/api/v1/search").json()["error"] == "method_not_allowed"
    bad_json = c.post(
        "/api/v1/scan", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 422 and bad_json.json()["error"] == "invalid_request"


def test_team_mode_refuses_default_secrets(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'team.db'}"
    from tocsin.web.app import create_app

    settings = web_settings(db_url, deployment_mode="team", secret_key=DEV_SECRET_KEY)
    with pytest.raises(ConfigError, match="secret key"):
        create_app(settings)
    with pytest.raises(ConfigError):
        create_app(web_settings(db_url, deployment_mode="team", secret_key="short"))


def test_create_app_includes_the_pages_when_installed(sqlite_store: Store) -> None:
    web_store = sqlite_store
    from tocsin.web.app import _pages_module, create_app

    app = create_app(web_store.settings, web_store)
    c = client(app)
    assert c.get("/api/v1/public/info").status_code == 200
    if _pages_module() is not None:
        page = c.get("/", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        missing = c.get("/no-such-page", headers={"Accept": "text/html"})
        assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
        assert missing.headers["content-security-policy"] == CSP
        api_missing = c.get("/api/v1/no-such-thing", headers={"Accept": "text/html"})
        assert api_missing.json()["error"] == "not_found"  # the API answers JSON regardless
    assert (ROOT / "src/tocsin/web/static/vendor/swagger-ui-dist/swagger-ui-bundle.js").is_file()


def test_concurrent_scans_are_batched() -> None:
    import asyncio

    from tocsin.detect.engine import default_engine
    from tocsin.model import Document
    from tocsin.web.api.scan import ScanBatcher

    engine = default_engine()
    calls: list[int] = []
    real = engine.scan_many

    class Counting(ScanBatcher):
        def _drain(self) -> None:
            calls.append(len(self._pending))
            super()._drain()

    async def run() -> list[int]:
        batcher = Counting(engine)
        texts = [f"{LURE} Ref {i}." for i in range(10)]
        verdicts = await asyncio.gather(*(batcher.scan(Document(t)) for t in texts))
        alone = await batcher.scan(Document(texts[0]))
        assert verdicts[0].risk == alone.risk == real([Document(texts[0])]).__next__().risk
        return [v.risk for v in verdicts]

    risks = asyncio.run(run())
    assert len(risks) == 10 and calls == [10, 1]
