"""Missing-person reports: who is missing, who reports it, the last contact and the lure.

The job offer that lured the person is pasted as it was received and stored as a document of the
case's RED dataset, scanned like any other, so its selectors (the recruiter's phone, Telegram
handle, wallet) link into the graph; the recruiter contacts the family gives are stored the same
way, as a short ``report`` document. `tocsin.cases.matching` then tells, at once, which
documents, networks, compounds and other reports share those selectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from tocsin.access.principal import Principal
from tocsin.cases.compounds import resolve_compound
from tocsin.cases.context import CaseContext, CaseRef, NotFound, aware, new_id, now
from tocsin.cases.fields import ReportInput, clean_text
from tocsin.cases.persons import add_event, change_status, insert_person, load_person
from tocsin.cases.teams import case_dataset_name
from tocsin.cases.workflow import TRANSITIONS, Status
from tocsin.detect.engine import Engine as ScanEngine
from tocsin.errors import InputError
from tocsin.model import Document, DocumentKind
from tocsin.selectors import extract
from tocsin.store import Store
from tocsin.store.schema import CASE_TABLES, documents, links, selectors

__all__ = [
    "FAMILY_FIELDS",
    "ReportSummary",
    "ReportView",
    "Reports",
    "insert_report",
    "load_report",
    "report_documents",
    "scanner",
    "store_documents",
]

T = CASE_TABLES
CONTACTS_HEADER = "Recruiter contacts given in a missing-person report:"


@lru_cache(maxsize=1)
def scanner() -> ScanEngine:
    """The scan engine for pasted offers (loaded once: the models take a moment)."""
    return ScanEngine()


@dataclass(slots=True)
class ReportView:
    id: str
    case: str
    person: str
    reported_at: datetime
    reporter_name: str | None
    reporter_contact: str | None
    reporter_relation: str | None
    last_contact_at: date | None
    last_contact_channel: str | None
    last_known_place: str | None
    last_known_country: str | None
    compound: str | None
    job_title: str | None
    promised_place: str | None
    recruiter_contacts: list[str]
    offer_document: str | None
    contacts_document: str | None
    located_person: str | None
    created_at: datetime
    created_by: str
    selectors: list[dict[str, str]] = field(default_factory=list)
    unrecognised_contacts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__slots__}
        for key in ("reported_at", "created_at", "last_contact_at"):
            data[key] = data[key].isoformat() if data[key] is not None else None
        return data


@dataclass(frozen=True, slots=True)
class ReportSummary:
    id: str
    case: str
    person: str
    name: str | None
    nationality: str | None
    status: str
    reported_at: datetime
    last_known_place: str | None

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__slots__}
        data["reported_at"] = self.reported_at.isoformat()
        return data


FAMILY_FIELDS = ("reporter_name", "reporter_contact", "reporter_relation")
"""Fields of a report that say who reported the person and how to reach the family."""


def _place(field_name: str, report_id: str) -> str:
    return f"missing_reports.{field_name}:{report_id}"


def load_report(ctx: CaseContext, conn: Connection, report_id: str) -> tuple[Row[Any], CaseRef]:
    row = conn.execute(
        select(T.missing_reports).where(T.missing_reports.c.id == report_id.strip())
    ).first()
    if row is None:
        raise NotFound(f"no report {report_id!r}", field="report")
    try:
        case = ctx.case_by(conn, T.cases.c.pk == row.case_pk, "")
    except NotFound:
        raise NotFound(f"no report {report_id!r}", field="report") from None
    return row, case


def _document_selectors(conn: Connection, document_id: str) -> list[str]:
    return list(
        conn.scalars(
            select(selectors.c.key)
            .join(links, links.c.selector_pk == selectors.c.pk)
            .join(documents, documents.c.pk == links.c.document_pk)
            .where(documents.c.id == document_id)
            .order_by(selectors.c.key)
        )
    )


def report_documents(
    case_id: str, report_id: str, item: ReportInput
) -> dict[str, dict[str, Document]]:
    """The documents a report adds to the case's dataset: ``{report_id: {"offer": …,
    "contacts": …}}`` (either may be missing)."""
    country = (item.person.nationality or item.last_known_country or "").upper() or None
    docs: dict[str, Document] = {}
    if item.offer_text:
        docs["offer"] = Document(
            item.offer_text, DocumentKind.JOB_AD, id=f"{report_id}/offer", country=country,
            source=f"case:{case_id}", metadata={"title": item.job_title or "job offer"},
        )  # fmt: skip
    if item.recruiter_contacts:
        text = "\n".join([CONTACTS_HEADER, *item.recruiter_contacts])
        docs["contacts"] = Document(
            text, DocumentKind.REPORT, id=f"{report_id}/contacts", country=country,
            source=f"case:{case_id}",
        )  # fmt: skip
    return {report_id: docs} if docs else {}


def store_documents(ctx: CaseContext, case_id: str, docs: list[Document]) -> None:
    """Store, scan and link documents in the case's dataset.

    The case layer has authorised the write; the case's dataset belongs to the organisation
    that opened the case, so members from partner organisations write through the system
    principal (the case's own audit entry names them)."""
    if not docs:
        return
    writer = Store(ctx.engine, Principal.system(), settings=ctx.settings, owns_engine=False)
    writer.store_batch(docs, scanner(), dataset=case_dataset_name(case_id))


def insert_report(
    ctx: CaseContext,
    conn: Connection,
    case: CaseRef,
    item: ReportInput,
    report_id: str,
    docs: dict[str, Document],
    *,
    status: Status = Status.REPORTED,
    status_at: datetime | None = None,
    note: str | None = None,
) -> int:
    """Insert the person and the report (``item`` cleaned, ``docs`` stored already); its pk.

    ``status`` other than reported is for imports of existing spreadsheets, where the person's
    current status is known: it is recorded as the person's first event, with ``note``."""
    if item.person.compound is None and item.compound is not None:
        item.person.compound = item.compound  # where the person is thought to be held
    reported_at = item.reported_at or now()
    person_pk, _ = insert_person(
        ctx, conn, case, item.person, status, at=status_at or reported_at, note=note
    )
    sealed = ctx.cipher
    conn.execute(
        T.missing_reports.insert(),
        {
            "id": report_id,
            "case_pk": case.pk,
            "person_pk": person_pk,
            "reported_at": reported_at,
            "reporter_name": sealed.seal(
                item.reporter_name, place=_place("reporter_name", report_id)
            ),
            "reporter_contact": sealed.seal(
                item.reporter_contact, place=_place("reporter_contact", report_id)
            ),
            "reporter_relation": item.reporter_relation,
            "last_contact_at": item.last_contact_at,
            "last_contact_channel": item.last_contact_channel,
            "last_known_place": item.last_known_place,
            "last_known_country": item.last_known_country,
            "compound_pk": resolve_compound(ctx, conn, item.compound) if item.compound else None,
            "job_title": item.job_title,
            "promised_place": item.promised_place,
            "recruiter_contacts": "\n".join(item.recruiter_contacts),
            "offer_document_id": docs["offer"].content_hash if "offer" in docs else None,
            "contacts_document_id": docs["contacts"].content_hash if "contacts" in docs else None,
            "located_person_pk": None,
            "created_at": now(),
            "created_by": ctx.principal.username,
        },
    )
    report_pk = int(
        conn.execute(
            select(T.missing_reports.c.pk).where(T.missing_reports.c.id == report_id)
        ).scalar_one()
    )
    conn.execute(
        update(T.person_events)
        .where(T.person_events.c.person_pk == person_pk)
        .values(report_pk=report_pk)
    )
    keys: dict[str, str] = {}
    for source, doc in docs.items():
        for key in _document_selectors(conn, doc.content_hash):
            keys.setdefault(key, source)
    if keys:
        conn.execute(
            T.report_selectors.insert(),
            [{"report_pk": report_pk, "selector_key": k, "source": src}
             for k, src in sorted(keys.items())],
        )  # fmt: skip
    return report_pk


class Reports:
    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx

    def create(self, case_id: str, item: ReportInput) -> ReportView:
        """Record a report: the missing person (status ``reported``), the report, and the offer
        and contacts stored, scanned and linked in the case's dataset."""
        ctx = self.ctx
        item = item.cleaned()
        with ctx.engine.connect() as conn:
            case = ctx.case_ref(conn, case_id)
            ctx.require_write(case)
            if item.compound:
                resolve_compound(ctx, conn, item.compound)
        report_id = new_id("R")
        docs = report_documents(case.id, report_id, item)
        store_documents(ctx, case.id, [d for pair in docs.values() for d in pair.values()])
        detail = {
            "case": case.id,
            "offer": "offer" in docs,
            "contacts": len(item.recruiter_contacts),
        }
        with ctx.transaction("report.create", "report", report_id, detail) as conn:
            case = ctx.case_ref(conn, case_id)
            insert_report(ctx, conn, case, item, report_id, docs.get(report_id, {}))
        return self.get(report_id)

    def get(self, report_id: str) -> ReportView:
        ctx = self.ctx
        with ctx.transaction("report.read", "report", report_id) as conn:
            row, case = load_report(ctx, conn, report_id)
            return self._view(conn, row, case)

    def _view(self, conn: Connection, row: Row[Any], case: CaseRef) -> ReportView:
        c, rid = self.ctx.cipher, row.id

        def pid(pk: int | None) -> str | None:
            if pk is None:
                return None
            return conn.execute(select(T.persons.c.id).where(T.persons.c.pk == pk)).scalar()

        compound = None
        if row.compound_pk is not None:
            compound = conn.execute(
                select(T.compounds.c.id).where(T.compounds.c.pk == row.compound_pk)
            ).scalar()
        keys = conn.execute(
            select(T.report_selectors.c.selector_key, T.report_selectors.c.source)
            .where(T.report_selectors.c.report_pk == row.pk)
            .order_by(T.report_selectors.c.selector_key)
        ).all()
        contacts = [x for x in row.recruiter_contacts.split("\n") if x]
        unrecognised = []
        if row.contacts_document_id:
            found = set(_document_selectors(conn, row.contacts_document_id))
            unrecognised = [
                x for x in contacts if not {s.key for s in extract(x)} & found and x.strip()
            ]
        person = pid(row.person_pk)
        assert person is not None
        reported_at, created_at = aware(row.reported_at), aware(row.created_at)
        assert reported_at is not None and created_at is not None
        return ReportView(
            id=rid, case=case.id, person=person, reported_at=reported_at,
            reporter_name=c.open(row.reporter_name, place=_place("reporter_name", rid)),
            reporter_contact=c.open(row.reporter_contact, place=_place("reporter_contact", rid)),
            reporter_relation=row.reporter_relation, last_contact_at=row.last_contact_at,
            last_contact_channel=row.last_contact_channel, last_known_place=row.last_known_place,
            last_known_country=(row.last_known_country or "").upper() or None,
            compound=compound,
            job_title=row.job_title, promised_place=row.promised_place,
            recruiter_contacts=contacts, offer_document=row.offer_document_id,
            contacts_document=row.contacts_document_id,
            located_person=pid(row.located_person_pk), created_at=created_at,
            created_by=row.created_by,
            selectors=[{"key": k, "source": s} for k, s in keys],
            unrecognised_contacts=unrecognised,
        )  # fmt: skip

    def in_case(self, case_id: str) -> list[ReportSummary]:
        ctx = self.ctx
        with ctx.transaction("report.list", "case", case_id) as conn:
            case = ctx.case_ref(conn, case_id)
            rows = conn.execute(
                select(
                    T.missing_reports.c.id, T.missing_reports.c.reported_at,
                    T.missing_reports.c.last_known_place, T.persons.c.id.label("pid"),
                    T.persons.c.name, T.persons.c.nationality, T.persons.c.status,
                )
                .join(T.persons, T.persons.c.pk == T.missing_reports.c.person_pk)
                .where(T.missing_reports.c.case_pk == case.pk)
                .order_by(T.missing_reports.c.reported_at.desc())
            ).all()  # fmt: skip
        return [
            ReportSummary(
                id=r.id,
                case=case.id,
                person=r.pid,
                name=ctx.cipher.open(r.name, place=f"persons.name:{r.pid}"),
                nationality=r.nationality.upper() if r.nationality else None,
                status=r.status,
                reported_at=aware(r.reported_at) or r.reported_at,
                last_known_place=r.last_known_place,
            )
            for r in rows
        ]

    def update_family(self, report_id: str, changes: dict[str, str | None]) -> ReportView:
        """Change who reported the person and how to reach the family (``reporter_name``,
        ``reporter_contact``, ``reporter_relation``; empty clears). The first two are sealed
        like every personal field; the person's timeline records which fields, not the
        values."""
        unknown = sorted(set(changes) - set(FAMILY_FIELDS))
        if unknown:
            raise InputError(f"cannot change {', '.join(unknown)} here", field=unknown[0])
        ctx = self.ctx
        detail = {"fields": sorted(changes)}
        with ctx.transaction("report.edit", "report", report_id, detail) as conn:
            row, case = load_report(ctx, conn, report_id)
            ctx.require_write(case)
            if not changes:  # after the access checks: says nothing about unseen reports
                raise InputError("nothing to change", field="body")
            values: dict[str, Any] = {}
            for key, value in changes.items():
                text = clean_text(value, key)
                if key == "reporter_relation":
                    values[key] = text
                else:
                    values[key] = ctx.cipher.seal(text, place=_place(key, row.id))
            conn.execute(
                update(T.missing_reports).where(T.missing_reports.c.pk == row.pk).values(**values)
            )
            subject = conn.execute(
                select(T.persons.c.pk, T.persons.c.id).where(T.persons.c.pk == row.person_pk)
            ).one()
            add_event(ctx, conn, int(subject.pk), subject.id, "edit", None, None, now(), None,
                      report_pk=row.pk, fields=",".join(sorted(changes)))  # fmt: skip
            return self._view(conn, *load_report(ctx, conn, report_id))

    def link(self, report_id: str, person_id: str, *, note: str | None = None) -> ReportView:
        """The person ``person_id`` (met in an operation, at a shelter) is the one the report is
        about: link them, and bring the reported person's status along where the workflow
        allows it (a reported person found rescued becomes rescued)."""
        ctx = self.ctx
        with ctx.transaction("report.link", "report", report_id, {"person": person_id}) as conn:
            row, case = load_report(ctx, conn, report_id)
            ctx.require_write(case)
            found, found_case = load_person(ctx, conn, person_id)
            ctx.require_write(found_case)
            if found.pk == row.person_pk:
                raise InputError(f"{person_id} is the person the report is about", field="person")
            conn.execute(
                update(T.missing_reports)
                .where(T.missing_reports.c.pk == row.pk)
                .values(located_person_pk=found.pk)
            )
            subject = conn.execute(select(T.persons).where(T.persons.c.pk == row.person_pk)).one()
            target = Status(found.status)
            reason = note or f"identified as {found.id}"
            if target != Status(subject.status) and target in TRANSITIONS[Status(subject.status)]:
                change_status(ctx, conn, subject, case, target, note=reason, report_pk=row.pk)
            else:
                add_event(ctx, conn, int(subject.pk), subject.id, "link", None, None, now(),
                          reason, report_pk=row.pk)  # fmt: skip
            add_event(ctx, conn, int(found.pk), found.id, "link", None, None, now(),
                      f"identified as the person of report {row.id}", report_pk=row.pk)  # fmt: skip
            return self._view(conn, *load_report(ctx, conn, report_id))
