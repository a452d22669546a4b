"""Web security in one place: headers, CSRF, cookies, rate limits.

Each piece is a plain ASGI middleware or a small class, so that it covers the API and the pages
alike without any route having to remember it:

- `SecurityHeadersMiddleware` sets a strict Content-Security-Policy and friends on every
  response (no inline script can run, nothing loads from another origin).
- `CsrfMiddleware` refuses a state-changing request made with the session cookie unless it
  carries the session's CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``);
  bearer-token requests are exempt (a browser never adds that header by itself). Any unsafe
  request that a browser marks as cross-site is refused too, which covers the login form and
  the public forms that have no session yet.
- `RateLimits` wraps the ``limits`` library (moving window, in memory or in Redis shared by
  every server process, ``TOCSIN_RATE_LIMIT_STORAGE``): a request over the limit gets 429 with
  ``Retry-After``.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import anyio
from limits import RateLimitItem, parse
from limits.errors import ConfigurationError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.requests import Request

from tocsin.errors import ConfigError

__all__ = [
    "CSP",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "CsrfMiddleware",
    "RateLimited",
    "RateLimits",
    "SecurityHeadersMiddleware",
    "client_ip",
    "cookie_secure",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE: Final = "tocsin_session"
CSRF_HEADER: Final = "x-csrf-token"
CSRF_FIELD: Final = "csrf_token"
UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_HEADERS: Final = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)
_LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost.localdomain"})


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cookie_secure(request: Request) -> bool:
    """Cookies are ``Secure`` except on plain http to a loopback address (a laptop demo)."""
    return not (request.url.scheme == "http" and _is_loopback(request.url.hostname))


def client_ip(request: Request) -> str:
    """The peer address (uvicorn's ``--proxy-headers`` puts a trusted proxy's client here)."""
    return request.client.host if request.client else "unknown"


# -- headers ------------------------------------------------------------------------------------


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response (and ``Cache-Control: no-store`` to API
    answers and to anything served to a logged-in session)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        private = path.startswith("/api/") or SESSION_COOKIE in Headers(scope=scope).get(
            "cookie", ""
        )
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in _HEADERS:
                    if name not in present:
                        headers.append((name, value))
                if private and not path.startswith("/static/"):
                    headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts and https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# -- CSRF ---------------------------------------------------------------------------------------

CsrfLookup = Callable[[str], str | None]
"""Given the session cookie's value, the CSRF token of that live session (None if no session)."""


