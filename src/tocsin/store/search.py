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

Statements are built once per shape (which filters are set, how many short words or
categories; every value, list and the visible datasets are bound parameters), so SQLAlchemy's
compiled-statement cache serves them. The ranking sorts narrow rows (pk and sort keys) and
joins the documents of one page only; `search_page` counts the total in the same statement
(``count(*) OVER ()``) instead of a second full-text pass.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Engine

from tocsin.access import audit
from tocsin.access.principal import Principal
from tocsin.store.schema import MARKINGS, datasets, document_datasets, documents
from tocsin.store.scope import (
    RESTRICTED,
    visible_dataset_pks,
    visible_sightings,
)

__all__ = ["SearchFilters", "search", "search_count", "search_page"]

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


_VISIBLE: Final = bindparam("visible", expanding=True, type_=datasets.c.pk.type)


def _filters(f: SearchFilters, visible: list[int] | None) -> list[ColumnElement[bool]]:
    """The filters' conditions, with bound parameters named as `_plan` names them: the
    statement's structure depends only on which filters are set (and how many categories)."""
    where: list[ColumnElement[bool]] = []
    if f.min_risk is not None:
        where.append(documents.c.risk >= bindparam("min_risk", type_=documents.c.risk.type))
    if f.levels:
        where.append(documents.c.level.in_(bindparam("levels", expanding=True)))
    for i, _ in enumerate(f.categories):
        where.append(documents.c.categories.like(bindparam(f"category_{i}", type_=String)))
    if f.languages:
        where.append(documents.c.language.in_(bindparam("languages", expanding=True)))
    if f.kinds:
        where.append(documents.c.kind.in_(bindparam("kinds", expanding=True)))
    if f.datasets:
        # only sightings in visible datasets: naming a dataset one may not see finds nothing
        # (not the visible documents that were also seen there)
        sighting = select(document_datasets.c.document_pk).join(
            datasets, datasets.c.pk == document_datasets.c.dataset_pk
        )
        if visible is not None:
            sighting = sighting.where(datasets.c.pk.in_(_VISIBLE))
        where.append(
            exists(
                sighting.where(
                    document_datasets.c.document_pk == documents.c.pk,
                    datasets.c.name.in_(bindparam("datasets", expanding=True)),
                )
            )
        )
    if f.since is not None:
        where.append(documents.c.last_seen >= bindparam("since", type_=documents.c.last_seen.type))
    if f.until is not None:
        where.append(
            documents.c.first_seen <= bindparam("until", type_=documents.c.first_seen.type)
        )
    return where


def _visible_condition() -> ColumnElement[bool]:
    """`tocsin.store.scope.document_visible` for a non-empty list of visible datasets, with
    the list as the expanding parameter ``visible``."""
    return or_(
        documents.c.dataset_pk.in_(_VISIBLE),
        exists(
            select(document_datasets.c.document_pk).where(
                document_datasets.c.document_pk == documents.c.pk,
                document_datasets.c.dataset_pk.in_(_VISIBLE),
            )
        ),
    )


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


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class _Shape:
    """What decides a search statement's structure (not its parameter values)."""

    dialect: str
    mode: str  # "all" (no query), "fts" (SQLite MATCH), "scan" (SQLite LIKE only),
    # "tsquery" (PostgreSQL), "strpos" (PostgreSQL, scripts without spaces)
    words: int  # LIKE (SQLite, words < 3 characters) or strpos (PostgreSQL) conditions
    filters: SearchFilters  # only which are set: values replaced by placeholders
    scoped: bool  # visible datasets limited (non-empty list) rather than all


def _shape_of(f: SearchFilters) -> SearchFilters:
    return SearchFilters(
        min_risk=None if f.min_risk is None else 0,
        levels=("",) if f.levels else (),
        categories=("",) * len(f.categories),
        languages=("",) if f.languages else (),
        kinds=("",) if f.kinds else (),
        datasets=("",) if f.datasets else (),
        since=None if f.since is None else datetime.min,
        until=None if f.until is None else datetime.min,
    )


