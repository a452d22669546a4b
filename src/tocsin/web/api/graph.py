"""Selectors, neighbourhoods, paths, clusters and entities: the link analysis over HTTP.

All of it walks ``store.as_principal(principal).link_source()``, which only ever sees the
documents of datasets the caller may see and the selectors linked to them: a neighbour, a
degree, a path or a cluster member the caller may not see does not exist in these answers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from sqlalchemy import func, select

from tocsin.access import Principal
from tocsin.graph import NodeKind, NodeRef
from tocsin.graph.clusters import Cluster, Clustering, ClusterOptions, find_clusters
from tocsin.graph.queries import Subgraph, pivot, shortest_path
from tocsin.graph.source import DocumentSummary
from tocsin.graph.summary import ClusterSummary, cluster_edges, summarise
from tocsin.settings import Settings
from tocsin.store import SqlLinkSource, Store
from tocsin.store.ftm import assemble
from tocsin.store.schema import MARKINGS, document_datasets, documents, judgements, links
from tocsin.store.scope import RESTRICTED, visible_markings
from tocsin.web.api.documents import aware
from tocsin.web.api.models import (
    ClusterDetail,
    ClusterSummaryOut,
    EntityOut,
    Graph,
    GraphEdge,
    GraphEdgeData,
    GraphNode,
    GraphNodeData,
    Page,
    PathOut,
    SelectorDetail,
)
from tocsin.web.deps import PrincipalDep, SettingsDep, StoreDep, audit

__all__ = ["cached_clustering", "cluster_summary_out", "router"]

router = APIRouter(tags=["graph"])

DOCUMENT_ID = Path(pattern=r"^[0-9a-fA-F]{8,64}$", description="Document id or 8+ first chars.")
Depth = Annotated[int, Query(ge=1, le=2, description="Hops to follow (document ↔ selector).")]
NodeLimit = Annotated[int, Query(ge=1, le=500, description="Most nodes returned.")]
_AUDIT_CHUNK = 900


# -- graph elements -----------------------------------------------------------------------------


def graph_elements(
    source: SqlLinkSource,
    nodes: dict[NodeRef, int],
    edges: Iterable[tuple[str, str]],
    *,
    hubs: Iterable[str] = (),
    truncated: bool = False,
) -> Graph:
    """Nodes and edges in Cytoscape.js's form, documents labelled with their risk."""
    hub_set = set(hubs)
    summaries: dict[str, DocumentSummary] = {
        s.id: s for s in source.summaries(n.id for n in nodes if n.kind is NodeKind.DOCUMENT)
    }
    out_nodes: list[GraphNode] = []
    for node, depth in nodes.items():
        if node.kind is NodeKind.DOCUMENT:
            s = summaries.get(node.id)
            if s is None:
                continue
            data = GraphNodeData(
                id=node.id,
                kind="document",
                label=node.id[:10],
                depth=depth,
                risk=s.risk,
                level=s.level,
            )
        else:
            kind, _, value = node.id.partition(":")
            data = GraphNodeData(
                id=node.id,
                kind="selector",
                label=value,
                depth=depth,
                hub=node.id in hub_set,
                type=kind,
            )
        out_nodes.append(GraphNode(data=data))
    present = {n.data.id for n in out_nodes}
    seen: set[tuple[str, str]] = set()
    out_edges: list[GraphEdge] = []
    for a, b in edges:
        pair = (a, b) if a <= b else (b, a)
        if pair in seen or a not in present or b not in present:
            continue
        seen.add(pair)
        out_edges.append(
            GraphEdge(data=GraphEdgeData(id=f"{pair[0]}|{pair[1]}", source=a, target=b))
        )
    return Graph(nodes=out_nodes, edges=out_edges, truncated=truncated)


def _subgraph_elements(source: SqlLinkSource, sub: Subgraph) -> Graph:
    return graph_elements(
        source,
        sub.depth,
        ((a.id, b.id) for a, b in sub.edges),
        hubs=sub.hubs,
        truncated=sub.truncated,
    )


