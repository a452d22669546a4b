"""Compounds as first-class places: names in several languages and scripts, a location, the
companies that run them, the selectors tied to them, and the reports and operations that
concern them.

A compound belongs to a dataset, whose TLP marking decides who sees it — the same rule as for
documents (`tocsin.store.scope`); the reference list (`tocsin.cases.reference`) is CLEAR. The
reports and operations listed on a compound are only those of cases the principal is on the
team of. Each compound is also written to the store as FollowTheMoney statements
(`tocsin.cases.ftm`), so `tocsin export --format ftm` carries it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from tocsin.access.principal import AccessDenied
from tocsin.cases.context import CaseContext, NotFound, aware, now
from tocsin.cases.fields import CompoundInput
from tocsin.cases.ftm import write_compound_statements
from tocsin.errors import InputError
from tocsin.selectors import extract
from tocsin.store.schema import CASE_TABLES, datasets
from tocsin.store.scope import visible_dataset_pks

__all__ = ["CompoundView", "Compounds", "resolve_compound", "selector_key"]

T = CASE_TABLES


def selector_key(value: str) -> str:
    """A selector key from ``type:value`` or from text naming exactly one selector."""
    text = value.strip()
    kind, sep, rest = text.partition(":")
    if sep and kind.isalpha() and kind.islower() and rest and "//" not in rest[:2]:
        return text
    found = sorted({s.key for s in extract(text)})
    if len(found) != 1:
        raise InputError(
            f"{text[:80]!r} names {len(found)} selectors; give one, e.g. 'telegram @name' or "
            "'+855 12 345 678'",
            field="selector",
        )
    return found[0]


def resolve_compound(ctx: CaseContext, conn: Connection, compound_id: str) -> int:
    """The pk of a compound the principal sees, else `NotFound`."""
    visible = visible_dataset_pks(conn, ctx.principal)
    query = select(T.compounds.c.pk).where(T.compounds.c.id == compound_id.strip().lower())
    if visible is not None:
        query = query.where(T.compounds.c.dataset_pk.in_(visible))
    pk = conn.execute(query).scalar()
    if pk is None:
        raise NotFound(f"no compound {compound_id!r}", field="compound")
    return int(pk)


@dataclass(slots=True)
class CompoundView:
    id: str
    name: str
    kind: str
    country: str | None
    latitude: float | None
    longitude: float | None
    precision: str
    location_note: str
    description: str
    dataset: str
    marking: str
    updated_at: datetime | None
    names: list[dict[str, str | None]] = field(default_factory=list)
    companies: list[dict[str, str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    selectors: list[dict[str, Any]] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    operations: list[dict[str, Any]] = field(default_factory=list)
    persons: int = 0
    documents: int = 0

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__slots__}
        data["updated_at"] = self.updated_at.isoformat() if self.updated_at else None
        return data


class Compounds:
    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx

    # -- writing --------------------------------------------------------------------------

    def _writable(self, conn: Connection, compound_id: str) -> tuple[int, int, str, str]:
        """(pk, dataset pk, dataset name, marking) of a compound the principal may change."""
        pk = resolve_compound(self.ctx, conn, compound_id)
        row = conn.execute(
            select(datasets.c.pk, datasets.c.name, datasets.c.marking, datasets.c.org_pk)
            .join(T.compounds, T.compounds.c.dataset_pk == datasets.c.pk)
            .where(T.compounds.c.pk == pk)
        ).one()
        self._require_write(row.org_pk)
        return pk, int(row.pk), row.name, row.marking

    def _require_write(self, org_pk: int | None) -> None:
        p = self.ctx.principal
        if p.system:
            return
        if not p.can("ingest") or org_pk != p.org_pk:
            raise AccessDenied(
                f"{p.username} may not change this compound",
                hint="analysts of the organisation that owns its dataset can",
            )

    def add(
        self, item: CompoundInput, *, dataset: str | None = None, marking: str | None = None
    ) -> CompoundView:
        """A new compound in ``dataset`` (default ``TOCSIN_COMPOUNDS_DATASET``)."""
        ctx = self.ctx
        item = item.cleaned()
        ds_pk, _ = ctx.store.dataset(dataset or ctx.settings.compounds_dataset, marking)
        with ctx.transaction("compound.create", "compound", item.id) as conn:
            taken = conn.execute(select(T.compounds.c.pk).where(T.compounds.c.id == item.id))
            if taken.first() is not None:
                raise InputError(f"the compound id {item.id!r} is taken", field="id")
            at = now()
            conn.execute(
                T.compounds.insert(),
                {**_columns(item), "dataset_pk": ds_pk, "created_at": at, "updated_at": at,
                 "created_by": ctx.principal.username},
            )  # fmt: skip
            pk = resolve_compound(ctx, conn, item.id)
            _replace_children(conn, pk, item)
            self._statements(conn, pk)
        return self.get(item.id)

    def update(self, item: CompoundInput) -> CompoundView:
        """Replace a compound's details, names, companies and sources (selectors stay)."""
        ctx = self.ctx
        item = item.cleaned()
        with ctx.transaction("compound.update", "compound", item.id) as conn:
            pk, *_ = self._writable(conn, item.id)
            conn.execute(
                update(T.compounds)
                .where(T.compounds.c.pk == pk)
                .values(**_columns(item), updated_at=now())
            )
            _replace_children(conn, pk, item)
            self._statements(conn, pk)
        return self.get(item.id)

    def add_name(
        self, compound_id: str, name: str, language: str | None = None, script: str | None = None
    ) -> CompoundView:
        name = name.strip()
        if not name or len(name) > 200:
            raise InputError("a name has 1 to 200 characters", field="name")
        ctx = self.ctx
        with ctx.transaction("compound.name", "compound", compound_id, {"name": name}) as conn:
            pk, *_ = self._writable(conn, compound_id)
            conn.execute(
                delete(T.compound_names).where(
                    T.compound_names.c.compound_pk == pk, T.compound_names.c.name == name
                )
            )
            conn.execute(
                T.compound_names.insert(),
                {"compound_pk": pk, "name": name, "language": language, "script": script},
            )
            self._statements(conn, pk)
        return self.get(compound_id)

    def add_company(
        self, compound_id: str, name: str, role: str = "operator", note: str = ""
    ) -> CompoundView:
        name, role = name.strip(), role.strip() or "operator"
        if not name or len(name) > 300:
            raise InputError("a company name has 1 to 300 characters", field="company")
        ctx = self.ctx
        detail = {"company": name, "role": role}
        with ctx.transaction("compound.company", "compound", compound_id, detail) as conn:
            pk, *_ = self._writable(conn, compound_id)
            conn.execute(
                delete(T.compound_companies).where(
                    T.compound_companies.c.compound_pk == pk,
                    T.compound_companies.c.name == name,
                    T.compound_companies.c.role == role,
                )
            )
            conn.execute(
                T.compound_companies.insert(),
                {"compound_pk": pk, "name": name, "role": role, "note": note.strip()},
            )
            self._statements(conn, pk)
        return self.get(compound_id)

    def link_selector(self, compound_id: str, value: str, *, remove: bool = False) -> CompoundView:
        """Tie a selector (a recruiter's phone, a compound's wallet) to a compound, or untie it."""
        key = selector_key(value)
        ctx = self.ctx
        action = "compound.unlink" if remove else "compound.link"
        with ctx.transaction(action, "compound", compound_id, {"selector": key}) as conn:
            pk, *_ = self._writable(conn, compound_id)
            conn.execute(
                delete(T.compound_selectors).where(
                    T.compound_selectors.c.compound_pk == pk,
                    T.compound_selectors.c.selector_key == key,
                )
            )
            if not remove:
                conn.execute(
                    T.compound_selectors.insert(),
                    {"compound_pk": pk, "selector_key": key, "added_at": now(),
                     "added_by": ctx.principal.username},
                )  # fmt: skip
        return self.get(compound_id)

    def _statements(self, conn: Connection, pk: int) -> None:
        write_compound_statements(conn, pk)

    # -- reading --------------------------------------------------------------------------

    def all(self) -> list[CompoundView]:
        """Every compound the principal sees (details, names and companies; no links)."""
        ctx = self.ctx
        with ctx.engine.connect() as conn:
            visible = visible_dataset_pks(conn, ctx.principal)
            query = select(T.compounds.c.id).order_by(T.compounds.c.country, T.compounds.c.name)
            if visible is not None:
                query = query.where(T.compounds.c.dataset_pk.in_(visible))
            ids = list(conn.scalars(query))
            return [_view(ctx, conn, resolve_compound(ctx, conn, i), links=False) for i in ids]

    def get(self, compound_id: str, *, links: bool = True) -> CompoundView:
        """A compound with its names, companies, sources, selectors (with how many visible
        documents name each), and the reports and operations of the principal's cases."""
        ctx = self.ctx
        # audited: the reports and operations listed are case material
        with ctx.transaction("compound.read", "compound", compound_id) as conn:
            view = _view(ctx, conn, resolve_compound(ctx, conn, compound_id), links=links)
        if links:
            source = ctx.store.link_source()
            for sel in view.selectors:
                sel["documents"] = source.selector_degree(sel["key"])
            view.documents = ctx.store.search_count(view.name)
        return view


