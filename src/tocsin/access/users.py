"""Organisations, users, passwords, and who may see a dataset (owner, partners, readers).

Passwords are hashed with argon2id (argon2-cffi's defaults). `authenticate` takes the same time
for an unknown username as for a wrong password (it checks against a dummy hash), and returns
None in both cases; the caller records the login attempt in the audit log.

Every change here needs the ``manage`` right: an admin changes their own organisation (its users,
its datasets), the system principal (the CLI) anything. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection, Engine

from tocsin.access import audit
from tocsin.access.principal import AccessDenied, Principal
from tocsin.errors import InputError
from tocsin.store.schema import (
    MARKINGS,
    ROLES,
    dataset_partners,
    dataset_readers,
    datasets,
    documents,
    organisations,
    statements,
    users,
)
from tocsin.store.scope import forget_visibility
from tocsin.store.writer import upsert_insert

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "DatasetAccess",
    "UserInfo",
    "authenticate",
    "create_organisation",
    "create_user",
    "dataset_access",
    "grant_reader",
    "list_organisations",
    "list_users",
    "mark_dataset",
    "principal_of",
    "set_active",
    "set_password",
    "set_role",
    "share_dataset",
]

MIN_PASSWORD_LENGTH: Final = 12

_HASHER = PasswordHasher()
_DUMMY_HASH: Final = _HASHER.hash("tocsin: no such user, same work as a real check")


@dataclass(frozen=True, slots=True)
class UserInfo:
    pk: int
    username: str
    display_name: str
    org: str
    role: str
    active: bool
    created_at: datetime
    last_login: datetime | None


@dataclass(frozen=True, slots=True)
class DatasetAccess:
    """Who may see a dataset: its marking, owner, AMBER partners and RED readers."""

    name: str
    marking: str
    owner: str | None
    partners: tuple[str, ...]
    readers: tuple[str, ...]


def _now() -> datetime:
    return datetime.now(UTC)


def _org_pk(conn: Connection, name: str) -> int:
    pk = conn.execute(select(organisations.c.pk).where(organisations.c.name == name)).scalar()
    if pk is None:
        raise InputError(f"no organisation named {name!r}", field="org")
    return int(pk)


def _manage(actor: Principal, org_pk: int | None) -> None:
    """``actor`` may manage things of the organisation ``org_pk``."""
    actor.require("manage")
    if not actor.system and (org_pk is None or actor.org_pk != org_pk):
        raise AccessDenied(f"{actor.username} may only manage their own organisation")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r} (one of: {', '.join(ROLES)})", field="role")


# -- organisations ----------------------------------------------------------------------------


def create_organisation(
    engine: Engine, name: str, *, actor: Principal | None = None, secret: str | None = None
) -> int:
    """Create an organisation (system principal only: admins manage their own organisation)."""
    actor = actor if actor is not None else Principal.system()
    if not actor.system:
        raise AccessDenied("only the operator of the deployment creates organisations")
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("an organisation name needs 1 to 200 characters", field="name")
    with engine.begin() as conn:
        exists = conn.execute(select(organisations.c.pk).where(organisations.c.name == name))
        if exists.first() is not None:
            raise InputError(f"organisation {name!r} exists already", field="name")
        ins = upsert_insert(conn, organisations).on_conflict_do_nothing(index_elements=["name"])
        conn.execute(ins, {"name": name, "created_at": _now()})
        audit.record(conn, actor, "org.create", "organisation", name, secret=secret)
        return _org_pk(conn, name)


def list_organisations(engine: Engine) -> list[dict[str, object]]:
    """Organisations with their number of users and datasets."""
    with engine.connect() as conn:
        rows = conn.execute(select(organisations).order_by(organisations.c.name)).all()
        result: list[dict[str, object]] = []
        for r in rows:
            n_users = len(conn.execute(select(users.c.pk).where(users.c.org_pk == r.pk)).all())
            n_sets = len(conn.execute(select(datasets.c.pk).where(datasets.c.org_pk == r.pk)).all())
            result.append(
                {"name": r.name, "created_at": r.created_at, "users": n_users, "datasets": n_sets}
            )
        return result


# -- users ------------------------------------------------------------------------------------


def principal_of(conn: Connection, user_pk: int) -> Principal | None:
    """The principal of an active user (None for an unknown or disabled one)."""
    row = conn.execute(
        select(users.c.pk, users.c.username, users.c.org_pk, users.c.role, organisations.c.name)
        .join(organisations, organisations.c.pk == users.c.org_pk)
        .where(users.c.pk == user_pk, users.c.active.is_(True))
    ).first()
    if row is None:
        return None
    return Principal(
        user_pk=int(row[0]), username=row[1], org_pk=int(row[2]), org=row[4], role=row[3]
    )


def create_user(
    engine: Engine,
    username: str,
    password: str,
    *,
    org: str,
    role: str = "viewer",
    display_name: str | None = None,
    actor: Principal | None = None,
    secret: str | None = None,
) -> Principal:
    """Create an active user of ``org``; an admin may only add users to their organisation."""
    actor = actor if actor is not None else Principal.system()
    username = username.strip()
    if not username or len(username) > 200 or any(c.isspace() for c in username):
        raise InputError("a username needs 1 to 200 characters without spaces", field="username")
    _check_role(role)
    _check_password(password)
    password_hash = _HASHER.hash(password)
    with engine.begin() as conn:
        org_pk = _org_pk(conn, org)
        _manage(actor, org_pk)
        taken = conn.execute(select(users.c.pk).where(users.c.username == username)).first()
        if taken is not None:
            raise InputError(f"the username {username!r} is taken", field="username")
        conn.execute(
            users.insert(),
            {
                "username": username,
                "display_name": (display_name or username)[:200],
                "password_hash": password_hash,
                "org_pk": org_pk,
                "role": role,
                "active": True,
                "created_at": _now(),
            },
        )
        pk = conn.execute(select(users.c.pk).where(users.c.username == username)).scalar_one()
        audit.record(
            conn, actor, "user.create", "user", username, None, {"org": org, "role": role},
            secret=secret,
        )  # fmt: skip
        principal = principal_of(conn, int(pk))
        assert principal is not None  # just inserted, active
        return principal


def _user_row(conn: Connection, username: str) -> tuple[int, int]:
    row = conn.execute(select(users.c.pk, users.c.org_pk).where(users.c.username == username))
    found = row.first()
    if found is None:
        raise InputError(f"no user named {username!r}", field="username")
    return int(found[0]), int(found[1])


def list_users(engine: Engine, *, org: str | None = None) -> list[UserInfo]:
    query = (
        select(users, organisations.c.name.label("org"))
        .join(organisations, organisations.c.pk == users.c.org_pk)
        .order_by(users.c.username)
    )
    if org is not None:
        query = query.where(organisations.c.name == org)
    with engine.connect() as conn:
        return [
            UserInfo(
                pk=int(r.pk),
                username=r.username,
                display_name=r.display_name,
                org=r.org,
                role=r.role,
                active=bool(r.active),
                created_at=r.created_at,
                last_login=r.last_login,
            )
            for r in conn.execute(query)
        ]


def set_role(
    engine: Engine,
    username: str,
    role: str,
    *,
    actor: Principal | None = None,
    secret: str | None = None,
) -> None:
    actor = actor if actor is not None else Principal.system()
    _check_role(role)
    with engine.begin() as conn:
        pk, org_pk = _user_row(conn, username)
        _manage(actor, org_pk)
        conn.execute(update(users).where(users.c.pk == pk).values(role=role))
        audit.record(
            conn, actor, "user.role", "user", username, None, {"role": role}, secret=secret
        )
    forget_visibility()


def set_active(
    engine: Engine,
    username: str,
    active: bool,
    *,
    actor: Principal | None = None,
    secret: str | None = None,
) -> None:
    """Enable or disable a user; disabling also ends their sessions and revokes their tokens."""
    from tocsin.store.schema import api_tokens, sessions

    actor = actor if actor is not None else Principal.system()
    with engine.begin() as conn:
        pk, org_pk = _user_row(conn, username)
        _manage(actor, org_pk)
        conn.execute(update(users).where(users.c.pk == pk).values(active=active))
        if not active:
            conn.execute(delete(sessions).where(sessions.c.user_pk == pk))
            conn.execute(update(api_tokens).where(api_tokens.c.user_pk == pk).values(revoked=True))
        action = "user.enable" if active else "user.disable"
        audit.record(conn, actor, action, "user", username, secret=secret)
    forget_visibility()


def set_password(
    engine: Engine,
    username: str,
    password: str,
    *,
    actor: Principal | None = None,
    secret: str | None = None,
) -> None:
    """A new password (by the user themself or an admin of their organisation)."""
    actor = actor if actor is not None else Principal.system()
    _check_password(password)
    password_hash = _HASHER.hash(password)
    with engine.begin() as conn:
        pk, org_pk = _user_row(conn, username)
        if actor.user_pk != pk:
            _manage(actor, org_pk)
        conn.execute(update(users).where(users.c.pk == pk).values(password_hash=password_hash))
        audit.record(conn, actor, "user.password", "user", username, secret=secret)


def authenticate(engine: Engine, username: str, password: str) -> Principal | None:
    """The principal of an active user whose password matches, else None.

    The same argon2 work is done for unknown and disabled users, so timing does not tell which
    usernames exist. Not audited here: the caller records the attempt (success and failure).
    """
    with engine.connect() as conn:
        row = conn.execute(
            select(users.c.pk, users.c.password_hash, users.c.active).where(
                users.c.username == username
            )
        ).first()
    stored = row[1] if row is not None else _DUMMY_HASH
    matched: bool
    try:
        matched = _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        matched = False
    if row is None or not matched or not row[2]:
        return None
    with engine.begin() as conn:
        values: dict[str, object] = {"last_login": _now()}
        if _HASHER.check_needs_rehash(stored):
            values["password_hash"] = _HASHER.hash(password)
        conn.execute(update(users).where(users.c.pk == row[0]).values(**values))
        return principal_of(conn, int(row[0]))


# -- datasets ---------------------------------------------------------------------------------


def _dataset_row(conn: Connection, name: str) -> tuple[int, int | None]:
    found = conn.execute(
        select(datasets.c.pk, datasets.c.org_pk).where(datasets.c.name == name)
    ).first()
    if found is None:
        raise InputError(f"no dataset named {name!r}", field="dataset")
    return int(found[0]), None if found[1] is None else int(found[1])


def share_dataset(
    engine: Engine,
    dataset: str,
    partner: str,
    *,
    remove: bool = False,
    actor: Principal | None = None,
    secret: str | None = None,
) -> None:
    """Name (or with ``remove``, un-name) an organisation as partner: it sees the dataset when
    it is AMBER (never when AMBER+STRICT or RED)."""
    actor = actor if actor is not None else Principal.system()
    with engine.begin() as conn:
        ds_pk, owner = _dataset_row(conn, dataset)
        _manage(actor, owner)
        org_pk = _org_pk(conn, partner)
        conn.execute(
            delete(dataset_partners).where(
                dataset_partners.c.dataset_pk == ds_pk, dataset_partners.c.org_pk == org_pk
            )
        )
        if not remove:
            conn.execute(dataset_partners.insert(), {"dataset_pk": ds_pk, "org_pk": org_pk})
        action = "dataset.unshare" if remove else "dataset.share"
        audit.record(
            conn, actor, action, "dataset", dataset, None, {"partner": partner}, secret=secret
        )
    forget_visibility()


def grant_reader(
    engine: Engine,
    dataset: str,
    username: str,
    *,
    remove: bool = False,
    actor: Principal | None = None,
    secret: str | None = None,
) -> None:
    """Name (or un-name) a user as reader of a dataset: the only people who see it when RED."""
    actor = actor if actor is not None else Principal.system()
    with engine.begin() as conn:
        ds_pk, owner = _dataset_row(conn, dataset)
        _manage(actor, owner)
        user_pk, _ = _user_row(conn, username)
        conn.execute(
            delete(dataset_readers).where(
                dataset_readers.c.dataset_pk == ds_pk, dataset_readers.c.user_pk == user_pk
            )
        )
        if not remove:
            conn.execute(dataset_readers.insert(), {"dataset_pk": ds_pk, "user_pk": user_pk})
        action = "dataset.revoke" if remove else "dataset.grant"
        audit.record(
            conn, actor, action, "dataset", dataset, None, {"reader": username}, secret=secret
        )
    forget_visibility()


def mark_dataset(
    engine: Engine,
    dataset: str,
    marking: str,
    *,
    actor: Principal | None = None,
    secret: str | None = None,
) -> None:
    """Change a dataset's TLP marking, and with it the marking of the documents first stored in
    it and of its statements."""
    actor = actor if actor is not None else Principal.system()
    marking = marking.lower()
    if marking not in MARKINGS:
        raise InputError(
            f"unknown TLP marking {marking!r} (one of: {', '.join(MARKINGS)})", field="marking"
        )
    with engine.begin() as conn:
        ds_pk, owner = _dataset_row(conn, dataset)
        _manage(actor, owner)
        before = conn.execute(select(datasets.c.marking).where(datasets.c.pk == ds_pk)).scalar()
        conn.execute(update(datasets).where(datasets.c.pk == ds_pk).values(marking=marking))
        conn.execute(
            update(documents).where(documents.c.dataset_pk == ds_pk).values(marking=marking)
        )
        conn.execute(
            update(statements).where(statements.c.dataset == dataset).values(marking=marking)
        )
        audit.record(
            conn, actor, "dataset.mark", "dataset", dataset, marking, {"before": before},
            secret=secret,
        )  # fmt: skip
    forget_visibility()


def dataset_access(engine: Engine, dataset: str) -> DatasetAccess:
    """Marking, owner, partners and readers of a dataset (for admins and the CLI)."""
    with engine.connect() as conn:
        ds_pk, owner_pk = _dataset_row(conn, dataset)
        marking = conn.execute(select(datasets.c.marking).where(datasets.c.pk == ds_pk)).scalar()
        owner = (
            None
            if owner_pk is None
            else conn.execute(
                select(organisations.c.name).where(organisations.c.pk == owner_pk)
            ).scalar()
        )
        partners = conn.scalars(
            select(organisations.c.name)
            .join(dataset_partners, dataset_partners.c.org_pk == organisations.c.pk)
            .where(dataset_partners.c.dataset_pk == ds_pk)
            .order_by(organisations.c.name)
        ).all()
        readers = conn.scalars(
            select(users.c.username)
            .join(dataset_readers, dataset_readers.c.user_pk == users.c.pk)
            .where(dataset_readers.c.dataset_pk == ds_pk)
            .order_by(users.c.username)
        ).all()
    return DatasetAccess(dataset, str(marking), owner, tuple(partners), tuple(readers))
