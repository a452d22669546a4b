"""The cases API over HTTP: a report answered with its matches, 404 for anyone off the team,
403 for a viewer's write, 409 for a status change the workflow refuses, downloads."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import pytest
from PIL import Image

from cases.world import NAME, OFFER, World
from tocsin.access import tokens
from tocsin.web.app import create_app
from web.client import TestClient


@pytest.fixture
def api(world: World) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    app = create_app(world.store.settings, world.store)
    headers = {}
    for who in ("lead", "member", "viewer", "admin", "outsider"):
        token, _ = tokens.create_token(world.store.engine, who, "test")
        headers[who] = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        yield client, headers


def test_report_then_matches_then_status(
    world: World, api: tuple[TestClient, dict[str, dict[str, str]]]
) -> None:
    client, h = api
    body = {
        "person": {"name": NAME, "nationality": "VN", "languages": ["vi"]},
        "offer_text": OFFER,
        "recruiter_contacts": ["Telegram @hr_zq_desk"],
        "last_contact_at": "2025-01-02",
    }
    answer = client.post(f"/api/v1/cases/{world.case}/reports", json=body, headers=h["lead"])
    assert answer.status_code == 201, answer.text
    report = answer.json()["report"]
    assert "telegram:hr_zq_desk" in {s["key"] for s in answer.json()["matches"]["selectors"]}
    person = report["person"]
    got = client.get(f"/api/v1/cases/persons/{person}", headers=h["member"]).json()
    assert got["name"] == NAME and got["status"] == "reported"
    refused = client.post(
        f"/api/v1/cases/persons/{person}/status",
        json={"status": "repatriated"},
        headers=h["member"],
    )
    assert refused.status_code == 409 and "allowed next" in refused.json()["message"]
    moved = client.post(
        f"/api/v1/cases/persons/{person}/status",
        json={"status": "located", "note": "seen"},
        headers=h["member"],
    )
    assert moved.status_code == 200 and moved.json()["status"] == "located"
    viewer = client.post(
        f"/api/v1/cases/persons/{person}/status", json={"status": "rescued"}, headers=h["viewer"]
    )
    assert viewer.status_code == 403
    for who in ("admin", "outsider"):
        for path in (
            f"/api/v1/cases/{world.case}",
            f"/api/v1/cases/persons/{person}",
            f"/api/v1/cases/reports/{report['id']}/matches",
        ):
            assert client.get(path, headers=h[who]).status_code == 404, (who, path)
        assert client.get("/api/v1/cases", headers=h[who]).json() == []
    assert client.get("/api/v1/cases").status_code == 401


def test_operation_statistics_and_downloads(
    world: World, api: tuple[TestClient, dict[str, dict[str, str]]]
) -> None:
    client, h = api
    op = client.post(
        f"/api/v1/cases/{world.case}/operations",
        json={
            "kind": "raid",
            "date": str(date(2025, 2, 14)),
            "compound": "zq-compound",
            "nationalities": {"TH": 109, "PK": 50},
            "survivors": [{"nationality": "TH"}],
        },
        headers=h["lead"],
    )
    assert op.status_code == 201, op.text
    stats = client.get("/api/v1/cases/statistics", headers=h["lead"]).json()
    assert stats["freed_by_nationality"]["total"] == 159
    assert stats["by_nationality"]["total"] is None  # one person: fewer than k
    html = client.get("/api/v1/cases/statistics/report", headers=h["lead"])
    assert html.status_code == 200 and "attachment" in html.headers["content-disposition"]
    pdf = client.get("/api/v1/cases/statistics/report?format=pdf", headers=h["lead"])
    assert pdf.content.startswith(b"%PDF")
    csv = client.get("/api/v1/cases/export", headers=h["lead"])
    assert csv.status_code == 200 and csv.text.startswith("id,case,")
    assert client.get("/api/v1/cases/export", headers=h["viewer"]).status_code == 403


def test_import_upload(world: World, api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, h = api
    sheet = "Full name,Nationality\nZq Upload,VN\nZq Bad,Atlantis\n"
    answer = client.post(
        f"/api/v1/cases/{world.case}/import",
        files={"file": ("sheet.csv", sheet, "text/csv")},
        data={"mapping": '{"Full name": "name"}'},
        headers=h["lead"],
    )
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["reports"] == 1
    assert data["errors"] == [
        {"row": 3, "column": "Nationality", "message": data["errors"][0]["message"]}
    ]


def test_photo_upload_is_sniffed_and_encrypted(
    world: World, api: tuple[TestClient, dict[str, dict[str, str]]]
) -> None:
    client, h = api
    person = client.post(
        f"/api/v1/cases/{world.case}/persons",
        json={"person": {"nationality": "TH"}, "status": "rescued"},
        headers=h["lead"],
    ).json()["id"]
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 200, 30)).save(buffer, "PNG")  # a real (synthetic) PNG
    png = buffer.getvalue()
    put = client.put(
        f"/api/v1/cases/persons/{person}/photo",
        files={"file": ("x.jpg", png, "image/jpeg")},
        headers=h["lead"],
    )
    assert put.status_code == 200 and put.json()["has_photo"]
    got = client.get(f"/api/v1/cases/persons/{person}/photo", headers=h["member"])
    assert got.headers["content-type"] == "image/png"  # re-encoded: the same pixels
    assert Image.open(io.BytesIO(got.content)).convert("RGB").tobytes() == bytes([10, 200, 30]) * 48
    assert (
        client.get(f"/api/v1/cases/persons/{person}/photo", headers=h["admin"]).status_code == 404
    )
    bad = client.put(
        f"/api/v1/cases/persons/{person}/photo",
        files={"file": ("x.png", b"<svg onload=alert(1)>", "image/png")},
        headers=h["lead"],
    )
    assert bad.status_code == 400
    from sqlalchemy import text

    with world.store.engine.connect() as conn:
        raw = conn.execute(
            text("SELECT photo FROM persons WHERE id = :id"), {"id": person}
        ).scalar()
    assert raw.startswith("e1:k1:")