def audit_shown(
    request: Request,
    store: Store,
    source: SqlLinkSource,
    target_kind: str,
    target_id: str,
    document_ids: Iterable[str],
) -> None:
    """One audit row when an answer showed documents (ids, risks, indicators) that the caller
    sees only through AMBER, AMBER+STRICT or RED datasets: the most restricted of them."""
    if source.principal.system:
        return
    wanted = list(dict.fromkeys(document_ids))[:_AUDIT_CHUNK]
    if not wanted:
        return
    with store.engine.connect() as conn:
        pks = list(conn.scalars(select(documents.c.pk).where(documents.c.id.in_(wanted))))
        markings = visible_markings(conn, pks, source.visible())
    worst = max(markings.values(), key=MARKINGS.index, default=None)
    if worst in RESTRICTED:
        audit(request, "read", target_kind, target_id, worst, {"documents": len(wanted)})


# -- selectors and documents' neighbourhoods ----------------------------------------------------


@router.get(
    "/selectors/{key:path}",
    response_model=SelectorDetail,
    summary="A selector, its documents and its neighbourhood graph",
    responses={404: {"description": "No such selector among the caller's documents."}},
)
def selector(
    request: Request,
    principal: PrincipalDep,
    store: StoreDep,
    settings: SettingsDep,
    key: Annotated[str, Path(max_length=600, description="type:value, e.g. telegram:hr_desk")],
    depth: Depth = 2,
    limit: NodeLimit = 100,
) -> SelectorDetail:
    """The selector as the caller sees it: how many of the caller's documents name it, the
    first hundred of them, and the graph within ``depth`` hops (hubs shown, not walked)."""
    scoped = store.as_principal(principal)
    row = scoped.selector(key)
    if row is None:
        raise HTTPException(404, "no such selector")
    source = scoped.link_source()
    sub = pivot(
        source,
        NodeRef(NodeKind.SELECTOR, key),
        depth=depth,
        limit=limit,
        hub_threshold=settings.graph_hub_threshold,
    )
    document_ids = source.documents_of(key, limit=100)
    graph = _subgraph_elements(source, sub)
    shown = [n.data.id for n in graph.nodes if n.data.kind == "document"]
    audit_shown(request, store, source, "selector", key, [*document_ids, *shown])
    return SelectorDetail(
        key=row["key"],
        type=row["type"],
        value=row["value"],
        normalised=row["normalised"],
        chain=row["chain"],
        country=row["country"],
        validated=bool(row["validated"]),
        first_seen=aware(row["first_seen"]),
        last_seen=aware(row["last_seen"]),
        documents=int(row["degree"]),
        document_ids=document_ids,
        graph=graph,
    )


@router.get(
    "/documents/{doc_id}/graph",
    response_model=Graph,
    summary="A document's neighbourhood graph",
    responses={404: {"description": "No such document, or not one the caller may see."}},
)
def document_graph(
    request: Request,
    principal: PrincipalDep,
    store: StoreDep,
    settings: SettingsDep,
    doc_id: Annotated[str, DOCUMENT_ID],
    depth: Depth = 2,
    limit: NodeLimit = 100,
) -> Graph:
    """The selectors of a document and the other documents that name them."""
    source = store.as_principal(principal).link_source()
    found = _document_id(source, store, doc_id.lower())
    sub = pivot(
        source,
        NodeRef(NodeKind.DOCUMENT, found),
        depth=depth,
        limit=limit,
        hub_threshold=settings.graph_hub_threshold,
    )
    graph = _subgraph_elements(source, sub)
    shown = [n.data.id for n in graph.nodes if n.data.kind == "document"]
    audit_shown(request, store, source, "document", found, shown)
    return graph