def _columns(item: CompoundInput) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "kind": item.kind,
        "country": item.country,
        "latitude": item.latitude,
        "longitude": item.longitude,
        "precision": item.precision,
        "location_note": item.location_note,
        "description": item.description,
    }


def _replace_children(conn: Connection, pk: int, item: CompoundInput) -> None:
    for table in (T.compound_names, T.compound_companies, T.compound_sources):
        conn.execute(delete(table).where(table.c.compound_pk == pk))
    names = {n: (n, lang, script) for n, lang, script in item.names if n != item.name}
    if names:
        conn.execute(
            T.compound_names.insert(),
            [{"compound_pk": pk, "name": n, "language": lang, "script": s}
             for n, lang, s in names.values()],
        )  # fmt: skip
    companies = {(n, r): note for n, r, note in item.companies}
    if companies:
        conn.execute(
            T.compound_companies.insert(),
            [{"compound_pk": pk, "name": n, "role": r, "note": note}
             for (n, r), note in companies.items()],
        )  # fmt: skip
    if item.sources:
        conn.execute(
            T.compound_sources.insert(),
            [{"compound_pk": pk, "citation": c} for c in dict.fromkeys(item.sources)],
        )


def _view(ctx: CaseContext, conn: Connection, pk: int, *, links: bool) -> CompoundView:
    row = conn.execute(
        select(T.compounds, datasets.c.name.label("dataset"), datasets.c.marking)
        .join(datasets, datasets.c.pk == T.compounds.c.dataset_pk)
        .where(T.compounds.c.pk == pk)
    ).one()
    names = conn.execute(
        select(T.compound_names.c.name, T.compound_names.c.language, T.compound_names.c.script)
        .where(T.compound_names.c.compound_pk == pk)
        .order_by(T.compound_names.c.pk)
    ).all()
    companies = conn.execute(
        select(
            T.compound_companies.c.name, T.compound_companies.c.role, T.compound_companies.c.note
        )
        .where(T.compound_companies.c.compound_pk == pk)
        .order_by(T.compound_companies.c.pk)
    ).all()
    view = CompoundView(
        id=row.id, name=row.name, kind=row.kind, country=(row.country or "").upper() or None,
        latitude=row.latitude,
        longitude=row.longitude, precision=row.precision, location_note=row.location_note,
        description=row.description, dataset=row.dataset, marking=row.marking,
        updated_at=aware(row.updated_at),
        names=[{"name": n, "language": lang, "script": s} for n, lang, s in names],
        companies=[{"name": n, "role": r, "note": note} for n, r, note in companies],
    )  # fmt: skip
    if not links:
        return view
    view.sources = list(
        conn.scalars(
            select(T.compound_sources.c.citation)
            .where(T.compound_sources.c.compound_pk == pk)
            .order_by(T.compound_sources.c.pk)
        )
    )
    view.selectors = [
        {"key": k, "added_by": who}
        for k, who in conn.execute(
            select(T.compound_selectors.c.selector_key, T.compound_selectors.c.added_by)
            .where(T.compound_selectors.c.compound_pk == pk)
            .order_by(T.compound_selectors.c.selector_key)
        )
    ]
    member = ctx.member_filter()
    view.reports = list(
        conn.scalars(
            select(T.missing_reports.c.id)
            .join(T.cases, T.cases.c.pk == T.missing_reports.c.case_pk)
            .where(T.missing_reports.c.compound_pk == pk, member)
            .order_by(T.missing_reports.c.reported_at)
        )
    )
    view.operations = [
        {"id": i, "kind": k, "date": d.isoformat()}
        for i, k, d in conn.execute(
            select(T.operations.c.id, T.operations.c.kind, T.operations.c.date)
            .join(T.cases, T.cases.c.pk == T.operations.c.case_pk)
            .where(T.operations.c.compound_pk == pk, member)
            .order_by(T.operations.c.date)
        )
    ]
    view.persons = int(
        conn.execute(
            select(func.count())
            .select_from(T.persons.join(T.cases, T.cases.c.pk == T.persons.c.case_pk))
            .where(T.persons.c.compound_pk == pk, member)
        ).scalar_one()
    )
    return view
