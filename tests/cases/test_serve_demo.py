"""`tocsin serve --demo` loads the synthetic case demo once, with the demo users placed in its
team (analyst leads, admin member, viewer off it), so the case pages have something to show."""

from __future__ import annotations

from pathlib import Path

from tocsin.cases import Casebook
from tocsin.cases.demo import DEMO_TITLE
from tocsin.settings import Settings
from tocsin.store import open_store
from tocsin.web.app import create_app
from tocsin.web.demo import DEMO_CASE_TEAM, prepare_demo
from web.client import TestClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _login(app: object, username: str, password: str) -> TestClient:
    c = TestClient(app, base_url="http://127.0.0.1")  # type: ignore[arg-type]
    answer = c.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return c


def test_serve_demo_loads_the_case_demo_once_with_a_sensible_team(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'demo.db'}",
        public_rate_limit="10000/minute",
        login_rate_limit="10000/minute",
    )
    store = open_store(settings)
    lines: list[str] = []
    first = prepare_demo(store, settings, EXAMPLES, echo=lines.append, case_rows=80)
    assert first.case is not None and first.case_loaded
    assert any(first.case in line and "demo-viewer is not on it" in line for line in lines)
    second = prepare_demo(store, settings, EXAMPLES, echo=lambda _: None, case_rows=80)
    assert second.case == first.case and not second.case_loaded  # idempotent on restart
    book = Casebook(store)
    demo_cases = [c for c in book.cases.all() if c.title == DEMO_TITLE]
    assert len(demo_cases) == 1
    info = demo_cases[0]
    assert dict(info.members) == dict(DEMO_CASE_TEAM)
    assert info.persons >= 80 and info.operations == 6  # raids freed persons not reported

    app = create_app(settings, store)
    analyst = _login(app, "demo-analyst", second.passwords["demo-analyst"])
    admin = _login(app, "demo-admin", second.passwords["demo-admin"])
    viewer = _login(app, "demo-viewer", second.passwords["demo-viewer"])
    assert [c["id"] for c in analyst.get("/api/v1/cases").json()] == [first.case]
    assert [c["id"] for c in admin.get("/api/v1/cases").json()] == [first.case]
    assert viewer.get("/api/v1/cases").json() == []
    assert viewer.get(f"/api/v1/cases/{first.case}").status_code == 404

    stats = analyst.get("/api/v1/cases/statistics").json()
    assert stats["total"] is not None and stats["total"] >= 80
    assert len([c for c in stats["by_status"]["rows"] if c["count"]]) >= 2
    assert any(c["persons"] for c in stats["compounds"])  # the map has dots with counts
    page = analyst.get("/app/cases/statistics", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "in shelter" in page.text
    assert "KK Park" in analyst.get("/app/cases/compounds/kk-park").text
    dashboard = analyst.get(f"/app/cases/{first.case}").text
    assert "SYNTHETIC" in dashboard
    store.close()
