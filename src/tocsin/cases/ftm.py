"""Compounds as FollowTheMoney statements, and compounds for the sharing formats.

The mapping (docs/ftm-mapping.md) extends `tocsin.store.ftm.compound_statements`:

- the compound → ``Organization`` ``tocsin-compound-<id>`` (name, topics ``crime.traffick.human``
  and ``crime.fraud``, keyword ``tocsin:scam-compound``, country) with every other name as
  ``alias`` and the description as ``notes``;
- its location → ``Address`` ``tocsin-compound-<id>-address`` (``full``, ``country``,
  ``latitude``, ``longitude``, ``remarks`` = the location note), linked by ``addressEntity``;
- each operating company → ``Organization`` ``tocsin-company-<sha1 of name>`` and an
  ``UnknownLink`` (subject = company, object = compound, ``role`` = operator / lessor / …).

Persons, missing-person reports and operations are never mapped: victims' data does not leave
through FtM, STIX or MISP (docs/cases.md, "What leaves").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from followthemoney import model
from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from tocsin.store.ftm import StatementRow, compound_statements
from tocsin.store.schema import CASE_TABLES, datasets, statements
from tocsin.store.writer import upsert_insert

__all__ = ["CompoundRow", "compound_entity_id", "compounds_for_export", "write_compound_statements"]

T = CASE_TABLES


def compound_entity_id(compound_id: str) -> str:
    return f"tocsin-compound-{compound_id}"


def _company_id(name: str) -> str:
    digest = hashlib.sha1(name.casefold().encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"tocsin-company-{digest}"


def _clean(schema: str, prop: str, value: str) -> str | None:
    prop_obj = model.get(schema).get(prop)  # type: ignore[union-attr]
    assert prop_obj is not None, f"{schema}.{prop}"  # a bug in this mapping
    if prop_obj.type.name == "entity":
        return value
    return prop_obj.type.clean(value, proxy=None)


def _rows(compound: Any, names: list[str], companies: list[tuple[str, str]], dataset: str,
          marking: str, seen: datetime) -> list[StatementRow]:  # fmt: skip
    entity = compound_entity_id(compound.id)
    rows = compound_statements(
        compound.id, compound.name, dataset=dataset, marking=marking, seen=seen,
        country=compound.country, origin="analyst",
    )  # fmt: skip
    extra: list[tuple[str, str, str, str]] = [
        (entity, "Organization", "alias", n) for n in names if n != compound.name
    ]
    if compound.description:
        extra.append((entity, "Organization", "notes", compound.description))
    if compound.latitude is not None and compound.longitude is not None:
        address = f"{entity}-address"
        full = f"{compound.name} ({compound.latitude:.6f}, {compound.longitude:.6f})"
        extra += [
            (address, "Address", "full", full),
            (address, "Address", "latitude", repr(compound.latitude)),
            (address, "Address", "longitude", repr(compound.longitude)),
            (entity, "Organization", "addressEntity", address),
        ]
        if compound.country:
            extra.append((address, "Address", "country", compound.country))
        if compound.location_note:
            extra.append((address, "Address", "remarks", compound.location_note[:1000]))
    for name, role in companies:
        company = _company_id(name)
        link = (
            "tocsin-link-"
            + hashlib.sha1(f"{company}|{entity}|{role}".encode(), usedforsecurity=False).hexdigest()
        )
        extra += [
            (company, "Organization", "name", name),
            (link, "UnknownLink", "subject", company),
            (link, "UnknownLink", "object", entity),
            (link, "UnknownLink", "role", role),
        ]
    for entity_id, schema, prop, raw in extra:
        value = _clean(schema, prop, raw)
        if value is not None:
            rows.append(
                StatementRow(entity_id, schema, prop, value, dataset, None, "analyst", marking,
                             seen, seen)
            )  # fmt: skip
    return rows


def write_compound_statements(conn: Connection, compound_pk: int) -> int:
    """(Re)write the FtM statements of one compound in its dataset; returns how many."""
    compound = conn.execute(select(T.compounds).where(T.compounds.c.pk == compound_pk)).one()
    dataset, marking = conn.execute(
        select(datasets.c.name, datasets.c.marking).where(datasets.c.pk == compound.dataset_pk)
    ).one()
    names = list(
        conn.scalars(
            select(T.compound_names.c.name).where(T.compound_names.c.compound_pk == compound_pk)
        )
    )
    companies = [
        (n, r)
        for n, r in conn.execute(
            select(T.compound_companies.c.name, T.compound_companies.c.role).where(
                T.compound_companies.c.compound_pk == compound_pk
            )
        )
    ]
    rows = _rows(compound, names, companies, dataset, marking, compound.updated_at)
    entity = compound_entity_id(compound.id)
    ours = {r.entity_id for r in rows if not r.entity_id.startswith("tocsin-company-")}
    ours |= {entity, f"{entity}-address"}
    conn.execute(
        delete(statements).where(
            statements.c.dataset == dataset, statements.c.entity_id.in_(sorted(ours))
        )
    )
    # links of this compound to companies, written before under another role or company
    old_links = conn.scalars(
        select(statements.c.entity_id).where(
            statements.c.dataset == dataset,
            statements.c.schema == "UnknownLink",
            statements.c.prop == "object",
            statements.c.value == entity,
        )
    ).all()
    if old_links:
        conn.execute(
            delete(statements).where(
                statements.c.dataset == dataset, statements.c.entity_id.in_(sorted(old_links))
            )
        )
    if rows:
        ins = upsert_insert(conn, statements).on_conflict_do_nothing(index_elements=["id"])
        conn.execute(ins, [r.to_row() for r in rows])
    return len(rows)


@dataclass(frozen=True, slots=True)
class CompoundRow:
    """A compound as the sharing formats need it (STIX ``location``, MISP ``geolocation``)."""

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    country: str | None
    latitude: float | None
    longitude: float | None
    precision: str
    description: str
    companies: tuple[tuple[str, str], ...]
    sources: tuple[str, ...]
    marking: str
    dataset: str
    dataset_pk: int
    first_seen: datetime
    last_seen: datetime


def compounds_for_export(conn: Connection, dataset_pks: list[int] | None) -> list[CompoundRow]:
    """The compounds of the given datasets (None: all), for `tocsin.share`. Compounds hold no
    personal data; the caller applies its own export policy to their markings."""
    query = (
        select(T.compounds, datasets.c.name.label("dataset"), datasets.c.marking)
        .join(datasets, datasets.c.pk == T.compounds.c.dataset_pk)
        .order_by(T.compounds.c.id)
    )
    if dataset_pks is not None:
        query = query.where(T.compounds.c.dataset_pk.in_(dataset_pks))
    found = []
    for row in conn.execute(query):
        aliases = conn.scalars(
            select(T.compound_names.c.name).where(T.compound_names.c.compound_pk == row.pk)
        ).all()
        companies = conn.execute(
            select(T.compound_companies.c.name, T.compound_companies.c.role).where(
                T.compound_companies.c.compound_pk == row.pk
            )
        ).all()
        sources = conn.scalars(
            select(T.compound_sources.c.citation).where(T.compound_sources.c.compound_pk == row.pk)
        ).all()
        found.append(
            CompoundRow(
                id=row.id,
                name=row.name,
                aliases=tuple(aliases),
                kind=row.kind,
                country=row.country,
                latitude=row.latitude,
                longitude=row.longitude,
                precision=row.precision,
                description=row.description,
                companies=tuple((n, r) for n, r in companies),
                sources=tuple(sources),
                marking=row.marking,
                dataset=row.dataset,
                dataset_pk=int(row.dataset_pk),
                first_seen=row.created_at,
                last_seen=row.updated_at,
            )
        )
    return found
