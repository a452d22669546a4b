"""The security middleware on a bare Starlette app: headers, CSRF, rate limits."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tocsin.web.security import (
    CSP,
    SESSION_COOKIE,
    CsrfMiddleware,
    RateLimited,
    RateLimits,
    SecurityHeadersMiddleware,
    cookie_secure,
)

from .client import TestClient

SESSIONS = {"good-cookie": "the-csrf-token"}


async def echo(request: Request) -> JSONResponse:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/", "application/x-www-form-urlencoded")):
        async with request.form() as form:
            data = {
                k: (v if isinstance(v, str) else f"file:{(await v.read()).decode()}")
                for k, v in form.multi_items()
            }
        return JSONResponse({"form": data})
    return JSONResponse({"body": (await request.body()).decode()})


def make_client() -> TestClient:
    app = Starlette(routes=[Route("/echo", echo, methods=["GET", "POST", "DELETE"])])
    app.add_middleware(CsrfMiddleware, csrf_for_session=SESSIONS.get)
    app.add_middleware(SecurityHeadersMiddleware)
    return TestClient(app, base_url="https://testserver")


def test_headers_on_every_response() -> None:
    client = make_client()
    response = client.get("/echo")
    assert response.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    missing = client.get("/nowhere")
    assert missing.status_code == 404
    assert missing.headers["content-security-policy"] == CSP


def test_public_post_needs_no_token() -> None:
    response = make_client().post("/echo", content=b"hello")
    assert response.status_code == 200
    assert response.json() == {"body": "hello"}


def test_session_post_without_token_is_refused() -> None:
    client = make_client()
    client.cookies.set(SESSION_COOKIE, "good-cookie")
    response = client.post("/echo", json={"a": 1})
    assert response.status_code == 403
    assert response.json()["error"] == "csrf"
    assert client.delete("/echo").status_code == 403


def test_session_post_with_header_token() -> None:
    client = make_client()
    client.cookies.set(SESSION_COOKIE, "good-cookie")
    ok = client.post("/echo", content=b"x", headers={"X-CSRF-Token": "the-csrf-token"})
    assert ok.status_code == 200
    bad = client.post("/echo", content=b"x", headers={"X-CSRF-Token": "guess"})
    assert bad.status_code == 403


def test_session_form_with_field_token_is_replayed_whole() -> None:
    client = make_client()
    client.cookies.set(SESSION_COOKIE, "good-cookie")
    ok = client.post("/echo", data={"csrf_token": "the-csrf-token", "text": "é" * 10})
    assert ok.status_code == 200
    assert ok.json()["form"] == {"csrf_token": "the-csrf-token", "text": "é" * 10}
    bad = client.post("/echo", data={"csrf_token": "wrong", "text": "x"})
    assert bad.status_code == 403
    missing = client.post("/echo", data={"text": "x"})
    assert missing.status_code == 403


def test_session_multipart_upload_with_field_token() -> None:
    client = make_client()
    client.cookies.set(SESSION_COOKIE, "good-cookie")
    big = "line of a synthetic upload\n" * 100_000  # beyond the in-memory spool
    ok = client.post(
        "/echo",
        data={"csrf_token": "the-csrf-token"},
        files={"file": ("ads.txt", big.encode(), "text/plain")},
    )
    assert ok.status_code == 200
    assert ok.json()["form"]["file"] == "file:" + big
    bad = client.post(
        "/echo", data={"csrf_token": "nope"}, files={"file": ("a.txt", b"x", "text/plain")}
    )
    assert bad.status_code == 403


def test_bearer_requests_are_exempt() -> None:
    client = make_client()
    client.cookies.set(SESSION_COOKIE, "good-cookie")
    response = client.post("/echo", content=b"x", headers={"Authorization": "Bearer abc"})
    assert response.status_code == 200


def test_stale_cookie_runs_as_public() -> None:
    client = make_client()
    client.cookies.set(SESSION_COOKIE, "expired")
    assert client.post("/echo", content=b"x").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example.com"},
        {"Origin": "null"},
    ],
)
def test_cross_site_unsafe_requests_are_refused(headers: dict[str, str]) -> None:
    response = make_client().post("/echo", content=b"x", headers=headers)
    assert response.status_code == 403


def test_same_origin_is_allowed() -> None:
    client = make_client()
    ok = client.post("/echo", content=b"x", headers={"Origin": "https://testserver"})
    assert ok.status_code == 200
    ok = client.post("/echo", content=b"x", headers={"Sec-Fetch-Site": "same-origin"})
    assert ok.status_code == 200


def test_rate_limits_report_retry_after() -> None:
    limits = RateLimits(public="3/minute")
    for _ in range(3):
        limits.hit("public", "10.0.0.1")
    with pytest.raises(RateLimited) as caught:
        limits.hit("public", "10.0.0.1")
    assert 1 <= caught.value.retry_after <= 60
    limits.hit("public", "10.0.0.2")  # another address has its own window


@pytest.mark.parametrize(
    ("url", "secure"),
    [
        ("http://127.0.0.1:8000/", False),
        ("http://localhost:8000/", False),
        ("http://[::1]:8000/", False),
        ("https://127.0.0.1/", True),
        ("http://tocsin.example.org/", True),
        ("https://tocsin.example.org/", True),
    ],
)
def test_cookies_are_secure_except_on_loopback_http(url: str, secure: bool) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    scope = {
        "type": "http",
        "scheme": parts.scheme,
        "server": (parts.hostname, parts.port or 80),
        "path": "/",
        "query_string": b"",
        "headers": [(b"host", parts.netloc.encode())],
    }
    assert cookie_secure(Request(scope)) is secure
