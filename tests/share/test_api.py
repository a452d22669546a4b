"""Sharing over the REST API: export, import, hash sets and match, as the caller."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fastapi import FastAPI

from tocsin.access import audit, tokens, users
from tocsin.settings import Settings
from tocsin.share.hashes import new_keyring, save_keyring, write_hashset
from tocsin.store import Store, open_store
from web.client import TestClient  # starlette's, imported without its warning

from .world import TAGS, fill

PASSWORD = "synthetic-password-123"


def _app(store: Store) -> FastAPI:
    from tocsin.web.api import share as share_api
    from tocsin.web.api import sync as sync_api
    from tocsin.web.app import create_app

    app = create_app(store.settings, store)
    paths = {getattr(r, "path", "") for r in app.routes}
    if "/api/v1/share/export" not in paths:  # until web/api includes the routers
        app.include_router(share_api.router, prefix="/api/v1")
    if "/api/v1/sync/changes" not in paths:
        app.include_router(sync_api.router, prefix="/api/v1")
    return app


@pytest.fixture
def ngo(tmp_path: Path) -> Store:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'ngo.db'}",
        organisation="ngo",
        share_keys_dir=str(tmp_path / "keys"),
    )
    store = open_store(settings)
    fill(store)
    return store


def _client(store: Store, username: str, org: str, role: str = "analyst") -> TestClient:
    users.create_user(store.engine, username, PASSWORD, org=org, role=role)
    token, _ = tokens.create_token(store.engine, username, "api")
    return TestClient(_app(store), headers={"Authorization": f"Bearer {token}"})


def _markers(data: bytes) -> set[str]:
    return {m for m, tag in TAGS.items() if f"zq{tag}0marker".encode() in data}


def test_export_as_the_caller(ngo: Store) -> None:
    police = _client(ngo, "p_an", "police")
    answer = police.get("/api/v1/share/export", params={"format": "stix"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/stix+json")
    assert _markers(answer.content) == {"clear", "green", "amber"}
    bank = _client(ngo, "b_an", "bank")
    assert _markers(bank.get("/api/v1/share/export", params={"format": "misp"}).content) == {
        "clear",
        "green",
    }
    ngo_user = _client(ngo, "n_an", "ngo")
    own = ngo_user.get("/api/v1/share/export", params={"format": "ftm", "to": "bank"}).content
    assert _markers(own) == {"clear", "green"}  # AMBER does not name bank; RED never leaves
    viewer = _client(ngo, "n_v", "ngo", role="viewer")
    assert viewer.get("/api/v1/share/export").status_code == 403
    exports = [e for e in audit.entries(ngo.engine) if e.action == "export"]
    assert {e.actor for e in exports} == {"p_an", "b_an", "n_an"}


def test_import_and_match(ngo: Store, tmp_path: Path) -> None:
    police = _client(ngo, "p_an", "police")
    bundle = police.get("/api/v1/share/export", params={"format": "stix"}).content
    other = open_store(
        Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", organisation="police")
    )
    users.create_organisation(other.engine, "police")
    analyst = _client(other, "local_an", "police")
    answer = analyst.post(
        "/api/v1/share/import",
        files={"file": ("ngo.stix.json", bundle, "application/json")},
        data={"dataset": "from-ngo", "marking": "amber"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["documents_new"] == 6 and answer.json()["problems"] == []
    again = analyst.post(
        "/api/v1/share/import",
        files={"file": ("ngo.stix.json", bundle, "application/json")},
        data={"dataset": "from-ngo"},
    )
    assert again.json()["documents_known"] == 6
    # a hash set made by a third party with the community key, matched by the caller
    ring = new_keyring("mekong-2026")
    save_keyring(ring, Path(ngo.settings.share_keys_dir or "") / "mekong-2026.key")
    out = io.BytesIO()
    write_hashset(out, ["telegram:hr_a0_desk", "telegram:hr_r0_desk", "telegram:nobody"], ring)
    matched = police.post(
        "/api/v1/share/match",
        files={"file": ("their.hashes", out.getvalue(), "text/plain")},
        data={"community": "mekong-2026"},
    )
    assert matched.status_code == 200, matched.text
    # police sees the AMBER handle; the RED one stays invisible even to a match
    assert matched.json()["matched"] == ["telegram:hr_a0_desk"]
    hashes = police.get("/api/v1/share/hashes", params={"community": "mekong-2026"})
    assert hashes.status_code == 200 and json.loads(hashes.content.splitlines()[0])["count"] == 5
    refused = police.get(
        "/api/v1/share/hashes", params={"community": "mekong-2026", "tlp": "amber"}
    )
    assert refused.status_code == 400
    other.close()
