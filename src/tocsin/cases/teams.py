"""Cases and their teams: who is on a case decides who sees anything in it.

A case has a title (never personal: "Missing: recruits of the Bavet 'typist' ads", not a name), a
state (open / closed) and a team of users, each a *lead* or a *member*. Users of any organisation
can be on a team (an NGO and the police on one case); admins are on a team only if added. Each
case owns a RED dataset, ``case:<id>``, whose named readers are exactly the team, so the job
offers and recruiter contacts pasted into the case's reports are stored, scanned and linked like
any document, and are seen by the team alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from tocsin.access.principal import AccessDenied
from tocsin.cases.context import CaseContext, CaseRef, NotFound, aware, new_id, now
from tocsin.errors import InputError
from tocsin.store.schema import CASE_TABLES, dataset_readers, users
from tocsin.store.scope import forget_visibility
from tocsin.store.writer import upsert_insert

__all__ = ["ROLES", "CaseInfo", "Teams", "case_dataset_name"]

T = CASE_TABLES
ROLES: Final = ("lead", "member")


def case_dataset_name(case_id: str) -> str:
    return f"case:{case_id}"


@dataclass(frozen=True, slots=True)
class CaseInfo:
    id: str
    title: str
    state: str
    created_at: datetime
    created_by: str
    role: str | None
    members: list[tuple[str, str]] = field(default_factory=list)  # (username, role)
    persons: int = 0
    reports: int = 0
    operations: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "state": self.state,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "role": self.role,
            "members": [{"username": u, "role": r} for u, r in self.members],
            "persons": self.persons,
            "reports": self.reports,
            "operations": self.operations,
        }


def _user_pk(conn: Connection, username: str) -> int:
    row = conn.execute(
        select(users.c.pk, users.c.active).where(users.c.username == username)
    ).first()
    if row is None or not row[1]:
        raise NotFound(f"no active user {username!r}", field="username")
    return int(row[0])


class Teams:
    """Create cases, list them, manage their teams."""

    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx

    def create(self, title: str, *, members: Sequence[tuple[str, str]] = ()) -> CaseInfo:
        """A new open case; its creator (a user) leads it. ``members``: (username, role)."""
        ctx = self.ctx
        title = title.strip()
        if not title or len(title) > 200:
            raise InputError("a case title has 1 to 200 characters", field="title")
        if not ctx.principal.can("ingest"):
            raise AccessDenied(
                f"{ctx.principal.username} ({ctx.principal.role}) may not open cases",
                hint="analysts and admins can",
            )
        for _, role in members:
            if role not in ROLES:
                raise InputError(f"a team role is lead or member, not {role!r}", field="role")
        case_id = new_id("C")
        dataset_pk, _ = ctx.store.dataset(case_dataset_name(case_id), "red")
        at = now()
        with ctx.transaction("case.create", "case", case_id, {"members": len(members)}) as conn:
            conn.execute(
                T.cases.insert(),
                {
                    "id": case_id,
                    "title": title,
                    "org_pk": ctx.principal.org_pk,
                    "dataset_pk": dataset_pk,
                    "state": "open",
                    "created_at": at,
                    "created_by": ctx.principal.username,
                },
            )
            pk = conn.execute(select(T.cases.c.pk).where(T.cases.c.id == case_id)).scalar_one()
            team = dict(members)
            if ctx.principal.user_pk is not None:
                team[ctx.principal.username] = "lead"
            for username, role in team.items():
                self._put_member(conn, int(pk), dataset_pk, _user_pk(conn, username), role)
        return self.get(case_id)

    def _put_member(
        self, conn: Connection, case_pk: int, dataset_pk: int | None, user_pk: int, role: str
    ) -> None:
        ins = upsert_insert(conn, T.case_members)
        conn.execute(
            ins.on_conflict_do_update(index_elements=["case_pk", "user_pk"], set_={"role": role}),
            {
                "case_pk": case_pk,
                "user_pk": user_pk,
                "role": role,
                "added_at": now(),
                "added_by": self.ctx.principal.username,
            },
        )
        if dataset_pk is not None:
            readers = upsert_insert(conn, dataset_readers).on_conflict_do_nothing(
                index_elements=["dataset_pk", "user_pk"]
            )
            conn.execute(readers, {"dataset_pk": dataset_pk, "user_pk": user_pk})
            forget_visibility()

    def _info(self, conn: Connection, ref: CaseRef) -> CaseInfo:
        row = conn.execute(select(T.cases).where(T.cases.c.pk == ref.pk)).one()
        members = conn.execute(
            select(users.c.username, T.case_members.c.role)
            .join(users, users.c.pk == T.case_members.c.user_pk)
            .where(T.case_members.c.case_pk == ref.pk)
            .order_by(T.case_members.c.role, users.c.username)
        ).all()

        def count(table: Any) -> int:
            query = select(func.count()).select_from(table).where(table.c.case_pk == ref.pk)
            return int(conn.execute(query).scalar_one())

        created = aware(row.created_at)
        assert created is not None
        return CaseInfo(
            id=row.id,
            title=row.title,
            state=row.state,
            created_at=created,
            created_by=row.created_by,
            role=ref.role,
            members=[(u, r) for u, r in members],
            persons=count(T.persons),
            reports=count(T.missing_reports),
            operations=count(T.operations),
        )

    def get(self, case_id: str) -> CaseInfo:
        with self.ctx.transaction("case.read", "case", case_id) as conn:
            return self._info(conn, self.ctx.case_ref(conn, case_id))

    def all(self) -> list[CaseInfo]:
        """The cases the principal is on the team of (every case, for the system principal)."""
        ctx = self.ctx
        with ctx.transaction("case.list", "case", "*") as conn:
            if ctx.member_case_pks(conn) == []:
                return []
            ids = conn.scalars(
                select(T.cases.c.id).where(ctx.member_filter()).order_by(T.cases.c.created_at)
            ).all()
            return [self._info(conn, ctx.case_ref(conn, i)) for i in ids]

    def add_member(self, case_id: str, username: str, role: str = "member") -> CaseInfo:
        if role not in ROLES:
            raise InputError(f"a team role is lead or member, not {role!r}", field="role")
        ctx = self.ctx
        detail = {"user": username, "role": role}
        with ctx.transaction("case.member.add", "case", case_id, detail) as conn:
            ref = ctx.case_ref(conn, case_id)
            ctx.require_lead(ref)
            self._put_member(conn, ref.pk, ref.dataset_pk, _user_pk(conn, username), role)
        return self.get(case_id)

    def remove_member(self, case_id: str, username: str) -> None:
        ctx = self.ctx
        with ctx.transaction("case.member.remove", "case", case_id, {"user": username}) as conn:
            ref = ctx.case_ref(conn, case_id)
            ctx.require_lead(ref)
            user_pk = _user_pk(conn, username)
            leads = conn.scalars(
                select(T.case_members.c.user_pk).where(
                    T.case_members.c.case_pk == ref.pk, T.case_members.c.role == "lead"
                )
            ).all()
            if list(leads) == [user_pk]:
                raise InputError(
                    f"{username} is the last lead of case {case_id}",
                    field="username",
                    hint="make someone else lead first",
                )
            conn.execute(
                delete(T.case_members).where(
                    T.case_members.c.case_pk == ref.pk, T.case_members.c.user_pk == user_pk
                )
            )
            if ref.dataset_pk is not None:
                conn.execute(
                    delete(dataset_readers).where(
                        dataset_readers.c.dataset_pk == ref.dataset_pk,
                        dataset_readers.c.user_pk == user_pk,
                    )
                )
                forget_visibility()

    def set_state(self, case_id: str, state: str) -> CaseInfo:
        if state not in ("open", "closed"):
            raise InputError("a case is open or closed", field="state")
        ctx = self.ctx
        with ctx.transaction("case.state", "case", case_id, {"state": state}) as conn:
            ref = ctx.case_ref(conn, case_id)
            ctx.require_lead(ref)
            conn.execute(update(T.cases).where(T.cases.c.pk == ref.pk).values(state=state))
        return self.get(case_id)