def _document_id(source: SqlLinkSource, store: Store, doc_id: str) -> str:
    """The full id of a document the source sees, from its id or a unique prefix."""
    candidates = [doc_id]
    if len(doc_id) < 64:
        with store.engine.connect() as conn:
            query = select(documents.c.id).where(documents.c.id.like(doc_id + "%")).limit(50)
            candidates = list(conn.scalars(query))
    visible = [s.id for s in source.summaries(candidates)]
    if len(visible) != 1:
        raise HTTPException(404, "no such document")
    return visible[0]


# -- paths --------------------------------------------------------------------------------------


@router.get(
    "/path",
    response_model=PathOut,
    summary="How two selectors are connected",
    responses={404: {"description": "A selector is unknown to the caller, or no path."}},
)
def path(
    request: Request,
    principal: PrincipalDep,
    store: StoreDep,
    settings: SettingsDep,
    a: Annotated[str, Query(min_length=3, max_length=600, description="A selector key.")],
    b: Annotated[str, Query(min_length=3, max_length=600, description="Another selector key.")],
    max_hops: Annotated[int, Query(ge=1, le=6, description="Most documents on the path.")] = 4,
) -> PathOut:
    """The shortest chain selector → document → selector … from ``a`` to ``b`` through the
    caller's documents, not through hubs; each hop explained."""
    scoped = store.as_principal(principal)
    for key in (a, b):
        if scoped.selector(key) is None:
            raise HTTPException(404, f"no such selector: {key}")
    source = scoped.link_source()
    found = shortest_path(
        source,
        a,
        b,
        max_hops=max_hops,
        limit=settings.graph_pivot_limit * 50,
        hub_threshold=settings.graph_hub_threshold,
    )
    if found is None:
        raise HTTPException(404, f"no path within {max_hops} documents")
    hops = [n.id for n in found.nodes if n.kind is NodeKind.DOCUMENT]
    audit_shown(request, store, source, "path", f"{a} {b}", hops)
    return PathOut.model_validate(found.to_dict())


# -- clusters -----------------------------------------------------------------------------------

_CACHE_SIZE = 16
_cache_lock = threading.Lock()


def cached_clustering(request: Request, store: Store, principal: Principal) -> Clustering:
    """Clusters of what ``principal`` sees, cached until the store changes.

    The cache key is the visible datasets and a fingerprint of the store (document, link and
    judgement counts and the newest sighting), so a new ingest or judgement recomputes.
    """
    settings: Settings = request.app.state.settings
    scoped = store.as_principal(principal)
    source = scoped.link_source()
    visible = source.visible()
    with store.engine.connect() as conn:
        fingerprint = tuple(
            str(conn.execute(query).scalar_one())
            for query in (
                select(func.count()).select_from(documents),
                select(func.count()).select_from(links),
                select(func.count()).select_from(document_datasets),
                select(func.max(document_datasets.c.last_seen)),
                select(func.max(judgements.c.pk)),
            )
        )
    key = (None if visible is None else tuple(visible), fingerprint)
    cache: OrderedDict[Any, Clustering] | None = getattr(request.app.state, "cluster_cache", None)
    if cache is None:
        cache = request.app.state.cluster_cache = OrderedDict()
    with _cache_lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    clustering = find_clusters(source, ClusterOptions.from_settings(settings))
    with _cache_lock:
        cache[key] = clustering
        while len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
    return clustering


def cluster_summary_out(summary: ClusterSummary) -> ClusterSummaryOut:
    return ClusterSummaryOut.model_validate(summary.to_dict())


