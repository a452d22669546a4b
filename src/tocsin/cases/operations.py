"""Operations: raids, rescues and escapes.

An operation belongs to a case (need-to-know: raids are planned by small teams, and the threat
model includes insiders who tip off compounds). It records the date, the compound or place, the
agencies, how many people were freed and of which nationalities (aggregate counts, as agencies
publish them), the follow-up, and the persons of the case it concerned: persons already in the
case become ``rescued``; survivors first met in the operation are added, pseudonymous unless
they give a name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from tocsin.cases.compounds import resolve_compound
from tocsin.cases.context import CaseContext, CaseRef, NotFound, as_datetime, aware, new_id, now
from tocsin.cases.fields import OperationInput
from tocsin.cases.persons import change_status, insert_person, load_person
from tocsin.cases.workflow import Status
from tocsin.errors import InputError
from tocsin.store.schema import CASE_TABLES

__all__ = ["OperationView", "Operations"]

T = CASE_TABLES


@dataclass(slots=True)
class OperationView:
    id: str
    case: str
    kind: str
    date: date
    compound: str | None
    place: str | None
    country: str | None
    agencies: list[str]
    freed_total: int | None
    nationalities: dict[str, int]
    follow_up: str
    source: str
    created_at: datetime
    created_by: str
    persons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__slots__}
        data["date"] = self.date.isoformat()
        data["created_at"] = self.created_at.isoformat()
        return data


def load_operation(
    ctx: CaseContext, conn: Connection, operation_id: str
) -> tuple[Row[Any], CaseRef]:
    row = conn.execute(
        select(T.operations).where(T.operations.c.id == operation_id.strip())
    ).first()
    if row is None:
        raise NotFound(f"no operation {operation_id!r}", field="operation")
    try:
        case = ctx.case_by(conn, T.cases.c.pk == row.case_pk, "")
    except NotFound:
        raise NotFound(f"no operation {operation_id!r}", field="operation") from None
    return row, case


class Operations:
    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx

    def record(self, case_id: str, item: OperationInput) -> OperationView:
        """Record an operation; its persons become rescued, its new survivors are added."""
        ctx = self.ctx
        item = item.cleaned()
        op_id = new_id("O")
        detail = {"case": case_id, "kind": item.kind, "persons": len(item.persons),
                  "survivors": len(item.survivors)}  # fmt: skip
        with ctx.transaction("operation.create", "operation", op_id, detail) as conn:
            case = ctx.case_ref(conn, case_id)
            ctx.require_write(case)
            compound_pk = resolve_compound(ctx, conn, item.compound) if item.compound else None
            conn.execute(
                T.operations.insert(),
                {
                    "id": op_id, "case_pk": case.pk, "kind": item.kind, "date": item.date,
                    "compound_pk": compound_pk, "place": item.place, "country": item.country,
                    "agencies": json.dumps(item.agencies, ensure_ascii=False),
                    "freed_total": item.freed_total, "follow_up": item.follow_up,
                    "source": item.source, "created_at": now(),
                    "created_by": ctx.principal.username,
                },
            )  # fmt: skip
            op_pk = int(
                conn.execute(
                    select(T.operations.c.pk).where(T.operations.c.id == op_id)
                ).scalar_one()
            )
            if item.nationalities:
                conn.execute(
                    T.operation_nationalities.insert(),
                    [{"operation_pk": op_pk, "nationality": n, "count": c}
                     for n, c in sorted(item.nationalities.items())],
                )  # fmt: skip
            at = as_datetime(item.date)
            person_pks: list[int] = []
            for person_id in item.persons:
                row, person_case = load_person(ctx, conn, person_id)
                if person_case.pk != case.pk:
                    raise InputError(
                        f"{person_id} is not in case {case.id}", field="persons",
                        hint="link persons of other cases to reports with `tocsin cases link`",
                    )  # fmt: skip
                change_status(ctx, conn, row, case, Status.RESCUED, at=at, operation_pk=op_pk,
                              note=f"{item.kind} {op_id}")  # fmt: skip
                if row.compound_pk is None and compound_pk is not None:
                    conn.execute(
                        update(T.persons)
                        .where(T.persons.c.pk == row.pk)
                        .values(compound_pk=compound_pk)
                    )
                person_pks.append(int(row.pk))
            for survivor in item.survivors:
                if survivor.compound is None and item.compound is not None:
                    survivor.compound = item.compound
                note = f"met in {item.kind} {op_id}"
                pk, _ = insert_person(
                    ctx, conn, case, survivor, Status.RESCUED, at=at, operation_pk=op_pk, note=note
                )
                person_pks.append(pk)
            if person_pks:
                conn.execute(
                    T.operation_persons.insert(),
                    [{"operation_pk": op_pk, "person_pk": pk} for pk in person_pks],
                )
        return self.get(op_id)

    def get(self, operation_id: str) -> OperationView:
        ctx = self.ctx
        with ctx.transaction("operation.read", "operation", operation_id) as conn:
            row, case = load_operation(ctx, conn, operation_id)
            return _view(conn, row, case)

    def in_case(self, case_id: str) -> list[OperationView]:
        ctx = self.ctx
        with ctx.transaction("operation.list", "case", case_id) as conn:
            case = ctx.case_ref(conn, case_id)
            rows = conn.execute(
                select(T.operations)
                .where(T.operations.c.case_pk == case.pk)
                .order_by(T.operations.c.date)
            ).all()
            return [_view(conn, r, case) for r in rows]


def _view(conn: Connection, row: Row[Any], case: CaseRef) -> OperationView:
    compound = None
    if row.compound_pk is not None:
        compound = conn.execute(
            select(T.compounds.c.id).where(T.compounds.c.pk == row.compound_pk)
        ).scalar()
    nationalities = dict(
        conn.execute(
            select(T.operation_nationalities.c.nationality, T.operation_nationalities.c.count)
            .where(T.operation_nationalities.c.operation_pk == row.pk)
            .order_by(T.operation_nationalities.c.count.desc())
        ).all()
    )
    persons = conn.scalars(
        select(T.persons.c.id)
        .join(T.operation_persons, T.operation_persons.c.person_pk == T.persons.c.pk)
        .where(T.operation_persons.c.operation_pk == row.pk)
        .order_by(T.persons.c.id)
    ).all()
    created = aware(row.created_at)
    assert created is not None
    return OperationView(
        id=row.id, case=case.id, kind=row.kind, date=row.date, compound=compound,
        place=row.place, country=(row.country or "").upper() or None,
        agencies=json.loads(row.agencies),
        freed_total=row.freed_total,
        nationalities={k.upper(): int(v) for k, v in nationalities.items()},
        follow_up=row.follow_up, source=row.source, created_at=created,
        created_by=row.created_by, persons=list(persons),
    )  # fmt: skip
