"""`SqlLinkSource`: the graph's `LinkSource` protocol over the store's tables.

Pivots are index range scans: ``links`` has the primary key (selector_pk, document_pk), so "the
documents of a selector" reads one contiguous run of the index, and a second index
(document_pk, selector_pk) serves "the selectors of a document". The bulk path for clustering
reads the two integer columns only and maps them to positions with numpy.

A source is scoped to a `Principal` (default: the system principal, who sees everything): then
every query only sees documents in datasets the principal may see, and selectors linked to
such documents, so pivots, paths, clusters and degrees never reveal the rest. The visible
datasets are read once, when first needed: make one source per request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Integer, bindparam, exists, func, or_, select
from sqlalchemy.engine import Engine

from tocsin.access.principal import Principal
from tocsin.graph.memory import is_place_name
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
from tocsin.store.scope import visible_dataset_pks

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

# Scoped twins: the document must be in one of the ``visible`` datasets.
_VISIBLE_DOC = or_(
    # the dataset a document was first stored in decides for most documents, without a subquery
    documents.c.dataset_pk.in_(bindparam("visible", expanding=True)),
    exists(
        select(document_datasets.c.document_pk).where(
            document_datasets.c.document_pk == documents.c.pk,
            document_datasets.c.dataset_pk.in_(bindparam("visible", expanding=True)),
        )
    ),
)
_VISIBLE_LINK = exists(
    select(document_datasets.c.document_pk).where(
        document_datasets.c.document_pk == links.c.document_pk,
        document_datasets.c.dataset_pk.in_(bindparam("visible", expanding=True)),
    )
)
_SELECTORS_OF_SCOPED = _SELECTORS_OF.where(_VISIBLE_DOC)
_DOCUMENTS_OF_SCOPED = _DOCUMENTS_OF.where(_VISIBLE_DOC)
_DOCUMENTS_OF_LIMIT_SCOPED = _DOCUMENTS_OF_SCOPED.limit(bindparam("limit", type_=Integer))
_SELECTOR_DEGREE_SCOPED = _SELECTOR_DEGREE.where(_VISIBLE_LINK)


class SqlLinkSource:
    """Link queries over SQL; satisfies `tocsin.graph.source.LinkSource`."""

    def __init__(self, engine: Engine, principal: Principal | None = None) -> None:
        self.engine = engine
        self.principal = principal if principal is not None else Principal.system()
        self._visible: list[int] | None = None
        self._resolved = self.principal.system

    def visible(self) -> list[int] | None:
        """The datasets this source sees (None: all), read once."""
        if not self._resolved:
            with self.engine.connect() as conn:
                self._visible = visible_dataset_pks(conn, self.principal)
            self._resolved = True
        return self._visible

    def link_arrays(self) -> LinkArrays:
        visible = self.visible()
        doc_query = select(documents.c.pk, documents.c.id).order_by(documents.c.pk)
        pair_query = select(links.c.document_pk, links.c.selector_pk)
        params: dict[str, object] = {}
        if visible is not None:
            doc_query = doc_query.where(_VISIBLE_DOC)
            pair_query = pair_query.where(_VISIBLE_LINK)
            params = {"visible": visible}
        with self.engine.connect() as conn:
            doc_pks, doc_ids = _columns(conn.execute(doc_query, params))
            sel_rows = conn.execute(
                select(selectors.c.pk, selectors.c.key).order_by(selectors.c.pk)
            )
            sel_pks, sel_keys = _columns(sel_rows)
            pairs = conn.execute(pair_query, params).all()
        arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        dpk = np.asarray(doc_pks, dtype=np.int64)
        spk = np.asarray(sel_pks, dtype=np.int64)
        if visible is not None:  # only selectors linked to a visible document
            used = np.isin(spk, arr[:, 1])
            spk = spk[used]
            sel_keys = [k for k, keep in zip(sel_keys, used.tolist(), strict=True) if keep]
        return LinkArrays(
            documents=doc_ids,
            selectors=sel_keys,
            link_documents=np.searchsorted(dpk, arr[:, 0]).astype(np.int64),
            link_selectors=np.searchsorted(spk, arr[:, 1]).astype(np.int64),
        )

    def selectors_of(self, document_id: str) -> list[str]:
        visible = self.visible()
        with self.engine.connect() as conn:
            if visible is None:
                return list(conn.scalars(_SELECTORS_OF, {"document_id": document_id}))
            params = {"document_id": document_id, "visible": visible}
            return list(conn.scalars(_SELECTORS_OF_SCOPED, params))

    def documents_of(self, selector_key: str, limit: int | None = None) -> list[str]:
        visible = self.visible()
        with self.engine.connect() as conn:
            if visible is None:
                if limit is None:
                    return list(conn.scalars(_DOCUMENTS_OF, {"key": selector_key}))
                params: dict[str, object] = {"key": selector_key, "limit": limit}
                return list(conn.scalars(_DOCUMENTS_OF_LIMIT, params))
            if limit is None:
                params = {"key": selector_key, "visible": visible}
                return list(conn.scalars(_DOCUMENTS_OF_SCOPED, params))
            params = {"key": selector_key, "limit": limit, "visible": visible}
            return list(conn.scalars(_DOCUMENTS_OF_LIMIT_SCOPED, params))

    def selector_degree(self, selector_key: str) -> int:
        visible = self.visible()
        with self.engine.connect() as conn:
            if visible is None:
                return int(conn.execute(_SELECTOR_DEGREE, {"key": selector_key}).scalar_one())
            params = {"key": selector_key, "visible": visible}
            return int(conn.execute(_SELECTOR_DEGREE_SCOPED, params).scalar_one())

    def summaries(self, document_ids: Iterable[str]) -> list[DocumentSummary]:
        """Summaries of the visible documents among ``document_ids``; a scoped summary names
        only the visible datasets, and its first/last seen are those of visible sightings."""
        visible = self.visible()
        wanted = list(dict.fromkeys(document_ids))
        found: dict[str, DocumentSummary] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                doc_query = select(
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
                params: dict[str, object] = {}
                if visible is not None:
                    doc_query = doc_query.where(_VISIBLE_DOC)
                    params = {"visible": visible}
                rows = conn.execute(doc_query, params).all()
                pks = [r.pk for r in rows]
                names: dict[int, list[str]] = {}
                seen: dict[int, tuple[datetime, datetime]] = {}
                sightings = (
                    select(
                        document_datasets.c.document_pk,
                        datasets.c.name,
                        document_datasets.c.first_seen,
                        document_datasets.c.last_seen,
                    )
                    .join(datasets, datasets.c.pk == document_datasets.c.dataset_pk)
                    .where(document_datasets.c.document_pk.in_(pks))
                )
                if visible is not None:
                    sightings = sightings.where(datasets.c.pk.in_(visible))
                for pk, name, first, last in conn.execute(sightings):
                    names.setdefault(pk, []).append(name)
                    if pk in seen:
                        first, last = min(first, seen[pk][0]), max(last, seen[pk][1])
                    seen[pk] = (first, last)
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
                            str(e["text"]).casefold()
                            for e in json.loads(evidence)
                            if is_place_name(str(e["text"]))
                        )
                for r in rows:
                    first_seen, last_seen = r.first_seen, r.last_seen
                    if visible is not None and r.pk in seen:
                        first_seen, last_seen = seen[r.pk]
                    found[r.id] = DocumentSummary(
                        id=r.id,
                        kind=r.kind,
                        language=r.language,
                        risk=r.risk,
                        level=r.level,
                        categories=tuple(c for c in r.categories.split(",") if c),
                        first_seen=_aware(first_seen),
                        last_seen=_aware(last_seen),
                        datasets=tuple(sorted(names.get(r.pk, ()))),
                        indicators=tuple(sorted(indicators.get(r.pk, ()))),
                        places=tuple(sorted(places.get(r.pk, ()))),
                    )
        return [found[d] for d in wanted if d in found]

    def iter_signatures(self) -> Iterator[tuple[str, bytes]]:
        visible = self.visible()
        query = (
            select(documents.c.id, documents.c.signature)
            .where(documents.c.signature.is_not(None))
            .order_by(documents.c.id)
        )
        params: dict[str, object] = {}
        if visible is not None:
            query = query.where(_VISIBLE_DOC)
            params = {"visible": visible}
        with self.engine.connect() as conn:
            for doc_id, sig in conn.execution_options(yield_per=5000).execute(query, params):
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
        if self.visible() is not None:
            latest = self._visible_judgements(latest)
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

    def _visible_judgements(
        self, latest: dict[tuple[str, str, str, str, str], str]
    ) -> dict[tuple[str, str, str, str, str], str]:
        """Only judgements both of whose nodes the principal sees."""
        visible = self.visible()
        doc_ids = {
            i for k in latest for kind, i in ((k[1], k[2]), (k[3], k[4])) if kind == "document"
        }
        sel_keys = {
            i for k in latest for kind, i in ((k[1], k[2]), (k[3], k[4])) if kind != "document"
        }
        seen: set[tuple[str, str]] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(doc_ids), _CHUNK):
                chunk = sorted(doc_ids)[start : start + _CHUNK]
                query = select(documents.c.id).where(documents.c.id.in_(chunk), _VISIBLE_DOC)
                seen.update(("document", i) for i in conn.scalars(query, {"visible": visible}))
            for start in range(0, len(sel_keys), _CHUNK):
                chunk = sorted(sel_keys)[start : start + _CHUNK]
                query = (
                    select(selectors.c.key)
                    .join(links, links.c.selector_pk == selectors.c.pk)
                    .where(selectors.c.key.in_(chunk), _VISIBLE_LINK)
                    .distinct()
                )
                seen.update(("selector", k) for k in conn.scalars(query, {"visible": visible}))
        return {
            k: v
            for k, v in latest.items()
            if (_kind(k[1]), k[2]) in seen and (_kind(k[3]), k[4]) in seen
        }


def _kind(kind: str) -> str:
    return "document" if kind == "document" else "selector"


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
