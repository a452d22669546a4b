"""Reading what may leave from the store into a `Package` (markings enforced here).

`collect` takes the datasets `tocsin.share.policy.exportable_datasets` allows and a scope (a time
window, a cluster, named datasets) and reads the documents seen in those datasets, their
selectors (minus the links analysts rejected), the scam compounds of those datasets and the
clusters the shared documents form among themselves. Clusters are computed over the shared
documents only, so a cluster never reveals a document that stays behind — not even by its
size or its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.engine import Connection, Engine

from tocsin.access import Principal
from tocsin.graph.clusters import ClusterOptions, find_clusters
from tocsin.graph.memory import MemoryLinkSource
from tocsin.model import SelectorType
from tocsin.share.model import (
    MARKING_RANK,
    Package,
    SharedCluster,
    SharedCompound,
    SharedDocument,
    SharedSelector,
    most_restrictive,
    utc,
)
from tocsin.share.policy import Eligible
from tocsin.store.links import SqlLinkSource
from tocsin.store.schema import document_datasets, documents, links, selectors, signals, statements

__all__ = ["Scope", "cluster_documents", "collect", "package_clusters", "read_documents"]

_SELECTOR_TYPES: Final = {t.value: t for t in SelectorType}
"""SelectorType by value (a dict look-up: ``SelectorType(value)`` per link was a tenth of
collecting)."""

_CHUNK = 900  # bound parameters per IN (…) list
COMPOUND_PREFIX = "tocsin-compound-"
PRECISION_KEYWORD = "tocsin:location-precision:"
"""Keyword keeping how precise a compound's coordinates are (site / town) in statements."""


@dataclass(frozen=True, slots=True)
class Scope:
    """Which of the exportable material to take."""

    since: datetime | None = None
    """Documents seen (last_seen) on or after."""
    until: datetime | None = None
    """Documents first seen on or before."""
    documents: frozenset[str] | None = None
    """Only these document ids (e.g. a cluster's); None means all."""
    clusters: bool = True
    """Compute the clusters the shared documents form."""


def cluster_documents(
    engine: Engine, cluster: str, principal: Principal | None = None
) -> frozenset[str] | None:
    """The documents of the cluster ``cluster`` as ``tocsin clusters`` shows it to
    ``principal`` (same options), or None when there is no such cluster."""
    source = SqlLinkSource(engine, principal)
    clustering = find_clusters(source, ClusterOptions.from_settings())
    for found in clustering.clusters(min_size=1):
        if found.id == cluster:
            return frozenset(found.documents)
    return None


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def collect(engine: Engine, eligible: Eligible, organisation: str, scope: Scope) -> Package:
    """The package of everything ``eligible`` lets leave within ``scope``."""
    package = Package(organisation=organisation)
    if not eligible.datasets:
        return package
    with engine.connect() as conn:
        markings = _document_markings(conn, eligible, scope)
        rejected = SqlLinkSource(engine).judgements().rejected_links
        pks = sorted(markings)
        for chunk in _chunks(pks):
            package.documents.extend(read_documents(conn, chunk, markings, rejected, package))
        package.compounds = _compounds(conn, eligible)
        _case_compounds(conn, eligible, package)
    package.documents.sort(key=lambda d: d.id)
    package.selectors = dict(sorted(package.selectors.items()))
    if scope.clusters:
        package.clusters = package_clusters(package)
    return package