def _cookie(headers: Headers, name: str) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:  # a malformed Cookie header: no session
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def _cross_site(headers: Headers) -> bool:
    """A browser says so (Sec-Fetch-Site), or the Origin names another host than Host."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc.lower() != headers.get("host", "").lower()


class CsrfMiddleware:
    """Refuses unsafe requests made with the session cookie without the session's CSRF token.

    The token comes in the ``X-CSRF-Token`` header (fetch) or the ``csrf_token`` field of a
    url-encoded or multipart form (a plain HTML form). ``exempt_paths`` (the login endpoints)
    need no token: logging in acts with the password, not with the session, and starts a new
    session; the cross-site refusal still applies to them. To read the field the body is spooled
    (in memory up to 1 MB, then to a temporary file) and replayed to the application unchanged.
    """

    SPOOL_MEMORY: Final = 1 << 20

    def __init__(
        self,
        app: ASGIApp,
        *,
        csrf_for_session: CsrfLookup,
        exempt_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.csrf_for_session = csrf_for_session
        self.exempt_paths = exempt_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if headers.get("authorization", "").lower().startswith("bearer "):
            await self.app(scope, receive, send)
            return
        if _cross_site(headers):
            await self._refuse(
                scope, receive, send, "cross-site requests cannot change anything here"
            )
            return
        session = _cookie(headers, SESSION_COOKIE)
        if session is None or scope.get("path") in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        expected = await anyio.to_thread.run_sync(self.csrf_for_session, session)
        if expected is None:
            # No live session behind the cookie: the request runs as the public, whose
            # endpoints need no token (and whose writes are rate-limited instead).
            await self.app(scope, receive, send)
            return
        given = headers.get(CSRF_HEADER)
        if given is not None:
            if hmac.compare_digest(given.encode(), expected.encode()):
                await self.app(scope, receive, send)
            else:
                await self._refuse(
                    scope, receive, send, "the CSRF token does not match this session"
                )
            return
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            await self._refuse(
                scope, receive, send, "send the session's CSRF token in the X-CSRF-Token header"
            )
            return
        with tempfile.SpooledTemporaryFile(max_size=self.SPOOL_MEMORY) as spool:
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                spool.write(message.get("body", b""))
                more = bool(message.get("more_body", False))
            size = spool.tell()
            spool.seek(0)
            given = await _form_token(scope, spool, content_type)
            if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
                await self._refuse(
                    scope, receive, send, "the form's CSRF token is missing or does not match"
                )
                return
            spool.seek(0)
            sent = 0
            done = False

            async def replay() -> Message:
                nonlocal sent, done
                if done:  # the body was replayed whole: what follows is the real disconnect
                    return await receive()
                chunk = spool.read(65536)
                sent += len(chunk)
                done = sent >= size
                return {"type": "http.request", "body": chunk, "more_body": not done}

            await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, message: str) -> None:
        from tocsin.web.errors import error_response  # errors imports RateLimited from here

        response = error_response(Request(scope, receive), 403, message, code="csrf")
        await response(scope, receive, send)


async def _form_token(scope: Scope, spool: Any, content_type: str) -> str | None:
    if content_type == "application/x-www-form-urlencoded":
        values = parse_qs(spool.read().decode("latin-1"), keep_blank_values=True)
        found = values.get(CSRF_FIELD)
        return found[0] if found else None

    async def chunks() -> Any:
        while chunk := spool.read(65536):
            yield chunk
        yield b""

    request = Request(scope)
    from starlette.formparsers import MultiPartException, MultiPartParser

    parser = MultiPartParser(request.headers, chunks(), max_files=1000, max_fields=1000)
    try:
        form = await parser.parse()
    except MultiPartException:
        return None
    try:
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    finally:
        await form.close()


# -- rate limits --------------------------------------------------------------------------------


class RateLimited(Exception):
    """Too many requests; ``retry_after`` is in whole seconds."""

    def __init__(self, retry_after: int, what: str) -> None:
        super().__init__(f"too many {what} requests; retry in {retry_after} s")
        self.retry_after = retry_after
        self.what = what


@dataclass(frozen=True)
class _Limit:
    name: str
    item: RateLimitItem


RATE_LIMIT_SCHEMES: Final = (
    "memory",
    "redis",
    "rediss",
    "redis+unix",
    "redis+sentinel",
    "redis+cluster",
)
"""Storages ``TOCSIN_RATE_LIMIT_STORAGE`` may name (the redis client is a dependency)."""

KEY_PREFIX: Final = "tocsin"
"""Prefix of the keys the limits keep in a shared storage."""

CONNECT_TIMEOUT_S: Final = 3.0
"""How long the first connection to a shared storage may take before startup gives up."""


def rate_limit_storage(url: str) -> Storage:
    """The ``limits`` storage named by ``url`` (``TOCSIN_RATE_LIMIT_STORAGE``), checked.

    Raises `ConfigError` naming the setting for an unknown scheme, a malformed URL or a Redis
    that does not answer — at startup, instead of a 500 at the first login.
    """
    scheme = url.partition("://")[0].lower()
    shown = _without_password(url)
    if "://" not in url or scheme not in RATE_LIMIT_SCHEMES:
        raise ConfigError(
            f"TOCSIN_RATE_LIMIT_STORAGE={shown!r} is not a storage for rate limits",
            hint="use memory:// (one process) or redis://host:6379/0 (shared by all processes)",
        )
    if scheme == "memory":
        return MemoryStorage()
    try:
        storage = storage_from_string(
            url, key_prefix=KEY_PREFIX, socket_connect_timeout=CONNECT_TIMEOUT_S
        )
        answered = storage.check()
    except (ConfigurationError, ValueError) as exc:
        raise ConfigError(
            f"TOCSIN_RATE_LIMIT_STORAGE={shown!r} cannot be used: {exc}",
            hint="a Redis URL reads redis://host:port/db, e.g. redis://127.0.0.1:6379/0",
        ) from None
    if not isinstance(storage, Storage):  # the schemes allowed are all synchronous
        raise ConfigError(f"TOCSIN_RATE_LIMIT_STORAGE={shown!r} is an asynchronous storage")
    if not answered:
        raise ConfigError(
            f"TOCSIN_RATE_LIMIT_STORAGE: the rate-limit storage at {shown} does not answer",
            hint="start Redis (redis-cli ping should print PONG), or fix the URL",
        )
    return storage


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


class RateLimits:
    """Named moving-window limits (``"30/minute"`` strings).

    ``storage`` is where the counts live: ``memory://`` (the default) keeps them in this
    process, right for one server process (``tocsin serve``); a Redis URL shares them between
    every process and host using it, so a client over the limit on one is over it on all.
    """

    def __init__(self, storage: str = "memory://", **limits: str) -> None:
        self._storage = rate_limit_storage(storage)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._limits = {name: _Limit(name, parse(spec)) for name, spec in limits.items()}

    def hit(self, name: str, *identifiers: str) -> None:
        """Count one request against limit ``name``; raises `RateLimited` when over it."""
        limit = self._limits[name]
        if not self._limiter.hit(limit.item, name, *identifiers):
            stats = self._limiter.get_window_stats(limit.item, name, *identifiers)
            retry = max(1, math.ceil(stats.reset_time - time.time()))
            raise RateLimited(retry, name)

    def reset(self) -> None:
        self._storage.reset()
