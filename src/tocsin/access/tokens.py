"""API tokens: random 32 bytes, shown once, stored as their SHA-256, revocable, optionally
expiring. A token acts as its user (same organisation, role and dataset rights).

A token reads ``tocsin_<prefix>_<secret>``; the prefix (8 characters) is stored in clear so
that a user can tell tokens apart in lists and in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Engine

from tocsin.access import audit
from tocsin.access.principal import AccessDenied, Principal
from tocsin.errors import InputError
from tocsin.store.schema import api_tokens, organisations, users

__all__ = [
    "LAST_USED_RESOLUTION",
    "TokenInfo",
    "create_token",
    "list_tokens",
    "revoke_token",
    "token_principal",
]

PREFIX = "tocsin_"

LAST_USED_RESOLUTION: Final = timedelta(seconds=60)
"""A token's ``last_used`` is updated when it is older than this (at most one write a minute)."""

_TOKEN_PRINCIPAL: Final = (
    select(
        api_tokens.c.pk,
        api_tokens.c.expires_at,
        api_tokens.c.last_used,
        users.c.pk.label("user_pk"),
        users.c.username,
        users.c.org_pk,
        users.c.role,
        organisations.c.name.label("org"),
    )
    .join(users, users.c.pk == api_tokens.c.user_pk)
    .join(organisations, organisations.c.pk == users.c.org_pk)
    .where(
        api_tokens.c.token_hash == bindparam("digest"),
        api_tokens.c.revoked.is_(False),
        users.c.active.is_(True),
    )
)


@dataclass(frozen=True, slots=True)
class TokenInfo:
    pk: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used: datetime | None
    revoked: bool


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _may_manage(actor: Principal, owner_pk: int, owner_org_pk: int) -> None:
    if actor.system or actor.user_pk == owner_pk:
        return
    actor.require("manage")
    if actor.org_pk != owner_org_pk:
        raise AccessDenied(f"{actor.username} may only manage their own organisation's tokens")


def create_token(
    engine: Engine,
    username: str,
    name: str,
    *,
    days: float | None = None,
    actor: Principal | None = None,
    secret: str | None = None,
) -> tuple[str, TokenInfo]:
    """A new token for ``username`` (by the user or an admin of their organisation):
    (the token, shown this once; its description)."""
    actor = actor if actor is not None else Principal.system()
    if not name or len(name) > 200:
        raise InputError("a token name needs 1 to 200 characters", field="name")
    if days is not None and days <= 0:
        raise InputError("a token's lifetime must be positive", field="days")
    prefix = secrets.token_hex(4)
    token = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    now = datetime.now(UTC)
    expires = now + timedelta(days=days) if days is not None else None
    with engine.begin() as conn:
        owner = conn.execute(
            select(users.c.pk, users.c.org_pk, users.c.active).where(users.c.username == username)
        ).first()
        if owner is None:
            raise InputError(f"no user named {username!r}", field="username")
        _may_manage(actor, int(owner[0]), int(owner[1]))
        if not owner[2]:
            raise InputError(f"user {username!r} is disabled", field="username")
        conn.execute(
            api_tokens.insert(),
            {
                "user_pk": owner[0],
                "name": name,
                "token_hash": _hash(token),
                "prefix": prefix,
                "created_at": now,
                "expires_at": expires,
                "revoked": False,
            },
        )
        pk = conn.execute(
            select(api_tokens.c.pk).where(api_tokens.c.token_hash == _hash(token))
        ).scalar_one()
        audit.record(
            conn, actor, "token.create", "token", prefix, None,
            {"user": username, "name": name, "expires_at": expires},
            secret=secret,
        )  # fmt: skip
    return token, TokenInfo(int(pk), username, name, prefix, now, expires, None, False)


def token_principal(engine: Engine, token: str) -> Principal | None:
    """The principal of a valid token (known, not revoked, not expired, its user active).

    The token, its user and their organisation are read in one statement. ``last_used`` is
    written at most once per `LAST_USED_RESOLUTION` (60 s) per token: a write on every request
    serialised all API traffic on SQLite, and a minute is as precise as the token list needs.
    """
    if not token.startswith(PREFIX):
        return None
    with engine.connect() as conn:
        row = conn.execute(_TOKEN_PRINCIPAL, {"digest": _hash(token)}).first()
    if row is None:
        return None
    now = datetime.now(UTC)
    expires = _aware(row.expires_at)
    if expires is not None and expires <= now:
        return None
    last_used = _aware(row.last_used)
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        with engine.begin() as conn:
            conn.execute(update(api_tokens).where(api_tokens.c.pk == row.pk).values(last_used=now))
    return Principal(
        user_pk=int(row.user_pk), username=row.username, org_pk=int(row.org_pk), org=row.org,
        role=row.role,
    )  # fmt: skip


def revoke_token(
    engine: Engine, prefix: str, *, actor: Principal | None = None, secret: str | None = None
) -> None:
    """Revoke the token with this prefix (by its user or an admin of their organisation)."""
    actor = actor if actor is not None else Principal.system()
    prefix = prefix.removeprefix(PREFIX).split("_")[0]
    with engine.begin() as conn:
        rows = conn.execute(
            select(api_tokens.c.pk, users.c.pk, users.c.org_pk, users.c.username)
            .join(users, users.c.pk == api_tokens.c.user_pk)
            .where(api_tokens.c.prefix == prefix)
        ).all()
        if len(rows) != 1:
            raise InputError(
                f"no token with prefix {prefix!r}"
                if not rows
                else f"prefix {prefix!r} is ambiguous",
                field="prefix",
                hint="`tocsin admin token list` shows the prefixes",
            )
        token_pk, owner_pk, owner_org, owner_name = rows[0]
        _may_manage(actor, int(owner_pk), int(owner_org))
        conn.execute(update(api_tokens).where(api_tokens.c.pk == token_pk).values(revoked=True))
        audit.record(
            conn, actor, "token.revoke", "token", prefix, None, {"user": owner_name},
            secret=secret,
        )  # fmt: skip


def list_tokens(
    engine: Engine, *, username: str | None = None, org: str | None = None
) -> list[TokenInfo]:
    """Tokens (never their values), newest first."""
    query = (
        select(api_tokens, users.c.username)
        .join(users, users.c.pk == api_tokens.c.user_pk)
        .join(organisations, organisations.c.pk == users.c.org_pk)
        .order_by(api_tokens.c.created_at.desc(), api_tokens.c.pk.desc())
    )
    if username is not None:
        query = query.where(users.c.username == username)
    if org is not None:
        query = query.where(organisations.c.name == org)
    with engine.connect() as conn:
        return [
            TokenInfo(
                pk=int(r.pk),
                username=r.username,
                name=r.name,
                prefix=r.prefix,
                created_at=_aware(r.created_at) or r.created_at,
                expires_at=_aware(r.expires_at),
                last_used=_aware(r.last_used),
                revoked=bool(r.revoked),
            )
            for r in conn.execute(query)
        ]