def _document_markings(conn: Connection, eligible: Eligible, scope: Scope) -> dict[int, str]:
    """pk → marking of every document in scope: the least restrictive marking among the
    eligible datasets it was seen in (any one of them is a lawful source of it)."""
    query = select(
        document_datasets.c.document_pk, document_datasets.c.dataset_pk, documents.c.id
    ).join(documents, documents.c.pk == document_datasets.c.document_pk)
    conditions: list[ColumnElement[bool]] = [document_datasets.c.dataset_pk.in_(eligible.pks)]
    if scope.since is not None:
        conditions.append(documents.c.last_seen >= scope.since)
    if scope.until is not None:
        conditions.append(documents.c.first_seen <= scope.until)
    out: dict[int, str] = {}
    for doc_pk, dataset_pk, doc_id in conn.execute(query.where(and_(*conditions))):
        if scope.documents is not None and doc_id not in scope.documents:
            continue
        marking = eligible.datasets[int(dataset_pk)][1]
        current = out.get(int(doc_pk))
        if current is None or MARKING_RANK[marking] < MARKING_RANK[current]:
            out[int(doc_pk)] = marking
    return out


def read_documents(
    conn: Connection,
    pks: Sequence[int],
    markings: dict[int, str],
    rejected: frozenset[tuple[str, str]],
    package: Package,
) -> list[SharedDocument]:
    """The documents ``pks`` (marked as ``markings`` says), their selectors added to
    ``package`` — minus the links analysts rejected."""
    rows = conn.execute(
        select(
            documents.c.pk,
            documents.c.id,
            documents.c.text,
            documents.c.kind,
            documents.c.title,
            documents.c.language,
            documents.c.source,
            documents.c.risk,
            documents.c.level,
            documents.c.categories,
            documents.c.first_seen,
            documents.c.last_seen,
        ).where(documents.c.pk.in_(pks))
    ).all()
    ids = {int(r.pk): str(r.id) for r in rows}
    doc_selectors: dict[int, list[str]] = {}
    for doc_pk, key, sel_type, value, chain, country, validated in conn.execute(
        select(
            links.c.document_pk,
            selectors.c.key,
            selectors.c.type,
            selectors.c.value,
            selectors.c.chain,
            selectors.c.country,
            selectors.c.validated,
        )
        .join(selectors, selectors.c.pk == links.c.selector_pk)
        .where(links.c.document_pk.in_(pks))
    ):
        if (ids[int(doc_pk)], key) in rejected:
            continue
        kind = _SELECTOR_TYPES.get(sel_type)
        if kind is None:
            continue  # a type this version does not know cannot be written in any format
        package.add_selector(
            SharedSelector(
                key=key,
                type=kind,
                value=value,
                chain=chain,
                country=country,
                validated=bool(validated),
            )
        )
        doc_selectors.setdefault(int(doc_pk), []).append(key)
    indicators: dict[int, list[str]] = {}
    for doc_pk, indicator in conn.execute(
        select(signals.c.document_pk, signals.c.indicator).where(signals.c.document_pk.in_(pks))
    ):
        indicators.setdefault(int(doc_pk), []).append(indicator)
    out = []
    for r in rows:
        source = r.source if r.source and r.source.startswith(("http://", "https://")) else None
        out.append(
            SharedDocument(
                id=r.id,
                text=r.text,
                kind=r.kind,
                marking=markings[int(r.pk)],
                first_seen=utc(r.first_seen),
                # never before the first sighting: a store can hold a first_seen moved later
                # (an older sighting merged in another dataset, a clock), and STIX and MISP
                # refuse last < first
                last_seen=max(utc(r.first_seen), utc(r.last_seen)),
                selectors=tuple(sorted(set(doc_selectors.get(int(r.pk), ())))),
                title=r.title,
                language=r.language,
                source_url=source,
                risk=int(r.risk),
                level=r.level,
                categories=tuple(c for c in r.categories.split(",") if c),
                indicators=tuple(sorted(indicators.get(int(r.pk), ()))),
            )
        )
    return out


