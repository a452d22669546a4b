"""FastAPI dependencies shared by the API and the pages: settings, store, scanner, who is
asking (`current_principal`), role checks, rate limits, login and logout.

Handlers declare what they need with the ``Annotated`` aliases::

    def handler(principal: PrincipalDep, store: StoreDep) -> ...

Reads go through ``store.as_principal(principal)`` so that access rules live in the store's
query layer, not here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy import delete, select

from tocsin.access import Principal
from tocsin.detect.engine import Engine as ScanEngine
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.store.schema import deployment_settings as deployment_settings_table
from tocsin.store.scope import request_visibility
from tocsin.web.security import (
    SESSION_COOKIE,
    ASGIApp,
    RateLimits,
    Receive,
    Scope,
    Send,
    client_ip,
    cookie_secure,
)

__all__ = [
    "LoginFailed",
    "LoginRequired",
    "PrincipalDep",
    "ScannerDep",
    "SettingsDep",
    "StoreDep",
    "VisibilityPerRequestMiddleware",
    "audit",
    "csrf_for_session_factory",
    "csrf_token",
    "current_principal",
    "deployment_settings",
    "get_scanner",
    "get_settings",
    "get_store",
    "login",
    "logout",
    "public_rate_limit",
    "rate_limit_public",
    "require_role",
    "save_deployment_settings",
]

ROLE_RANK = {"public": 0, "viewer": 1, "analyst": 2, "admin": 3}


class LoginRequired(HTTPException):
    """401: the endpoint needs a logged-in user (pages redirect to /login instead)."""

    def __init__(self, message: str = "log in first (session cookie or bearer token)") -> None:
        super().__init__(401, message, headers={"WWW-Authenticate": "Bearer"})


class LoginFailed(HTTPException):
    """401: wrong username or password (the same message whichever was wrong)."""

    def __init__(self) -> None:
        super().__init__(401, "wrong username or password")


# -- app state ----------------------------------------------------------------------------------


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_limits(request: Request) -> RateLimits:
    limits: RateLimits = request.app.state.limits
    return limits


_ENGINES: dict[tuple[Any, ...], ScanEngine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine_for(settings: Settings) -> ScanEngine:
    """One scanner per distinct scoring configuration, shared by every app in the process
    (loading the packs and models takes a second)."""
    key = (
        settings.prior,
        settings.category_damping,
        settings.use_models,
        settings.model_max_increase,
        settings.model_max_decrease,
    )
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = ScanEngine(settings=settings)
        return engine


def get_scanner(request: Request) -> ScanEngine:
    return _engine_for(get_settings(request))


# FastAPI runs plain ``def`` dependencies in its thread pool; these read app state only, so the
# aliases use ``async`` twins that run inline (a thread hop per dependency showed in the API
# benchmark). The plain functions stay, for calling directly.


async def _settings(request: Request) -> Settings:
    return get_settings(request)


async def _store(request: Request) -> Store:
    return get_store(request)


async def _scanner(request: Request) -> ScanEngine:
    return get_scanner(request)


SettingsDep = Annotated[Settings, Depends(_settings)]
StoreDep = Annotated[Store, Depends(_store)]
ScannerDep = Annotated[ScanEngine, Depends(_scanner)]


class VisibilityPerRequestMiddleware:
    """Reads each caller's visible datasets once per request (`request_visibility`): a search
    used to read them three times. The cache ends with the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with request_visibility():
            await self.app(scope, receive, send)


# -- who is asking ------------------------------------------------------------------------------


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    if not value:
        raise LoginRequired("empty bearer token")
    return value


def current_principal(request: Request) -> Principal:
    """The caller: the user of a valid API token or session cookie, else the public.

    A bearer token that is unknown, expired or revoked is an error (401), not the public: a
    script with a broken token should fail loudly. A stale session cookie just means the public.
    """
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    from tocsin.access import sessions, tokens

    store = get_store(request)
    principal = Principal.public()
    token = _bearer(request)
    if token is not None:
        found = tokens.token_principal(store.engine, token)
        if found is None:
            raise LoginRequired("the API token is unknown, expired or revoked")
        principal = found
        request.state.via = "token"
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            session = sessions.session_principal(store.engine, cookie)
            if session is not None:
                principal, request.state.csrf = session
                request.state.via = "session"
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_role(role: str) -> Callable[[Request], Principal]:
    """A dependency returning the principal if its role is ``role`` or higher:
    401 for the public, 403 for a lower role."""
    needed = ROLE_RANK[role]

    def dependency(request: Request) -> Principal:
        principal = current_principal(request)
        if principal.system:
            return principal
        if not principal.logged_in:
            raise LoginRequired()
        if ROLE_RANK.get(principal.role, 0) < needed:
            raise HTTPException(403, f"this needs the {role} role (you are {principal.role})")
        return principal

    dependency.__name__ = f"require_{role}"
    return dependency


