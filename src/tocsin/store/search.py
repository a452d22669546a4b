"""Full-text search with filters, ranked and paged.

SQLite: FTS5 with the ``trigram`` tokenizer, ranked by bm25. Every word of the query must occur
as a substring (so Chinese, Thai or Burmese text matches without word segmentation); words
shorter than three characters cannot use the trigram index and are matched with LIKE on the
documents found. PostgreSQL: ``websearch_to_tsquery('simple', …)`` on a generated tsvector,
ranked by ``ts_rank``; a query in a script written without spaces (CJK, Thai, Lao, Khmer,
Burmese) falls back to substring matching (``strpos``), ranked by risk. Without a query, the
filters alone select documents, riskiest and newest first.

Results and totals are scoped to a `Principal` (default: the system principal, who sees all):
documents in no dataset it may see are not found and not counted (`tocsin.store.scope`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal_column, select, text
from sqlalchemy.engine import Engine

from tocsin.access import audit
from tocsin.access.principal import Principal
from tocsin.store.schema import MARKINGS, datasets, document_datasets, documents
from tocsin.store.scope import (
    RESTRICTED,
    document_visible,
    visible_dataset_pks,
    visible_sightings,
)

__all__ = ["SearchFilters", "search", "search_count"]

_NO_SPACE_SCRIPTS: Final = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]"
)


@dataclass(frozen=True)
class SearchFilters:
    min_risk: int | None = None
    levels: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


def _filters(f: SearchFilters, visible: list[int] | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.min_risk is not None:
        where.append(documents.c.risk >= f.min_risk)
    if f.levels:
        where.append(documents.c.level.in_(f.levels))
    for cat in f.categories:
        where.append(documents.c.categories.like(f"%,{cat},%"))
    if f.languages:
        where.append(documents.c.language.in_([lang.lower() for lang in f.languages]))
    if f.kinds:
        where.append(documents.c.kind.in_(f.kinds))
    if f.datasets:
        # only sightings in visible datasets: naming a dataset one may not see finds nothing
        # (not the visible documents that were also seen there)
        sighting = select(document_datasets.c.document_pk).join(
            datasets, datasets.c.pk == document_datasets.c.dataset_pk
        )
        if visible is not None:
            sighting = sighting.where(datasets.c.pk.in_(visible or [-1]))
        where.append(
            exists(
                sighting.where(
                    document_datasets.c.document_pk == documents.c.pk,
                    datasets.c.name.in_(f.datasets),
                )
            )
        )
    if f.since is not None:
        where.append(documents.c.last_seen >= f.since)
    if f.until is not None:
        where.append(documents.c.first_seen <= f.until)
    return where


def _columns() -> list[Any]:
    return [
        documents.c.pk,
        documents.c.dataset_pk,
        documents.c.marking,
        documents.c.id,
        documents.c.risk,
        documents.c.level,
        documents.c.kind,
        documents.c.language,
        documents.c.categories,
        documents.c.title,
        documents.c.source,
        documents.c.first_seen,
        documents.c.last_seen,
        func.substr(documents.c.text, 1, 160).label("snippet"),
    ]


def _words(query: str) -> list[str]:
    return [w for w in re.split(r"\s+", query.strip()) if w]


def _sqlite_query(words: list[str]) -> Select[Any]:
    long_words = [w for w in words if len(w) >= 3]
    short_words = [w for w in words if len(w) < 3]
    if long_words:
        match = " ".join('"' + w.replace('"', '""') + '"' for w in long_words)
        fts = text("documents_fts")
        rank: ColumnElement[Any] = literal_column("bm25(documents_fts)")
        query = (
            select(*_columns(), (-rank).label("score"))
            .select_from(documents)
            .join(fts, literal_column("documents_fts.rowid") == documents.c.pk)
            .where(literal_column("documents_fts").op("MATCH")(match))
            .order_by(rank, documents.c.risk.desc(), documents.c.id)
        )
    else:
        query = select(*_columns(), documents.c.risk.label("score")).order_by(
            documents.c.risk.desc(), documents.c.id
        )
    for w in short_words:
        escaped = w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(documents.c.text.like(f"%{escaped}%", escape="\\"))
    return query


def _postgres_query(query_text: str, words: list[str]) -> Select[Any]:
    if _NO_SPACE_SCRIPTS.search(query_text):
        query = select(*_columns(), documents.c.risk.label("score")).order_by(
            documents.c.risk.desc(), documents.c.id
        )
        for w in words:
            query = query.where(func.strpos(func.lower(documents.c.text), w.lower()) > 0)
        return query
    tsq = func.websearch_to_tsquery(literal_column("'simple'"), query_text)
    tsv: ColumnElement[Any] = literal_column("documents.tsv")
    score = func.ts_rank(tsv, tsq)
    return (
        select(*_columns(), score.label("score"))
        .where(tsv.op("@@")(tsq))
        .order_by(score.desc(), documents.c.risk.desc(), documents.c.id)
    )


def _query(
    engine: Engine, query_text: str, filters: SearchFilters | None, visible: list[int] | None
) -> Select[Any]:
    words = _words(query_text)
    if not words:
        query: Select[Any] = select(*_columns(), documents.c.risk.label("score")).order_by(
            documents.c.risk.desc(), documents.c.last_seen.desc(), documents.c.id
        )
    elif engine.dialect.name == "sqlite":
        query = _sqlite_query(words)
    else:
        query = _postgres_query(query_text, words)
    where = _filters(filters or SearchFilters(), visible)
    if where:
        query = query.where(and_(*where))
    return query


def search(
    engine: Engine,
    query_text: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    principal: Principal | None = None,
    secret: str | None = None,
) -> list[dict[str, Any]]:
    """Documents matching ``query_text`` and the filters that ``principal`` sees, best first.

    Each row's ``marking`` is the least restricted marking among the datasets the principal
    sees the document in, and ``first_seen`` / ``last_seen`` span those sightings only;
    ``title`` and ``source`` are withheld (None) when the dataset the document was first
    stored in is not visible. A scoped principal's search that shows AMBER,
    AMBER+STRICT or RED documents is written to the audit log (keyed with ``secret``, default
    ``TOCSIN_SECRET_KEY``).
    """
    principal = principal if principal is not None else Principal.system()
    with engine.connect() as conn:
        visible = visible_dataset_pks(conn, principal)
        query = _query(engine, query_text, filters, visible)
        query = query.where(document_visible(visible)).limit(limit).offset(offset)
        rows = [dict(r) for r in conn.execute(query).mappings()]
        if visible is not None:
            sightings = visible_sightings(conn, [r["pk"] for r in rows], visible)
    for r in rows:
        if visible is not None:
            if r["pk"] in sightings:
                r["marking"], r["first_seen"], r["last_seen"] = sightings[r["pk"]]
            if r["dataset_pk"] not in visible:
                r["title"] = r["source"] = None
        del r["pk"], r["dataset_pk"]
        r["categories"] = [c for c in r["categories"].split(",") if c]
        r["score"] = round(float(r["score"]), 4)
    restricted = [r["id"] for r in rows if r["marking"] in RESTRICTED]
    if restricted and not principal.system:
        marking = max((r["marking"] for r in rows), key=MARKINGS.index)
        audit.append(
            engine, principal, "search", "query", query_text[:600], marking,
            {"filters": asdict(filters or SearchFilters()), "documents": restricted},
            secret=secret,
        )  # fmt: skip
    return rows


def search_count(
    engine: Engine,
    query_text: str,
    filters: SearchFilters | None = None,
    *,
    principal: Principal | None = None,
) -> int:
    """How many documents `search` finds in all (for paging), counting only visible ones."""
    principal = principal if principal is not None else Principal.system()
    with engine.connect() as conn:
        visible = visible_dataset_pks(conn, principal)
        query = _query(engine, query_text, filters, visible).order_by(None)
        inner = query.where(document_visible(visible)).subquery()
        return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())
