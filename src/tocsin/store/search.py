"""Full-text search with filters, ranked and paged.

SQLite: FTS5 with the ``trigram`` tokenizer, ranked by bm25. Every word of the query must occur
as a substring (so Chinese, Thai or Burmese text matches without word segmentation); words
shorter than three characters cannot use the trigram index and are matched with LIKE on the
documents found. PostgreSQL: ``websearch_to_tsquery('simple', …)`` on a generated tsvector,
ranked by ``ts_rank``; a query in a script written without spaces (CJK, Thai, Lao, Khmer,
Burmese) falls back to substring matching (``strpos``), ranked by risk. Without a query, the
filters alone select documents, riskiest and newest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal_column, select, text
from sqlalchemy.engine import Engine

from tocsin.store.schema import datasets, document_datasets, documents

__all__ = ["SearchFilters", "search"]

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


def _filters(f: SearchFilters) -> list[ColumnElement[bool]]:
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
        where.append(
            exists(
                select(document_datasets.c.document_pk)
                .join(datasets, datasets.c.pk == document_datasets.c.dataset_pk)
                .where(
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


def search(
    engine: Engine,
    query_text: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Documents matching ``query_text`` and the filters, best first."""
    filters = filters or SearchFilters()
    words = _words(query_text)
    if not words:
        query: Select[Any] = select(*_columns(), documents.c.risk.label("score")).order_by(
            documents.c.risk.desc(), documents.c.last_seen.desc(), documents.c.id
        )
    elif engine.dialect.name == "sqlite":
        query = _sqlite_query(words)
    else:
        query = _postgres_query(query_text, words)
    where = _filters(filters)
    if where:
        query = query.where(and_(*where))
    query = query.limit(limit).offset(offset)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    for r in rows:
        r["categories"] = [c for c in r["categories"].split(",") if c]
        r["score"] = round(float(r["score"]), 4)
    return rows