@router.get("/clusters", response_model=Page[ClusterSummaryOut], summary="Networks, largest first")
def clusters(
    request: Request,
    principal: PrincipalDep,
    store: StoreDep,
    min_size: Annotated[int, Query(ge=1, le=100_000, description="Fewest documents.")] = 2,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Page[ClusterSummaryOut]:
    """Documents joined by shared selectors and reused templates (hubs do not join), over
    the caller's documents only; each with a summary."""
    clustering = cached_clustering(request, store, principal)
    source = store.as_principal(principal).link_source()
    found = list(clustering.clusters(min_size=min_size))
    page = found[offset : offset + limit]
    return Page[ClusterSummaryOut](
        items=[cluster_summary_out(summarise(c, source)) for c in page],
        total=len(found),
        limit=limit,
        offset=offset,
    )


def _find_cluster(clustering: Clustering, cluster_id: str) -> Cluster:
    for cluster in clustering.clusters(min_size=1):
        if cluster.id == cluster_id:
            return cluster
    raise HTTPException(404, "no such cluster")


@router.get(
    "/clusters/{cluster_id}",
    response_model=ClusterDetail,
    summary="One network: summary, members and graph",
    responses={404: {"description": "No such cluster among the caller's documents."}},
)
def cluster(
    request: Request,
    principal: PrincipalDep,
    store: StoreDep,
    cluster_id: Annotated[str, Path(pattern=r"^c-[0-9a-f]{12}$")],
    limit: Annotated[int, Query(ge=1, le=1000, description="Most documents drawn.")] = 200,
) -> ClusterDetail:
    """A cluster's summary, its documents and selectors, its near-duplicate pairs and its
    graph (the first ``limit`` documents and their selectors)."""
    clustering = cached_clustering(request, store, principal)
    found = _find_cluster(clustering, cluster_id)
    source = store.as_principal(principal).link_source()
    edges = cluster_edges(found, source, max_documents=limit)
    drawn_docs = found.documents[:limit]
    nodes: dict[NodeRef, int] = {NodeRef(NodeKind.DOCUMENT, d): 0 for d in drawn_docs}
    nodes.update({NodeRef(NodeKind.SELECTOR, s): 1 for _, s in edges})
    audit_shown(request, store, source, "cluster", cluster_id, found.documents)
    return ClusterDetail(
        summary=cluster_summary_out(summarise(found, source)),
        document_ids=list(found.documents),
        selector_keys=list(found.selectors),
        near_duplicates=[(a, b, round(s, 4)) for a, b, s in found.near_duplicates],
        graph=graph_elements(
            source, nodes, edges, hubs=found.hubs, truncated=len(found.documents) > limit
        ),
    )


# -- entities -----------------------------------------------------------------------------------


def _entity_out(entity: dict[str, Any]) -> EntityOut:
    return EntityOut.model_validate(
        {
            "id": entity["id"],
            "schema": entity["schema"],
            "caption": entity.get("caption"),
            "properties": {k: [str(v) for v in vs] for k, vs in entity["properties"].items()},
            "datasets": list(entity.get("datasets", [])),
            "first_seen": entity.get("first_seen"),
            "last_seen": entity.get("last_seen"),
        }
    )


@router.get("/entities", response_model=Page[EntityOut], summary="FollowTheMoney entities")
def entities(
    principal: PrincipalDep,
    store: StoreDep,
    dataset: Annotated[str | None, Query(max_length=200)] = None,
    schema: Annotated[
        str | None, Query(max_length=40, pattern=r"^[A-Za-z]+$", description="e.g. Person.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Page[EntityOut]:
    """Entities assembled from the statements the caller may see, in id order. Streams the
    statements: fine for a workspace, use ``tocsin export`` for whole stores."""
    items: list[EntityOut] = []
    total = 0
    for entity in store.as_principal(principal).entities(dataset):
        if schema is not None and entity["schema"] != schema:
            continue
        if offset <= total < offset + limit:
            items.append(_entity_out(entity))
        total += 1
    return Page[EntityOut](items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/entities/{entity_id}",
    response_model=EntityOut,
    summary="One entity",
    responses={404: {"description": "No such entity among the caller's statements."}},
)
def entity(
    principal: PrincipalDep,
    store: StoreDep,
    entity_id: Annotated[str, Path(min_length=1, max_length=80)],
) -> EntityOut:
    """One FollowTheMoney entity, from the statements the caller may see."""
    found = list(assemble(store.as_principal(principal).entity_statements([entity_id])))
    if not found:
        raise HTTPException(404, "no such entity")
    return _entity_out(found[0])
