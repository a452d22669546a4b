"""Login, logout, sessions, CSRF, API tokens and rate limits, with the audit rows they leave."""

from __future__ import annotations

from tocsin.access import audit, tokens, users
from tocsin.store import Store

from .conftest import PASSWORD, TestClient, World, client, make_app


def _login(c: TestClient, username: str = "an_ngo", password: str = PASSWORD) -> str:
    answer = c.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["csrf_token"]
    return token


def _actions(store: Store) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.target_id) for e in audit.entries(store.engine, limit=500)]


def test_login_sets_a_strict_session_cookie(world: World) -> None:
    c = client(world.app)
    answer = c.post("/api/v1/auth/login", json={"username": "an_ngo", "password": PASSWORD})
    assert answer.status_code == 200
    me = answer.json()
    assert me["logged_in"] and me["username"] == "an_ngo" and me["role"] == "analyst"
    assert me["organisation"] == "ngo" and me["via"] == "session" and me["csrf_token"]
    cookie = answer.headers["set-cookie"].lower()
    assert "tocsin_session=" in cookie
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie  # plain http on loopback: a laptop demo
    assert c.get("/api/v1/auth/me").json()["username"] == "an_ngo"
    assert ("an_ngo", "login", "an_ngo") in _actions(world.store)


def test_session_cookie_is_secure_off_loopback(sqlite_world: World) -> None:
    c = TestClient(sqlite_world.app, base_url="https://tocsin.example.org")
    answer = c.post("/api/v1/auth/login", json={"username": "an_ngo", "password": PASSWORD})
    assert "secure" in answer.headers["set-cookie"].lower()


def test_wrong_password_is_refused_and_audited(world: World) -> None:
    c = client(world.app)
    answer = c.post("/api/v1/auth/login", json={"username": "an_ngo", "password": "wrong-one!!"})
    assert answer.status_code == 401
    assert answer.json()["message"] == "wrong username or password"
    unknown = c.post("/api/v1/auth/login", json={"username": "nobody", "password": "x" * 12})
    assert unknown.json()["message"] == answer.json()["message"]
    actions = _actions(world.store)
    assert ("public", "login.failed", "an_ngo") in actions
    assert ("public", "login.failed", "nobody") in actions
    assert c.get("/api/v1/auth/me").json()["logged_in"] is False


def test_logout_ends_the_session(world: World) -> None:
    c = client(world.app)
    csrf = _login(c)
    refused = c.post("/api/v1/auth/logout")  # a session request without the token
    assert refused.status_code == 403
    answer = c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 204
    assert "tocsin_session=" in answer.headers["set-cookie"]
    assert c.get("/api/v1/auth/me").json()["logged_in"] is False
    assert ("an_ngo", "logout", "an_ngo") in _actions(world.store)


def test_csrf_guards_every_session_write(world: World) -> None:
    c = client(world.app)
    csrf = _login(c)
    body = {"dataset": "ds-csrf", "records": [{"text": "synthetic csrf test"}]}
    assert c.post("/api/v1/ingest", json=body).status_code == 403
    wrong = c.post("/api/v1/ingest", json=body, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403 and wrong.json()["error"] == "csrf"
    ok = c.post("/api/v1/ingest", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200
    cross = c.post(
        "/api/v1/ingest",
        json=body,
        headers={"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    assert c.get("/api/v1/search").status_code == 200  # reads need no token


def test_bearer_tokens_need_no_csrf_and_bad_ones_fail(world: World) -> None:
    c = world.client("analyst")
    body = {"dataset": "ds-token", "records": [{"text": "synthetic token test"}]}
    assert c.post("/api/v1/ingest", json=body).status_code == 200
    me = c.get("/api/v1/auth/me").json()
    assert me["via"] == "token" and me["username"] == "an_ngo"
    bad = client(world.app, "tocsin_deadbeef_not-a-real-token")
    assert bad.get("/api/v1/search").status_code == 401
    empty = client(world.app)
    empty.headers["Authorization"] = "Bearer "
    assert empty.get("/api/v1/search").status_code == 401


def test_revoked_token_and_disabled_user_lose_access(world: World) -> None:
    key = world.store.settings.secret_key
    token, info = tokens.create_token(world.store.engine, "v_ngo", "short-lived", secret=key)
    c = client(world.app, token)
    assert c.get("/api/v1/auth/me").json()["username"] == "v_ngo"
    tokens.revoke_token(world.store.engine, info.prefix, secret=key)
    assert c.get("/api/v1/auth/me").status_code == 401
    session = client(world.app)
    _login(session, "v_ngo")
    users.set_active(world.store.engine, "v_ngo", False, secret=key)
    assert session.get("/api/v1/auth/me").json()["logged_in"] is False
    assert world.client("viewer").get("/api/v1/search").status_code == 401


def test_login_is_rate_limited(sqlite_store: Store) -> None:
    app = make_app(sqlite_store, login_rate_limit="3/minute")
    c = client(app)
    for _ in range(3):
        c.post("/api/v1/auth/login", json={"username": "nobody", "password": "x" * 12})
    answer = c.post("/api/v1/auth/login", json={"username": "nobody", "password": "x" * 12})
    assert answer.status_code == 429
    assert answer.json()["error"] == "rate_limited"
    assert 1 <= int(answer.headers["retry-after"]) <= 60


def test_public_endpoints_are_rate_limited(sqlite_store: Store) -> None:
    app = make_app(sqlite_store, public_rate_limit="2/minute")
    c = client(app)
    for _ in range(2):
        assert c.post("/api/v1/scan", json={"text": "hello"}).status_code == 200
    scan = c.post("/api/v1/scan", json={"text": "hello"})
    assert scan.status_code == 429 and int(scan.headers["retry-after"]) >= 1
    report = c.post("/api/v1/public/report", json={"text": "synthetic report"})
    assert report.status_code == 429


def test_login_starts_a_new_session(world: World) -> None:
    c = client(world.app)
    _login(c)
    first = c.cookies["tocsin_session"]
    _login(c, "v_ngo")
    second = c.cookies["tocsin_session"]
    assert first != second
    stale = client(world.app)
    stale.cookies.set("tocsin_session", first)
    assert stale.get("/api/v1/auth/me").json()["logged_in"] is False