def _plan(
    dialect: str, query_text: str, f: SearchFilters, visible: list[int] | None
) -> tuple[_Shape, dict[str, Any]]:
    """The statement shape of a search and its parameter values."""
    words = _words(query_text)
    params: dict[str, Any] = {}
    like_words: list[str] = []
    if not words:
        mode = "all"
    elif dialect == "sqlite":
        long_words = [w for w in words if len(w) >= 3]
        like_words = [_like(w) for w in words if len(w) < 3]
        mode = "fts" if long_words else "scan"
        if long_words:
            params["match"] = " ".join('"' + w.replace('"', '""') + '"' for w in long_words)
    elif _NO_SPACE_SCRIPTS.search(query_text):
        mode = "strpos"
        like_words = [w.lower() for w in words]
    else:
        mode = "tsquery"
        params["query"] = query_text
    for i, w in enumerate(like_words):
        params[f"word_{i}"] = w
    if f.min_risk is not None:
        params["min_risk"] = f.min_risk
    if f.levels:
        params["levels"] = list(f.levels)
    for i, cat in enumerate(f.categories):
        params[f"category_{i}"] = f"%,{cat},%"
    if f.languages:
        params["languages"] = [lang.lower() for lang in f.languages]
    if f.kinds:
        params["kinds"] = list(f.kinds)
    if f.datasets:
        params["datasets"] = list(f.datasets)
    if f.since is not None:
        params["since"] = f.since
    if f.until is not None:
        params["until"] = f.until
    if visible is not None:
        params["visible"] = visible
    shape = _Shape(dialect, mode, len(like_words), _shape_of(f), visible is not None)
    return shape, params


def _matches(shape: _Shape) -> Select[Any]:
    """The matching visible documents as (pk, score, sort keys), unordered."""
    score: ColumnElement[Any]
    if shape.mode == "fts":
        # bm25 once a row (the score is its negation, taken on the page's rows only)
        rank: ColumnElement[Any] = literal_column("bm25(documents_fts)")
        query = (
            select(documents.c.pk, rank.label("rank"))
            .select_from(documents)
            .join(text("documents_fts"), literal_column("documents_fts.rowid") == documents.c.pk)
            .where(literal_column("documents_fts").op("MATCH")(bindparam("match", type_=String)))
        )
    elif shape.mode == "tsquery":
        tsq = func.websearch_to_tsquery(
            literal_column("'simple'"), bindparam("query", type_=String)
        )
        tsv: ColumnElement[Any] = literal_column("documents.tsv")
        score = func.ts_rank(tsv, tsq)
        query = select(documents.c.pk, score.label("score")).where(tsv.op("@@")(tsq))
    else:
        query = select(documents.c.pk, documents.c.risk.label("score"))
    query = query.add_columns(documents.c.risk.label("risk"), documents.c.id)
    if shape.mode == "all":
        # only where it orders: reading a column stored after the text costs ~3 µs a row
        query = query.add_columns(documents.c.last_seen.label("seen"))
    for i in range(shape.words):
        word = bindparam(f"word_{i}", type_=String)
        if shape.mode == "strpos":
            query = query.where(func.strpos(func.lower(documents.c.text), word) > 0)
        else:
            query = query.where(documents.c.text.like(word, escape="\\"))
    where = _filters(shape.filters, [] if shape.scoped else None)
    if shape.scoped:
        where.append(_visible_condition())
    if where:
        query = query.where(and_(*where))
    return query


def _order(shape: _Shape, m: Any) -> list[ColumnElement[Any]]:
    if shape.mode == "fts":
        return [m.c.rank, m.c.risk.desc(), m.c.id]
    if shape.mode == "tsquery":
        return [m.c.score.desc(), m.c.risk.desc(), m.c.id]
    if shape.mode == "all":
        return [m.c.risk.desc(), m.c.seen.desc(), m.c.id]
    return [m.c.risk.desc(), m.c.id]