def csrf_token(request: Request) -> str:
    """The CSRF token for forms and fetch() of the current session ("" for the public)."""
    current_principal(request)
    token: str = getattr(request.state, "csrf", "")
    return token


def csrf_for_session_factory(store: Store) -> Callable[[str], str | None]:
    """What `CsrfMiddleware` calls: the CSRF token of the live session behind a cookie."""

    def lookup(cookie: str) -> str | None:
        from tocsin.access import sessions

        found = sessions.session_principal(store.engine, cookie)
        return None if found is None else found[1]

    return lookup


# -- rate limits --------------------------------------------------------------------------------


def rate_limit_public(request: Request) -> None:
    """Count a request against the public limit of the client address (429 when over)."""
    get_limits(request).hit("public", client_ip(request))


async def public_rate_limit(request: Request) -> None:
    """`rate_limit_public` as a dependency: ``Depends(public_rate_limit)`` (runs inline)."""
    rate_limit_public(request)


# -- login and logout ---------------------------------------------------------------------------


def login(request: Request, response: Response, username: str, password: str) -> Principal:
    """Check the password, start a session and set its cookie on ``response``.

    Rate-limited per client address and per username; every attempt is audited.
    """
    from tocsin.access import audit as audit_log
    from tocsin.access import sessions, users

    settings = get_settings(request)
    store = get_store(request)
    limits = get_limits(request)
    limits.hit("login", client_ip(request))
    limits.hit("login_user", username.casefold())
    principal = users.authenticate(store.engine, username, password)
    audit_log.append(
        store.engine,
        principal if principal is not None else Principal.public(),
        "login" if principal is not None else "login.failed",
        "user",
        username[:200],
        None,
        {"ip": client_ip(request)},
        secret=store.settings.secret_key,
    )
    if principal is None:
        raise LoginFailed()
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:  # a new session at every login: a planted cookie is never promoted
        sessions.end_session(store.engine, previous)
    cookie, csrf = sessions.create_session(store.engine, principal, settings.session_hours)
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=int(settings.session_hours * 3600),
        path="/",
        secure=cookie_secure(request),
        httponly=True,
        samesite="strict",
    )
    request.state.principal = principal
    request.state.csrf = csrf
    return principal


def logout(request: Request, response: Response) -> None:
    """End the session behind the cookie (if any) and clear the cookie."""
    from tocsin.access import sessions

    store = get_store(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    principal = current_principal(request)
    if cookie:
        sessions.end_session(store.engine, cookie)
    if principal.logged_in:
        audit(request, "logout", "user", principal.username)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=cookie_secure(request), httponly=True, samesite="strict"
    )
    request.state.principal = Principal.public()
    request.state.csrf = ""


# -- audit ------------------------------------------------------------------------------------


def audit(
    request: Request,
    action: str,
    target_kind: str,
    target_id: str,
    marking: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an audit entry for the current principal (in a transaction of its own).

    Keyed, like every entry, with ``TOCSIN_SECRET_KEY`` of the process settings.
    """
    from tocsin.access import audit as audit_log

    audit_log.append(
        get_store(request).engine,
        current_principal(request),
        action,
        target_kind,
        target_id,
        marking,
        detail,
        secret=get_store(request).settings.secret_key,
    )


# -- deployment settings ------------------------------------------------------------------------


def deployment_settings(store: Store) -> dict[str, Any]:
    """What an admin configured for this deployment (``organisation_name``, ``hotlines``),
    from the ``deployment_settings`` table (key → JSON value)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(deployment_settings_table.c.key, deployment_settings_table.c.value)
        )
        return {key: json.loads(value) for key, value in rows}


def save_deployment_settings(store: Store, values: dict[str, Any]) -> None:
    """Replace the given keys' values (other keys are kept)."""
    with store.engine.begin() as conn:
        for key, value in values.items():
            conn.execute(
                delete(deployment_settings_table).where(deployment_settings_table.c.key == key)
            )
            conn.execute(
                deployment_settings_table.insert(),
                {"key": key, "value": json.dumps(value, ensure_ascii=False, sort_keys=True)},
            )