def _compounds(conn: Connection, eligible: Eligible) -> list[SharedCompound]:
    """Scam compounds (FtM ``Organization`` statements with Tocsin's compound keyword) of the
    eligible datasets (docs/ftm-mapping.md)."""
    names = {name: marking for name, marking in eligible.datasets.values()}
    rows = conn.execute(
        select(
            statements.c.entity_id,
            statements.c.prop,
            statements.c.value,
            statements.c.dataset,
            statements.c.first_seen,
            statements.c.last_seen,
        ).where(
            statements.c.entity_id.like(COMPOUND_PREFIX + "%"),
            statements.c.dataset.in_(sorted(names)),
        )
    ).all()
    props: dict[str, dict[str, Any]] = {}
    for entity_id, prop, value, dataset, first, last in rows:
        entry = props.setdefault(
            entity_id, {"markings": set(), "first": utc(first), "last": utc(last)}
        )
        entry.setdefault(prop, set()).add(value)
        entry["markings"].add(names[dataset])
        entry["first"] = min(entry["first"], utc(first))
        entry["last"] = max(entry["last"], utc(last))
    out = []
    for entity_id, entry in sorted(props.items()):
        if "tocsin:scam-compound" not in entry.get("keywords", ()):
            continue
        place = props.get(entity_id + "-address", {})
        precision = [
            k.removeprefix(PRECISION_KEYWORD)
            for k in entry["keywords"]
            if k.startswith(PRECISION_KEYWORD)
        ]
        latitude, longitude = _first(place, "latitude"), _first(place, "longitude")
        out.append(
            SharedCompound(
                id=entity_id.removeprefix(COMPOUND_PREFIX),
                name=_first(entry, "name") or entity_id,
                marking=most_restrictive(entry["markings"]),
                first_seen=entry["first"],
                last_seen=entry["last"],
                country=_first(entry, "country"),
                address=_first(entry, "address"),
                latitude=float(latitude) if latitude is not None else None,
                longitude=float(longitude) if longitude is not None else None,
                precision=precision[0] if precision and latitude is not None else None,
                description=_first(entry, "notes"),
            )
        )
    return out


def _first(entry: dict[str, Any], prop: str) -> str | None:
    values = entry.get(prop)
    return sorted(values)[0] if values else None


def _case_compounds(conn: Connection, eligible: Eligible, package: Package) -> None:
    """Compounds of the case register (`tocsin.cases`, the source of truth when present) of the
    eligible datasets; they replace the same compound read from statements."""
    try:
        from tocsin.cases.ftm import compounds_for_export
    except ImportError:  # pragma: no cover - tocsin.cases ships with Tocsin
        return
    found = {c.id: c for c in package.compounds}
    for row in compounds_for_export(conn, eligible.pks):
        found[row.id] = SharedCompound(
            id=row.id,
            name=row.name,
            marking=eligible.datasets[row.dataset_pk][1],
            first_seen=utc(row.first_seen),
            last_seen=utc(row.last_seen),
            country=row.country,
            address=found[row.id].address if row.id in found else None,
            latitude=row.latitude,
            longitude=row.longitude,
            precision=row.precision if row.latitude is not None else None,
            description=row.description or None,
        )
    package.compounds = [found[k] for k in sorted(found)]


def package_clusters(package: Package, min_size: int = 2) -> list[SharedCluster]:
    """The networks the package's documents form through their shared selectors (hubs left
    out as in `tocsin clusters`; near-duplicate text is not used: it would need the signatures
    of documents that may not be shared)."""
    source = MemoryLinkSource()
    by_id = {d.id: d for d in package.documents}
    for doc in package.documents:
        source.add(doc.id, doc.selectors)
    options = ClusterOptions.from_settings(near_duplicates=False)
    clustering = find_clusters(source, options)
    out = []
    for cluster in clustering.clusters(min_size=min_size):
        docs = [by_id[d] for d in cluster.documents]
        out.append(
            SharedCluster(
                id=cluster.id,
                documents=cluster.documents,
                selectors=cluster.selectors,
                first_seen=min(d.first_seen for d in docs),
                last_seen=max(d.last_seen for d in docs),
                marking=most_restrictive(d.marking for d in docs),
            )
        )
    out.sort(key=lambda c: c.id)
    return out
