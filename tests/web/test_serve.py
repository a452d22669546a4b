"""`tocsin serve`: the demo is idempotent and prints its users once; demo stays on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tocsin.access import users
from tocsin.cli import cli
from tocsin.errors import InputError
from tocsin.store import Store
from tocsin.web.demo import DEMO_USERS, find_examples, prepare_demo

from .conftest import ROOT, client, make_app


def test_demo_loads_examples_once_and_renews_passwords(web_store: Store) -> None:
    lines: list[str] = []
    first = prepare_demo(
        web_store, web_store.settings, ROOT / "examples", echo=lines.append, cases=False
    )
    assert first.documents_read == first.documents_new > 50
    assert any("synthetic" in line for line in lines)
    for username, _role in DEMO_USERS:
        assert any(username in line and first.passwords[username] in line for line in lines)
    second = prepare_demo(
        web_store, web_store.settings, ROOT / "examples", echo=lambda _: None, cases=False
    )
    assert second.documents_new == 0 and second.documents_read == first.documents_read
    assert second.passwords != first.passwords
    app = make_app(web_store)
    c = client(app)
    old = c.post(
        "/api/v1/auth/login",
        json={"username": "demo-analyst", "password": first.passwords["demo-analyst"]},
    )
    assert old.status_code == 401
    me = c.post(
        "/api/v1/auth/login",
        json={"username": "demo-analyst", "password": second.passwords["demo-analyst"]},
    ).json()
    assert me["role"] == "analyst" and me["organisation"] == web_store.settings.organisation
    total = c.get("/api/v1/search").json()["total"]
    assert total == first.documents_read  # green, amber and amber+strict of its organisation
    assert client(app).get("/api/v1/search").json()["total"] == 0  # the public: nothing CLEAR
    info = client(app).get("/api/v1/public/info").json()
    assert "synthetic" in info["organisation_name"]
    roles = {u.username: u.role for u in users.list_users(web_store.engine)}
    assert roles == dict(DEMO_USERS)


def test_find_examples_names_what_is_missing(tmp_path: Path) -> None:
    assert find_examples(ROOT / "examples") == ROOT / "examples"
    with pytest.raises(InputError, match="examples"):
        find_examples(tmp_path)


def test_serve_demo_refuses_a_public_address() -> None:
    result = CliRunner().invoke(cli, ["serve", "--demo", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "loopback" in result.output


def test_serve_runs_uvicorn_with_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        seen["app"], seen["options"] = app, options

    monkeypatch.setattr(uvicorn, "run", fake_run)
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    result = CliRunner().invoke(cli, ["serve", "--port", "8123", "--database", url])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/" in result.output
    assert seen["options"]["host"] == "127.0.0.1" and seen["options"]["port"] == 8123
    assert seen["app"].title == "Tocsin API"


def test_serve_workers_need_shared_rate_limits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Several processes counting limits in their own memory would each allow the full rate."""
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *_a, **_k: pytest.fail("the server started"))
    monkeypatch.delenv("TOCSIN_RATE_LIMIT_STORAGE", raising=False)
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    result = CliRunner().invoke(cli, ["serve", "--workers", "2", "--database", url])
    assert result.exit_code == 2
    assert "TOCSIN_RATE_LIMIT_STORAGE=redis://" in result.output
