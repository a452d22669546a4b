"""`SqlLinkSource`: the graph's `LinkSource` protocol over the store's tables.

Pivots are index range scans: ``links`` has the primary key (selector_pk, document_pk), so "the
documents of a selector" reads one contiguous run of the index, and a second index
(document_pk, selector_pk) serves "the selectors of a document". The bulk path for clustering
reads the two integer columns only and maps them to positions with numpy.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.engine import Engine

from tocsin.graph.source import (
    DocumentSummary,
    Judgements,
    LinkArrays,
    MergeJudgement,
    NodeKind,
    NodeRef,
)
from tocsin.store.schema import (
    datasets,
    document_datasets,
    documents,
    judgements,
    links,
    selectors,
    signals,
)

__all__ = ["SqlLinkSource"]

PLACE_PREFIX = "place."
_CHUNK = 900

# The per-node pivot queries are built once: a pivot makes a few hundred of them, and building
# the statement (and its cache key) each time cost more than running it (docs/benchmarks.md).
_SELECTORS_OF = (
    select(selectors.c.key)
    .join(links, links.c.selector_pk == selectors.c.pk)
    .join(documents, documents.c.pk == links.c.document_pk)
    .where(documents.c.id == bindparam("document_id"))
    .order_by(selectors.c.key)
)
_DOCUMENTS_OF = (
    select(documents.c.id)
    .join(links, links.c.document_pk == documents.c.pk)
    .join(selectors, selectors.c.pk == links.c.selector_pk)
    .where(selectors.c.key == bindparam("key"))
    .order_by(documents.c.id)
)
_DOCUMENTS_OF_LIMIT = _DOCUMENTS_OF.limit(bindparam("limit", type_=Integer))
_SELECTOR_DEGREE = (
    select(func.count())
    .select_from(links)
    .join(selectors, selectors.c.pk == links.c.selector_pk)
    .where(selectors.c.key == bindparam("key"))
)


class SqlLinkSource:
    """Link queries over SQL; satisfies `tocsin.graph.source.LinkSource`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def link_arrays(self) -> LinkArrays:
        with self.engine.connect() as conn:
            doc_rows = conn.execute(select(documents.c.pk, documents.c.id).order_by(documents.c.pk))
            doc_pks, doc_ids = _columns(doc_rows)
            sel_rows = conn.execute(
                select(selectors.c.pk, selectors.c.key).order_by(selectors.c.pk)
            )
            sel_pks, sel_keys = _columns(sel_rows)
            pairs = conn.execute(select(links.c.document_pk, links.c.selector_pk)).all()
        arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        dpk = np.asarray(doc_pks, dtype=np.int64)
        spk = np.asarray(sel_pks, dtype=np.int64)
        return LinkArrays(
            documents=doc_ids,
            selectors=sel_keys,
            link_documents=np.searchsorted(dpk, arr[:, 0]).astype(np.int64),
            link_selectors=np.searchsorted(spk, arr[:, 1]).astype(np.int64),
        )

    def selectors_of(self, document_id: str) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.scalars(_SELECTORS_OF, {"document_id": document_id}))

    def documents_of(self, selector_key: str, limit: int | None = None) -> list[str]:
        with self.engine.connect() as conn:
            if limit is None:
                return list(conn.scalars(_DOCUMENTS_OF, {"key": selector_key}))
            return list(conn.scalars(_DOCUMENTS_OF_LIMIT, {"key": selector_key, "limit": limit}))

    def selector_degree(self, selector_key: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(_SELECTOR_DEGREE, {"key": selector_key}).scalar_one())

    def summaries(self, document_ids: Iterable[str]) -> list[DocumentSummary]:
        wanted = list(dict.fromkeys(document_ids))
        found: dict[str, DocumentSummary] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows = conn.execute(
                    select(
                        documents.c.pk,
                        documents.c.id,
                        documents.c.kind,
                        documents.c.language,
                        documents.c.risk,
                        documents.c.level,
                        documents.c.categories,
                        documents.c.first_seen,
                        documents.c.last_seen,
                    ).where(documents.c.id.in_(chunk))
                ).all()
                pks = [r.pk for r in rows]
                names: dict[int, list[str]] = {}
                for pk, name in conn.execute(
                    select(document_datasets.c.document_pk, datasets.c.name)
                    .join(datasets, datasets.c.pk == document_datasets.c.dataset_pk)
                    .where(document_datasets.c.document_pk.in_(pks))
                ):
                    names.setdefault(pk, []).append(name)
                indicators: dict[int, list[str]] = {}
                places: dict[int, set[str]] = {}
                for pk, indicator, evidence in conn.execute(
                    select(signals.c.document_pk, signals.c.indicator, signals.c.evidence).where(
                        signals.c.document_pk.in_(pks)
                    )
                ):
                    indicators.setdefault(pk, []).append(indicator)
                    if indicator.startswith(PLACE_PREFIX):
                        places.setdefault(pk, set()).update(
                            str(e["text"]).casefold() for e in json.loads(evidence)
                        )
                for r in rows:
                    found[r.id] = DocumentSummary(
                        id=r.id,
                        kind=r.kind,
                        language=r.language,
                        risk=r.risk,
                        level=r.level,
                        categories=tuple(c for c in r.categories.split(",") if c),
                        first_seen=_aware(r.first_seen),
                        last_seen=_aware(r.last_seen),
                        datasets=tuple(sorted(names.get(r.pk, ()))),
                        indicators=tuple(sorted(indicators.get(r.pk, ()))),
                        places=tuple(sorted(places.get(r.pk, ()))),
                    )
        return [found[d] for d in wanted if d in found]

    def iter_signatures(self) -> Iterator[tuple[str, bytes]]:
        query = (
            select(documents.c.id, documents.c.signature)
            .where(documents.c.signature.is_not(None))
            .order_by(documents.c.id)
        )
        with self.engine.connect() as conn:
            for doc_id, sig in conn.execution_options(yield_per=5000).execute(query):
                yield doc_id, bytes(sig)

    def judgements(self) -> Judgements:
        """The latest decision per (target, a, b) wins: a later confirm lifts a rejection."""
        latest: dict[tuple[str, str, str, str, str], str] = {}
        query = select(
            judgements.c.target,
            judgements.c.a_kind,
            judgements.c.a_id,
            judgements.c.b_kind,
            judgements.c.b_id,
            judgements.c.decision,
        ).order_by(judgements.c.at, judgements.c.pk)
        with self.engine.connect() as conn:
            for target, a_kind, a_id, b_kind, b_id, decision in conn.execute(query):
                latest[(target, a_kind, a_id, b_kind, b_id)] = decision
        rejected: set[tuple[str, str]] = set()
        merges: list[MergeJudgement] = []
        for (target, a_kind, a_id, b_kind, b_id), decision in sorted(latest.items()):
            if target == "link" and decision == "reject":
                rejected.add((a_id, b_id) if a_kind == "document" else (b_id, a_id))
            elif target == "merge" and decision in ("confirm", "reject"):
                merges.append(
                    MergeJudgement(
                        NodeRef(NodeKind(a_kind), a_id),
                        NodeRef(NodeKind(b_kind), b_id),
                        confirmed=decision == "confirm",
                    )
                )
        return Judgements(rejected_links=frozenset(rejected), merges=tuple(merges))


def _columns(rows: Iterable[tuple[int, str]]) -> tuple[list[int], list[str]]:
    pks: list[int] = []
    names: list[str] = []
    for pk, name in rows:
        pks.append(pk)
        names.append(name)
    return pks, names


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
