"""Search, documents and datasets: ``GET /search``, ``GET /documents/{id}``, ``GET /datasets``.

Every read runs on ``store.as_principal(principal)``: the store decides what the caller sees
(and audits reads of AMBER, AMBER+STRICT and RED material); what it may not see is 404.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from sqlalchemy import func, select

from tocsin.model import Category, DocumentKind, RiskLevel
from tocsin.store.schema import datasets, document_datasets, organisations
from tocsin.store.search import SearchFilters, search_page
from tocsin.web.api.models import (
    DatasetOut,
    DatasetRef,
    DocumentHit,
    DocumentOut,
    Level,
    Page,
    verdict_out,
)
from tocsin.web.deps import PrincipalDep, StoreDep

__all__ = ["aware", "router"]

router = APIRouter(tags=["documents"])

LEVELS = [level.value for level in RiskLevel]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such document, or not one the caller may see."}
}


def aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; everything stored is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _categories(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(c) for c in value]
    return [c for c in str(value or "").split(",") if c]


def _start(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min, tzinfo=UTC)


def _end(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.max, tzinfo=UTC)


@router.get("/search", response_model=Page[DocumentHit], summary="Search stored documents")
def search(
    principal: PrincipalDep,
    store: StoreDep,
    q: Annotated[str, Query(max_length=500, description="Words that must all occur.")] = "",
    risk: Annotated[
        Level | None, Query(description="Only documents at this level or above.")
    ] = None,
    level: Annotated[
        list[Level] | None, Query(description="Only documents at exactly these levels.")
    ] = None,
    min_risk: Annotated[int | None, Query(ge=0, le=100)] = None,
    category: Annotated[
        list[Category] | None, Query(description="Documents with all of these categories.")
    ] = None,
    language: Annotated[
        list[Annotated[str, Query(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z]{2,4})?$")]] | None,
        Query(description="Detected language (ISO 639-1)."),
    ] = None,
    kind: Annotated[list[DocumentKind] | None, Query()] = None,
    dataset: Annotated[list[Annotated[str, Query(max_length=200)]] | None, Query()] = None,
    since: Annotated[date | None, Query(description="Seen on or after this day.")] = None,
    until: Annotated[date | None, Query(description="First seen on or before this day.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Page[DocumentHit]:
    """Full-text search with filters over the documents the caller may see, ranked, paged;
    ``total`` counts every match the caller may see (and nothing else)."""
    levels: tuple[str, ...] = ()
    if risk is not None:
        lowest = RiskLevel(risk).rank
        levels = tuple(lvl.value for lvl in RiskLevel if lvl.rank >= lowest)
    if level:
        levels = tuple(sorted(set(levels) & set(level))) if levels else tuple(level)
        if not levels:
            return Page[DocumentHit](items=[], total=0, limit=limit, offset=offset)
    filters = SearchFilters(
        min_risk=min_risk,
        levels=levels,
        categories=tuple(category or ()),
        languages=tuple(language or ()),
        kinds=tuple(k.value for k in kind or ()),
        datasets=tuple(dataset or ()),
        since=_start(since),
        until=_end(until),
    )
    # the rows and the total from one statement (count(*) OVER ()), as store.search and
    # store.search_count would give them
    rows, total = search_page(
        store.engine, q, filters, limit=limit, offset=offset, principal=principal,
        secret=store.settings.secret_key,
    )  # fmt: skip
    items = [
        DocumentHit(
            id=r["id"],
            score=r["score"],
            risk=r["risk"],
            level=r["level"],
            kind=r["kind"],
            language=r["language"],
            categories=_categories(r["categories"]),
            marking=r["marking"],
            title=r["title"],
            source=r["source"],
            first_seen=aware(r["first_seen"]),
            last_seen=aware(r["last_seen"]),
            snippet=" ".join(str(r["snippet"]).split()),
        )
        for r in rows
    ]
    return Page[DocumentHit](items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/documents/{doc_id}",
    response_model=DocumentOut,
    summary="One stored document with its verdict",
    responses=NOT_FOUND,
)
def document(
    principal: PrincipalDep,
    store: StoreDep,
    doc_id: Annotated[
        str,
        Path(
            pattern=r"^[0-9a-fA-F]{8,64}$",
            description="The document id (SHA-256 of its text) or its first 8+ characters.",
        ),
    ],
) -> DocumentOut:
    """A document the caller may see, with the datasets (visible to the caller) it was seen in.
    Reading AMBER, AMBER+STRICT or RED material is written to the audit log."""
    data = store.as_principal(principal).document(doc_id.lower())
    if data is None:
        raise HTTPException(404, "no such document")
    with store.engine.connect() as conn:
        markings = dict(
            conn.execute(
                select(datasets.c.name, datasets.c.marking).where(
                    datasets.c.name.in_(data["datasets"])
                )
            ).all()
        )
    return DocumentOut(
        id=data["id"],
        kind=data["kind"],
        language=data["language"],
        risk=data["risk"],
        level=data["level"],
        categories=_categories(data["categories"]),
        marking=data["marking"],
        title=data["title"],
        source=data["source"],
        record_id=data["record_id"],
        text=data["text"],
        first_seen=aware(data["first_seen"]),
        last_seen=aware(data["last_seen"]),
        datasets=[DatasetRef(name=n, marking=markings[n]) for n in data["datasets"]],
        verdict=verdict_out(data["verdict"]),
    )


@router.get("/datasets", response_model=list[DatasetOut], summary="Datasets the caller sees")
def dataset_list(principal: PrincipalDep, store: StoreDep) -> list[DatasetOut]:
    """Every dataset the caller may see: its marking, owning organisation and size."""
    visible = store.as_principal(principal).visible_datasets()
    if visible == []:
        return []
    counts = (
        select(document_datasets.c.dataset_pk, func.count().label("documents"))
        .group_by(document_datasets.c.dataset_pk)
        .subquery()
    )
    query = (
        select(
            datasets.c.name,
            datasets.c.marking,
            organisations.c.name.label("org"),
            datasets.c.created_at,
            func.coalesce(counts.c.documents, 0).label("documents"),
        )
        .outerjoin(organisations, organisations.c.pk == datasets.c.org_pk)
        .outerjoin(counts, counts.c.dataset_pk == datasets.c.pk)
        .order_by(datasets.c.name)
    )
    if visible is not None:
        query = query.where(datasets.c.pk.in_(visible))
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        DatasetOut(
            name=r.name,
            marking=r.marking,
            organisation=r.org,
            created_at=aware(r.created_at),
            documents=int(r.documents),
        )
        for r in rows
    ]