@lru_cache(maxsize=512)
def _page_statement(shape: _Shape, with_total: bool) -> Select[Any]:
    """One page of results (bound ``limit`` and ``offset``), built once per shape so that
    SQLAlchemy's compiled-statement cache finds it. The ranking runs on narrow rows (pk,
    score, sort keys); only the page's documents are joined for their columns. With
    ``with_total``, each row also carries ``total``: ``count(*) OVER ()`` over all matches,
    the same number `search_count` gives, without a second full-text pass."""
    matches = _matches(shape).subquery("matches")
    ranked_columns: list[Any] = list(matches.c)
    if with_total:
        ranked_columns.append(func.count().over().label("total"))
    ranked = (
        select(*ranked_columns)
        .order_by(*_order(shape, matches))
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        .subquery("ranked")
    )
    score = -ranked.c.rank if shape.mode == "fts" else ranked.c.score
    columns = [*_columns(), score.label("score")]
    if with_total:
        columns.append(ranked.c.total)
    return (
        select(*columns)
        .select_from(ranked.join(documents, documents.c.pk == ranked.c.pk))
        .order_by(*_order(shape, ranked))
    )


@lru_cache(maxsize=512)
def _count_statement(shape: _Shape) -> Select[Any]:
    return select(func.count()).select_from(_matches(shape).subquery("matches"))


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
    return _search(
        engine, query_text, filters, limit=limit, offset=offset, principal=principal,
        secret=secret, with_total=False,
    )[0]  # fmt: skip


def search_page(
    engine: Engine,
    query_text: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    principal: Principal | None = None,
    secret: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """`search`'s rows and `search_count`'s total, mostly from one statement: with a query,
    the total is counted by the page's query (``count(*) OVER ()``, no second full-text
    pass); a separate count runs only for a page past the last result (no rows, ``offset``
    > 0), or without a query when the page is full."""
    return _search(
        engine, query_text, filters, limit=limit, offset=offset, principal=principal,
        secret=secret, with_total=True,
    )  # fmt: skip


def _search(
    engine: Engine,
    query_text: str,
    filters: SearchFilters | None,
    *,
    limit: int,
    offset: int,
    principal: Principal | None,
    secret: str | None,
    with_total: bool,
) -> tuple[list[dict[str, Any]], int]:
    principal = principal if principal is not None else Principal.system()
    filters = filters or SearchFilters()
    total = 0
    with engine.connect() as conn:
        visible = visible_dataset_pks(conn, principal)
        if visible == []:
            return [], 0  # sees no dataset: finds and counts nothing
        shape, params = _plan(engine.dialect.name, query_text, filters, visible)
        # Without a query the page is read in index order and stops at ``limit``, and a
        # count is cheap: counting in the page's query would read every row instead.
        window = with_total and shape.mode != "all"
        statement = _page_statement(shape, window)
        params["limit"], params["offset"] = limit, offset
        rows = [dict(r) for r in conn.execute(statement, params).mappings()]
        if window and rows:
            total = int(rows[0]["total"])
        elif with_total and len(rows) < limit and (rows or not offset):
            total = offset + len(rows)  # the last page
        elif with_total:
            total = int(conn.execute(_count_statement(shape), params).scalar_one())
        if visible is not None:
            sightings = visible_sightings(conn, [r["pk"] for r in rows], visible)
    for r in rows:
        if visible is not None:
            if r["pk"] in sightings:
                r["marking"], r["first_seen"], r["last_seen"] = sightings[r["pk"]]
            if r["dataset_pk"] not in visible:
                r["title"] = r["source"] = None
        del r["pk"], r["dataset_pk"]
        r.pop("total", None)
        r["categories"] = [c for c in r["categories"].split(",") if c]
        r["score"] = round(float(r["score"]), 4)
    restricted = [r["id"] for r in rows if r["marking"] in RESTRICTED]
    if restricted and not principal.system:
        marking = max((r["marking"] for r in rows), key=MARKINGS.index)
        audit.append(
            engine, principal, "search", "query", query_text[:600], marking,
            {"filters": asdict(filters), "documents": restricted},
            secret=secret,
        )  # fmt: skip
    return rows, total


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
        if visible == []:
            return 0
        shape, params = _plan(engine.dialect.name, query_text, filters or SearchFilters(), visible)
        return int(conn.execute(_count_statement(shape), params).scalar_one())
