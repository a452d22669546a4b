"""What every part of `tocsin.cases` shares: the store, who is asking, the field cipher, the
need-to-know checks and the audit trail.

Need-to-know (docs/cases.md): a case, and everything in it (persons, missing-person reports,
status timelines, operations), exists only for the members of its team. Being an admin changes
nothing; only the system principal (the local CLI operator) sees every case. What a principal may
not see answers `NotFound`, exactly as a case that does not exist. Every read and every write is
written to the audit log with the ids involved, never the personal values.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, exists, select, true
from sqlalchemy.engine import Connection

from tocsin.access import audit
from tocsin.access.principal import AccessDenied, Principal
from tocsin.cases.crypto import FieldCipher
from tocsin.errors import InputError
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.store.schema import CASE_TABLES, users

__all__ = ["MARKING", "CaseContext", "CaseRef", "NotFound", "new_id", "now"]

T = CASE_TABLES
MARKING: Final = "red"
"""The TLP marking of everything in a case (named recipients only), as written to the audit log."""

_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


class NotFound(InputError):
    """No such case, person, report or operation — or not one the principal may see (HTTP 404)."""

    http_status = 404


def new_id(prefix: str) -> str:
    """A random public id such as ``P-7K3QX-9XD2M`` (50 bits; carries no information)."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{prefix}-{chars[:5]}-{chars[5:]}"


def now() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def as_datetime(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class CaseRef:
    """A case the principal may see, with the principal's place in its team."""

    pk: int
    id: str
    title: str
    org_pk: int | None
    dataset_pk: int | None
    state: str
    role: str | None  # lead / member; None for the system principal


class CaseContext:
    """The store and principal the case services run as."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine
        self.principal: Principal = store.principal
        self.settings: Settings = store.settings
        self.cipher = FieldCipher.from_setting(store.settings.field_key)

    # -- who may do what ------------------------------------------------------------------

    def member_filter(self) -> ColumnElement[bool]:
        """SQL condition on ``cases``: the principal is on the team (always true for system)."""
        if self.principal.system:
            return true()
        if self.principal.user_pk is None:
            return and_(T.cases.c.pk.is_(None), T.cases.c.pk.is_not(None))  # nothing
        return exists(
            select(T.case_members.c.case_pk).where(
                T.case_members.c.case_pk == T.cases.c.pk,
                T.case_members.c.user_pk == self.principal.user_pk,
            )
        )

    def _active(self, conn: Connection) -> bool:
        if self.principal.system:
            return True
        if self.principal.user_pk is None:
            return False
        row = conn.execute(
            select(users.c.active, users.c.org_pk).where(users.c.pk == self.principal.user_pk)
        ).first()
        return row is not None and bool(row[0]) and row[1] == self.principal.org_pk

    def case_ref(self, conn: Connection, case_id: str) -> CaseRef:
        """The case ``case_id`` if the principal is on its team, else `NotFound`."""
        return self.case_by(conn, T.cases.c.id == case_id, case_id)

    def case_by(self, conn: Connection, condition: ColumnElement[bool], label: str) -> CaseRef:
        found = None
        if self._active(conn):
            found = conn.execute(select(T.cases).where(condition, self.member_filter())).first()
        if found is None:
            raise NotFound(f"no case {label!r} (or you are not on its team)", field="case")
        role = None
        if not self.principal.system:
            role = conn.execute(
                select(T.case_members.c.role).where(
                    T.case_members.c.case_pk == found.pk,
                    T.case_members.c.user_pk == self.principal.user_pk,
                )
            ).scalar()
        return CaseRef(
            int(found.pk), found.id, found.title, found.org_pk, found.dataset_pk, found.state,
            role,
        )  # fmt: skip

    def member_case_pks(self, conn: Connection) -> list[int] | None:
        """Pks of the cases the principal is on the team of (None: all, system only)."""
        if self.principal.system:
            return None
        if not self._active(conn):
            return []
        return [int(pk) for pk in conn.scalars(select(T.cases.c.pk).where(self.member_filter()))]

    def require_write(self, case: CaseRef) -> None:
        """Writing in a case needs a team place and a role that may write (analyst or admin)."""
        if not self.principal.can("ingest"):
            raise AccessDenied(
                f"{self.principal.username} ({self.principal.role}) may read case {case.id} but "
                "not change it",
                hint="an analyst or admin on the case team can",
            )
        if case.state != "open":
            raise InputError(f"case {case.id} is closed", field="case", hint="reopen it first")

    def require_lead(self, case: CaseRef) -> None:
        if self.principal.system or case.role == "lead":
            return
        raise AccessDenied(
            f"only a lead of case {case.id} may do this", hint="ask the case lead to do it"
        )

    # -- audit ----------------------------------------------------------------------------

    def audit(
        self,
        conn: Connection,
        action: str,
        kind: str,
        target: str,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """One audit entry; ``detail`` names ids and field names, never personal values."""
        audit.record(
            conn, self.principal, action, kind, target, MARKING, detail,
            secret=self.settings.secret_key,
        )  # fmt: skip

    @contextmanager
    def transaction(
        self, action: str, kind: str, target: str, detail: Mapping[str, Any] | None = None
    ) -> Iterator[Connection]:
        """A transaction that starts with its audit entry (SQLite wants the write lock taken
        before anything is read). When the target turns out not to exist for the principal,
        the work rolls back and ``<action>.denied`` is recorded instead: probing is audited."""
        try:
            with self.engine.begin() as conn:
                self.audit(conn, action, kind, target, detail)
                yield conn
        except NotFound:
            audit.append(
                self.engine, self.principal, f"{action}.denied", kind, target, MARKING, detail,
                secret=self.settings.secret_key,
            )  # fmt: skip
            raise
