"""``GET /api/v1/stats``: the dashboard's aggregates over the documents the caller may see.

Each count is restricted with the store's own visibility conditions (`tocsin.store.scope`), so
the numbers are exactly those the caller could reach by searching.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import ColumnElement, Select, func, select, true

from tocsin.graph.summary import summarise
from tocsin.model import Category
from tocsin.store.schema import datasets, document_datasets, documents, signals
from tocsin.store.scope import document_visible
from tocsin.web.api.graph import cached_clustering, cluster_summary_out
from tocsin.web.api.models import Count, Stats
from tocsin.web.deps import PrincipalDep, StoreDep

__all__ = ["router"]

router = APIRouter(tags=["stats"])

DAYS = 90
TOP = 10
PLACE_INDICATOR = "place.compound_hub"
"""The indicator whose evidence is a place name alone (the others add the job words)."""


def _counts(rows: Any) -> list[Count]:
    return [Count(key=str(k if k is not None else "und"), count=int(n)) for k, n in rows]


@router.get("/stats", response_model=Stats, summary="Dashboard aggregates")
def stats(request: Request, principal: PrincipalDep, store: StoreDep) -> Stats:
    """Volume per day, levels, categories, languages, kinds, top indicators, places named,
    selector types and the largest clusters — of the documents the caller may see."""
    scoped = store.as_principal(principal)
    visible = scoped.visible_datasets()
    doc_filter: ColumnElement[bool] = document_visible(visible)

    def grouped(column: Any, query: Select[Any] | None = None, limit: int | None = None) -> Any:
        q = (
            query
            if query is not None
            else select(column, func.count()).select_from(documents).where(doc_filter)
        )
        q = q.group_by(column).order_by(func.count().desc(), column)
        if limit is not None:
            q = q.limit(limit)
        with store.engine.connect() as conn:
            return conn.execute(q).all()

    since = datetime.now(UTC) - timedelta(days=DAYS)
    day = func.date(document_datasets.c.first_seen)
    sighting_filter: ColumnElement[bool] = (
        true() if visible is None else document_datasets.c.dataset_pk.in_(visible or [-1])
    )
    per_day_query = (
        select(day, func.count(func.distinct(document_datasets.c.document_pk)))
        .where(document_datasets.c.first_seen >= since, sighting_filter)
        .group_by(day)
        .order_by(day)
    )
    with store.engine.connect() as conn:
        per_day = [Count(key=str(d), count=int(n)) for d, n in conn.execute(per_day_query)]
        categories = [
            Count(
                key=c.value,
                count=int(
                    conn.execute(
                        select(func.count())
                        .select_from(documents)
                        .where(doc_filter, documents.c.categories.like(f"%,{c.value},%"))
                    ).scalar_one()
                ),
            )
            for c in Category
        ]
        place_rows = conn.execute(
            select(signals.c.evidence)
            .join(documents, documents.c.pk == signals.c.document_pk)
            .where(signals.c.indicator == PLACE_INDICATOR, doc_filter)
        ).all()
        selector_types = _selector_types(conn, visible)
        n_documents = conn.execute(
            select(func.count()).select_from(documents).where(doc_filter)
        ).scalar_one()
        n_datasets = (
            len(visible)
            if visible is not None
            else conn.execute(select(func.count()).select_from(datasets)).scalar_one()
        )
    places: Counter[str] = Counter()
    for (evidence,) in place_rows:
        places.update({str(e["text"]).casefold() for e in json.loads(evidence)})
    indicator_query = (
        select(signals.c.indicator, func.count())
        .join(documents, documents.c.pk == signals.c.document_pk)
        .where(doc_filter)
    )
    clustering = cached_clustering(request, store, principal)
    source = scoped.link_source()
    top_clusters = [
        cluster_summary_out(summarise(c, source)) for c in clustering.clusters(min_size=2, limit=5)
    ]
    return Stats(
        documents=int(n_documents),
        selectors=sum(c.count for c in selector_types),
        datasets=int(n_datasets),
        per_day=per_day,
        levels=_counts(grouped(documents.c.level)),
        categories=sorted((c for c in categories if c.count), key=lambda c: (-c.count, c.key)),
        languages=_counts(grouped(documents.c.language, limit=TOP * 3)),
        kinds=_counts(grouped(documents.c.kind)),
        top_indicators=_counts(grouped(signals.c.indicator, indicator_query, limit=TOP)),
        places=[
            Count(key=k, count=n)
            for k, n in sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
        ],
        selector_types=selector_types,
        top_clusters=top_clusters,
    )


def _selector_types(conn: Any, visible: list[int] | None) -> list[Count]:
    from tocsin.store.schema import links, selectors

    query = select(selectors.c.type, func.count(func.distinct(selectors.c.pk))).join(
        links, links.c.selector_pk == selectors.c.pk
    )
    if visible is not None:
        query = query.join(
            document_datasets, document_datasets.c.document_pk == links.c.document_pk
        ).where(document_datasets.c.dataset_pk.in_(visible or [-1]))
    query = query.group_by(selectors.c.type).order_by(
        func.count(func.distinct(selectors.c.pk)).desc(), selectors.c.type
    )
    return _counts(conn.execute(query).all())
