"""Server-side web sessions with a CSRF token each.

The cookie holds a random 32-byte value; the database keeps only its SHA-256 (a stolen database
copy cannot be replayed as a session). Each session has its own CSRF token, which forms and
``fetch()`` send back; `session_principal` returns it for the web layer to compare.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import bindparam, delete, select
from sqlalchemy.engine import Engine

from tocsin.access.principal import Principal
from tocsin.errors import InputError
from tocsin.store.schema import organisations, sessions, users

__all__ = [
    "create_session",
    "end_session",
    "end_user_sessions",
    "purge_expired",
    "session_principal",
]


_SESSION_PRINCIPAL: Final = (
    select(
        sessions.c.csrf,
        sessions.c.expires_at,
        users.c.pk.label("user_pk"),
        users.c.username,
        users.c.org_pk,
        users.c.role,
        organisations.c.name.label("org"),
    )
    .join(users, users.c.pk == sessions.c.user_pk)
    .join(organisations, organisations.c.pk == users.c.org_pk)
    .where(sessions.c.id_hash == bindparam("id_hash"), users.c.active.is_(True))
)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def create_session(engine: Engine, principal: Principal, hours: float) -> tuple[str, str]:
    """Start a session for a logged-in user: (cookie value, CSRF token)."""
    if principal.user_pk is None:
        raise InputError("only a user can have a session")
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            sessions.insert(),
            {
                "id_hash": _hash(cookie),
                "user_pk": principal.user_pk,
                "csrf": csrf,
                "created_at": now,
                "expires_at": now + timedelta(hours=hours),
            },
        )
    return cookie, csrf


def session_principal(engine: Engine, cookie: str) -> tuple[Principal, str] | None:
    """(principal, CSRF token) of a live session of an active user, else None (one
    statement: the session, its user and their organisation)."""
    with engine.connect() as conn:
        row = conn.execute(_SESSION_PRINCIPAL, {"id_hash": _hash(cookie)}).first()
    if row is None or _aware(row.expires_at) <= datetime.now(UTC):
        return None
    principal = Principal(
        user_pk=int(row.user_pk), username=row.username, org_pk=int(row.org_pk), org=row.org,
        role=row.role,
    )  # fmt: skip
    return principal, str(row.csrf)


def end_session(engine: Engine, cookie: str) -> None:
    """Log out: the session is deleted (an unknown cookie is ignored)."""
    with engine.begin() as conn:
        conn.execute(delete(sessions).where(sessions.c.id_hash == _hash(cookie)))


def end_user_sessions(engine: Engine, user_pk: int) -> int:
    """End every session of a user (e.g. after a password change); returns how many."""
    with engine.begin() as conn:
        return conn.execute(delete(sessions).where(sessions.c.user_pk == user_pk)).rowcount


def purge_expired(engine: Engine) -> int:
    """Delete expired sessions; returns how many."""
    with engine.begin() as conn:
        now = datetime.now(UTC)
        return conn.execute(delete(sessions).where(sessions.c.expires_at <= now)).rowcount
