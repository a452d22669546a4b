"""Persons — victims and survivors — their status and its timeline.

Every person has a pseudonymous id (``P-7K3QX-9XD2M``) given by Tocsin, stable for the life of
the record; a name is optional, so a survivor who does not want to be named is recorded all the
same. Personal fields are sealed by the case cipher (`tocsin.cases.crypto`). Each status change
is an event with who recorded it, when it happened and when it was written; the workflow
(`tocsin.cases.workflow`) decides which changes are allowed, and a case lead may record a
correction, with a reason, when an earlier entry was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from tocsin.cases.compounds import resolve_compound
from tocsin.cases.context import CaseContext, CaseRef, NotFound, aware, new_id, now
from tocsin.cases.fields import PersonInput
from tocsin.cases.workflow import TRANSITIONS, Status, check_initial, check_transition, parse
from tocsin.errors import InputError
from tocsin.store.schema import CASE_TABLES

__all__ = [
    "EventView",
    "PersonSummary",
    "PersonView",
    "Persons",
    "add_event",
    "change_status",
    "insert_person",
    "load_person",
]

T = CASE_TABLES
_EDITABLE = (
    "name", "passport", "notes", "sex", "birth_year", "nationality", "languages", "compound",
    "ref", "photo",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class EventView:
    at: datetime
    recorded_at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    operation: str | None
    report: str | None
    fields: list[str]
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "recorded_at": self.recorded_at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "operation": self.operation,
            "report": self.report,
            "fields": self.fields,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class PersonSummary:
    id: str
    case: str
    name: str | None
    sex: str | None
    birth_year: int | None
    nationality: str | None
    status: str
    status_at: datetime
    compound: str | None

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__slots__}
        data["status_at"] = self.status_at.isoformat()
        return data


@dataclass(slots=True)
class PersonView:
    id: str
    case: str
    ref: str | None
    name: str | None
    passport: str | None
    has_photo: bool
    notes: str | None
    sex: str | None
    birth_year: int | None
    nationality: str | None
    languages: list[str]
    status: str
    status_at: datetime
    compound: str | None
    created_at: datetime
    created_by: str
    reports: list[str] = field(default_factory=list)  # reports about this person
    located_for: list[str] = field(default_factory=list)  # reports this person was found for
    operations: list[str] = field(default_factory=list)
    allowed_next: list[str] = field(default_factory=list)
    timeline: list[EventView] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__slots__}
        for key in ("status_at", "created_at"):
            data[key] = data[key].isoformat()
        data["timeline"] = [e.to_dict() for e in self.timeline]
        return data


def _upper(code: str | None) -> str | None:
    """Country codes are stored lower-case (as FtM has them) and shown upper-case."""
    return code.upper() if code else None


def _place(field_name: str, person_id: str) -> str:
    return f"persons.{field_name}:{person_id}"


def _seal(ctx: CaseContext, item: PersonInput, person_id: str) -> dict[str, Any]:
    c = ctx.cipher
    return {
        "name": c.seal(item.name, place=_place("name", person_id)),
        "passport": c.seal(item.passport, place=_place("passport", person_id)),
        "notes": c.seal(item.notes, place=_place("notes", person_id)),
        "photo": None
        if item.photo is None
        else c.seal_bytes(item.photo, place=_place("photo", person_id)),
        "photo_type": item.photo_type,
    }


def _languages(codes: list[str]) -> str:
    return "," + ",".join(codes) + "," if codes else ""


def insert_person(
    ctx: CaseContext,
    conn: Connection,
    case: CaseRef,
    item: PersonInput,
    status: Status,
    *,
    at: datetime | None = None,
    note: str | None = None,
    report_pk: int | None = None,
    operation_pk: int | None = None,
    person_id: str | None = None,
) -> tuple[int, str]:
    """Insert a person (``item`` already cleaned) and their first event; (pk, id)."""
    person_id = person_id or new_id("P")
    compound_pk = resolve_compound(ctx, conn, item.compound) if item.compound else None
    if item.ref is not None:
        taken = conn.execute(
            select(T.persons.c.id).where(
                T.persons.c.case_pk == case.pk, T.persons.c.ref == item.ref
            )
        ).first()
        if taken is not None:
            raise InputError(
                f"the reference {item.ref!r} is already used in case {case.id}", field="ref"
            )
    written = now()
    when = at or written
    conn.execute(
        T.persons.insert(),
        {
            "id": person_id,
            "case_pk": case.pk,
            "ref": item.ref,
            **_seal(ctx, item, person_id),
            "sex": item.sex,
            "birth_year": item.birth_year,
            "nationality": item.nationality,
            "languages": _languages(item.languages),
            "status": status.value,
            "status_at": when,
            "compound_pk": compound_pk,
            "created_at": written,
            "updated_at": written,
            "created_by": ctx.principal.username,
        },
    )
    pk = int(conn.execute(select(T.persons.c.pk).where(T.persons.c.id == person_id)).scalar_one())
    add_event(ctx, conn, pk, person_id, "create", None, status.value, when, note,
           operation_pk=operation_pk, report_pk=report_pk)  # fmt: skip
    return pk, person_id


def add_event(
    ctx: CaseContext, conn: Connection, person_pk: int, person_id: str, action: str,
    before: str | None, after: str | None, at: datetime, note: str | None, *,
    operation_pk: int | None = None, report_pk: int | None = None, fields: str = "",
) -> None:  # fmt: skip
    conn.execute(
        T.person_events.insert(),
        {
            "person_pk": person_pk,
            "at": at,
            "recorded_at": now(),
            "actor": ctx.principal.username,
            "action": action,
            "from_status": before,
            "to_status": after,
            "operation_pk": operation_pk,
            "report_pk": report_pk,
            "fields": fields,
            "note": ctx.cipher.seal(note, place=f"person_events.note:{person_id}"),
        },
    )


def load_person(ctx: CaseContext, conn: Connection, person_id: str) -> tuple[Row[Any], CaseRef]:
    """A person of a case the principal is on the team of, with the case; else `NotFound`."""
    row = conn.execute(select(T.persons).where(T.persons.c.id == person_id.strip())).first()
    if row is None:
        raise NotFound(f"no person {person_id!r}", field="person")
    try:
        case = ctx.case_by(conn, T.cases.c.pk == row.case_pk, "")
    except NotFound:
        raise NotFound(f"no person {person_id!r}", field="person") from None
    return row, case


def change_status(
    ctx: CaseContext,
    conn: Connection,
    row: Row[Any],
    case: CaseRef,
    new: Status,
    *,
    at: datetime | None = None,
    note: str | None = None,
    operation_pk: int | None = None,
    report_pk: int | None = None,
    correction: bool = False,
) -> None:
    """Move a person to ``new`` (checked by the workflow unless it is a lead's correction)."""
    current = Status(row.status)
    if correction:
        ctx.require_lead(case)
        if not note:
            raise InputError("a correction needs a reason", field="note")
    else:
        check_transition(current, new)
    when = at or now()
    conn.execute(
        update(T.persons)
        .where(T.persons.c.pk == row.pk)
        .values(status=new.value, status_at=when, updated_at=now())
    )
    add_event(ctx, conn, int(row.pk), row.id, "correct" if correction else "status",
           current.value, new.value, when, note, operation_pk=operation_pk,
           report_pk=report_pk)  # fmt: skip


class Persons:
    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx

    def add(
        self,
        case_id: str,
        item: PersonInput,
        status: Status | str = Status.LOCATED,
        *,
        at: datetime | None = None,
        note: str | None = None,
    ) -> PersonView:
        """Record a person met without a report (a survivor at a shelter, a located person)."""
        status = parse(status) if isinstance(status, str) else status
        check_initial(status)
        item = item.cleaned()
        ctx = self.ctx
        person_id = new_id("P")
        with ctx.transaction("person.create", "person", person_id, {"case": case_id}) as conn:
            case = ctx.case_ref(conn, case_id)
            ctx.require_write(case)
            insert_person(ctx, conn, case, item, status, at=at, note=note, person_id=person_id)
        return self.get(person_id)

    def get(self, person_id: str) -> PersonView:
        ctx = self.ctx
        with ctx.transaction("person.read", "person", person_id) as conn:
            row, case = load_person(ctx, conn, person_id)
            return self._view(conn, row, case)

    def _view(self, conn: Connection, row: Row[Any], case: CaseRef) -> PersonView:
        c, pid = self.ctx.cipher, row.id
        compound = None
        if row.compound_pk is not None:
            compound = conn.execute(
                select(T.compounds.c.id).where(T.compounds.c.pk == row.compound_pk)
            ).scalar()
        events = conn.execute(
            select(T.person_events, T.operations.c.id.label("op"),
                   T.missing_reports.c.id.label("rep"))
            .outerjoin(T.operations, T.operations.c.pk == T.person_events.c.operation_pk)
            .outerjoin(T.missing_reports, T.missing_reports.c.pk == T.person_events.c.report_pk)
            .where(T.person_events.c.person_pk == row.pk)
            .order_by(T.person_events.c.at, T.person_events.c.pk)
        ).all()  # fmt: skip
        reports = conn.scalars(
            select(T.missing_reports.c.id).where(T.missing_reports.c.person_pk == row.pk)
        ).all()
        located_for = conn.scalars(
            select(T.missing_reports.c.id).where(T.missing_reports.c.located_person_pk == row.pk)
        ).all()
        operations = conn.scalars(
            select(T.operations.c.id)
            .join(T.operation_persons, T.operation_persons.c.operation_pk == T.operations.c.pk)
            .where(T.operation_persons.c.person_pk == row.pk)
            .order_by(T.operations.c.date)
        ).all()
        status_at, created_at = aware(row.status_at), aware(row.created_at)
        assert status_at is not None and created_at is not None
        return PersonView(
            id=pid, case=case.id, ref=row.ref,
            name=c.open(row.name, place=_place("name", pid)),
            passport=c.open(row.passport, place=_place("passport", pid)),
            has_photo=row.photo is not None,
            notes=c.open(row.notes, place=_place("notes", pid)),
            sex=row.sex, birth_year=row.birth_year, nationality=_upper(row.nationality),
            languages=[x for x in row.languages.split(",") if x],
            status=row.status, status_at=status_at, compound=compound,
            created_at=created_at, created_by=row.created_by,
            reports=list(reports), located_for=list(located_for), operations=list(operations),
            allowed_next=[s.value for s in Status if s in TRANSITIONS[Status(row.status)]],
            timeline=[
                EventView(
                    at=aware(e.at) or e.at, recorded_at=aware(e.recorded_at) or e.recorded_at,
                    actor=e.actor, action=e.action, from_status=e.from_status,
                    to_status=e.to_status, operation=e.op, report=e.rep,
                    fields=[f for f in e.fields.split(",") if f],
                    note=c.open(e.note, place=f"person_events.note:{pid}"),
                )
                for e in events
            ],
        )  # fmt: skip

    def photo(self, person_id: str) -> tuple[bytes, str] | None:
        ctx = self.ctx
        with ctx.transaction("person.photo", "person", person_id) as conn:
            row, _ = load_person(ctx, conn, person_id)
            data = ctx.cipher.open_bytes(row.photo, place=_place("photo", row.id))
            return None if data is None else (data, row.photo_type or "application/octet-stream")

    def set_status(
        self,
        person_id: str,
        status: Status | str,
        *,
        at: datetime | None = None,
        note: str | None = None,
        operation: str | None = None,
        correction: bool = False,
    ) -> PersonView:
        """Record a status change (checked by the workflow; ``correction``: a lead's fix)."""
        new = parse(status) if isinstance(status, str) else status
        ctx = self.ctx
        detail = {"to": new.value, "correction": correction}
        with ctx.transaction("person.status", "person", person_id, detail) as conn:
            row, case = load_person(ctx, conn, person_id)
            ctx.require_write(case)
            op_pk = None
            if operation is not None:
                op_pk = conn.execute(
                    select(T.operations.c.pk).where(
                        T.operations.c.id == operation, T.operations.c.case_pk == case.pk
                    )
                ).scalar()
                if op_pk is None:
                    raise NotFound(
                        f"no operation {operation!r} in case {case.id}", field="operation"
                    )
            change_status(ctx, conn, row, case, new, at=at, note=note, operation_pk=op_pk,
                          correction=correction)  # fmt: skip
            return self._view(conn, *load_person(ctx, conn, person_id))

    def update(
        self, person_id: str, changes: dict[str, Any], *, note: str | None = None
    ) -> PersonView:
        """Change some fields of a person; the timeline records which fields, not the values."""
        unknown = sorted(set(changes) - set(_EDITABLE))
        if unknown:
            raise InputError(f"cannot change {', '.join(unknown)}", field=unknown[0])
        ctx = self.ctx
        with ctx.transaction(
            "person.edit", "person", person_id, {"fields": sorted(changes)}
        ) as conn:
            row, case = load_person(ctx, conn, person_id)
            ctx.require_write(case)
            merged = PersonInput(
                name=ctx.cipher.open(row.name, place=_place("name", row.id)),
                passport=ctx.cipher.open(row.passport, place=_place("passport", row.id)),
                notes=ctx.cipher.open(row.notes, place=_place("notes", row.id)),
                sex=row.sex, birth_year=row.birth_year, nationality=row.nationality,
                languages=[x for x in row.languages.split(",") if x], ref=row.ref,
            )  # fmt: skip
            for key, value in changes.items():
                if key != "photo":
                    setattr(merged, key, value)
            if "photo" in changes:
                merged.photo, merged.photo_type = changes["photo"] or (None, None)
            cleaned = merged.cleaned()
            values: dict[str, Any] = {
                "sex": cleaned.sex, "birth_year": cleaned.birth_year,
                "nationality": cleaned.nationality, "ref": cleaned.ref,
                "languages": _languages(cleaned.languages), "updated_at": now(),
            }  # fmt: skip
            sealed = _seal(ctx, cleaned, row.id)
            values.update({k: sealed[k] for k in ("name", "passport", "notes")})
            if "photo" in changes:
                values.update(photo=sealed["photo"], photo_type=sealed["photo_type"])
            if "compound" in changes:
                values["compound_pk"] = (
                    resolve_compound(ctx, conn, cleaned.compound) if cleaned.compound else None
                )
            conn.execute(update(T.persons).where(T.persons.c.pk == row.pk).values(**values))
            add_event(ctx, conn, int(row.pk), row.id, "edit", None, None, now(), note,
                   fields=",".join(sorted(changes)))  # fmt: skip
            return self._view(conn, *load_person(ctx, conn, person_id))

    def in_case(self, case_id: str, status: str | None = None) -> list[PersonSummary]:
        ctx = self.ctx
        with ctx.transaction("person.list", "case", case_id, {"status": status}) as conn:
            case = ctx.case_ref(conn, case_id)
            query = select(T.persons).where(T.persons.c.case_pk == case.pk)
            if status is not None:
                query = query.where(T.persons.c.status == parse(status).value)
            return self._summaries(conn, query.order_by(T.persons.c.created_at))

    def _summaries(self, conn: Connection, query: Any) -> list[PersonSummary]:
        cases = dict(conn.execute(select(T.cases.c.pk, T.cases.c.id)).all())
        compounds = dict(conn.execute(select(T.compounds.c.pk, T.compounds.c.id)).all())
        found = []
        for r in conn.execute(query):
            status_at = aware(r.status_at)
            assert status_at is not None
            found.append(
                PersonSummary(
                    id=r.id,
                    case=cases[r.case_pk],
                    name=self.ctx.cipher.open(r.name, place=_place("name", r.id)),
                    sex=r.sex,
                    birth_year=r.birth_year,
                    nationality=_upper(r.nationality),
                    status=r.status,
                    status_at=status_at,
                    compound=compounds.get(r.compound_pk),
                )
            )
        return found

    def find(self, text: str, limit: int = 50) -> list[PersonSummary]:
        """Persons of the principal's cases whose name, passport number, id or reference
        contains ``text`` (personal fields are encrypted, so they are searched here, after
        decryption, and only in the principal's cases — never by the store's full-text index).
        The query is not written to the audit log (it may be a name); the number found is."""
        needle = " ".join(text.casefold().split())
        if len(needle) < 2:
            raise InputError("search for at least 2 characters", field="query")
        ctx = self.ctx
        with ctx.engine.begin() as conn:
            case_pks = ctx.member_case_pks(conn)
            query = select(T.persons)
            if case_pks is not None:
                query = query.where(T.persons.c.case_pk.in_(case_pks))
            hits: list[str] = []
            for r in conn.execute(query.order_by(T.persons.c.pk)):
                haystack = [r.id.casefold(), (r.ref or "").casefold()]
                for name in ("name", "passport"):
                    value = ctx.cipher.open(getattr(r, name), place=_place(name, r.id))
                    if value:
                        haystack.append(" ".join(value.casefold().split()))
                if any(needle in h for h in haystack):
                    hits.append(r.id)
                    if len(hits) >= limit:
                        break
            ctx.audit(conn, "person.search", "person", "*", {"found": len(hits)})
            if not hits:
                return []
            return self._summaries(conn, select(T.persons).where(T.persons.c.id.in_(hits)))
