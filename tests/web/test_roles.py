"""Role checks and writes at the HTTP layer (a world of its own: these tests add data)."""

from __future__ import annotations

import pytest

from .conftest import EXPECTED, TAGS, World, dataset_for, unique_key

WHO = list(EXPECTED)
ROLE_OF = {"public": "public", "viewer": "viewer", "reader": "viewer", "analyst": "analyst"}
ROLE_OF.update({"partner": "analyst", "admin": "admin", "other": "admin"})


@pytest.mark.parametrize("who", WHO)
def test_writes_and_admin_need_their_role(shared_world: World, who: str) -> None:
    c = shared_world.client(who)
    role = ROLE_OF[who]
    denied = 401 if role == "public" else 403
    export = c.get("/api/v1/export")
    assert export.status_code == (200 if role in ("analyst", "admin") else denied)
    ingest = c.post(
        "/api/v1/ingest",
        json={"dataset": f"ds-new-{who}", "records": [{"text": "synthetic note"}]},
    )
    assert ingest.status_code == (200 if role in ("analyst", "admin") else denied)
    admin = c.get("/api/v1/admin/users")
    assert admin.status_code == (200 if role == "admin" else denied)
    if role == "admin":
        names = {u["username"] for u in admin.json()}
        org_users = {"ngo": {"v_ngo", "an_ngo", "ad_ngo"}, "bank": {"ad_bank", "rd_bank"}}
        assert names == org_users["ngo" if who == "admin" else "bank"]


@pytest.mark.parametrize("who", ["analyst", "partner", "viewer", "public"])
def test_judgements_on_invisible_nodes_are_not_found(shared_world: World, who: str) -> None:
    c = shared_world.client(who)
    role = ROLE_OF[who]
    for marking in TAGS:
        body = {
            "target": "link",
            "a": {"kind": "document", "id": shared_world.doc_ids[marking]},
            "b": {"kind": "selector", "id": unique_key(marking)},
            "decision": "unsure",
        }
        answer = c.post("/api/v1/judgements", json=body)
        if role == "public":
            assert answer.status_code == 401
        elif role == "viewer":
            assert answer.status_code == 403
        else:
            expected = 201 if marking in EXPECTED[who] else 404
            assert answer.status_code == expected, (who, marking, answer.json())


def test_another_organisations_dataset_cannot_be_written(shared_world: World) -> None:
    partner = shared_world.client("partner")  # sees ds-a (AMBER partner), does not own it
    seen = partner.post(
        "/api/v1/ingest",
        json={"dataset": dataset_for("amber"), "records": [{"text": "synthetic x"}]},
    )
    assert seen.status_code == 403
    unseen = partner.post(
        "/api/v1/ingest",
        json={"dataset": dataset_for("red"), "records": [{"text": "synthetic y"}]},
    )
    assert unseen.status_code == 409
    assert "red" not in unseen.text.lower().replace(dataset_for("red"), "")
