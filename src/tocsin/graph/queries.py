"""Pivots and paths: walking the document ↔ selector graph through `LinkSource` queries.

Both walks are breadth-first and bounded: a hub selector (more documents than the hub threshold)
is shown but never walked through, each selector contributes at most ``fanout`` documents, and
the walk stops after ``limit`` nodes.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tocsin.graph.source import LinkSource, NodeKind, NodeRef
from tocsin.settings import get_settings

__all__ = ["Path", "Subgraph", "pivot", "shortest_path"]


@dataclass(slots=True)
class Subgraph:
    """Nodes reached from a start node, with their depth, and the edges walked."""

    start: NodeRef
    depth: dict[NodeRef, int] = field(default_factory=dict)
    edges: list[tuple[NodeRef, NodeRef]] = field(default_factory=list)
    hubs: dict[str, int] = field(default_factory=dict)
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": {"kind": self.start.kind.value, "id": self.start.id},
            "nodes": [
                {"kind": n.kind.value, "id": n.id, "depth": d, "hub": n.id in self.hubs}
                for n, d in self.depth.items()
            ],
            "edges": [[a.id, b.id] for a, b in self.edges],
            "truncated": self.truncated,
        }


@dataclass(frozen=True, slots=True)
class Path:
    """A chain selector → document → selector … joining two selectors."""

    nodes: tuple[NodeRef, ...]

    def explain(self) -> list[str]:
        """One sentence per hop, e.g. 'phone:+855… appears in document d1, together with …'."""
        lines = []
        for i in range(0, len(self.nodes) - 2, 2):
            sel, doc, nxt = self.nodes[i], self.nodes[i + 1], self.nodes[i + 2]
            lines.append(f"{sel.id} appears in document {doc.id}, which also names {nxt.id}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": [{"kind": n.kind.value, "id": n.id} for n in self.nodes],
            "hops": len(self.nodes) // 2,
            "explanation": self.explain(),
        }


def _neighbours(
    source: LinkSource, node: NodeRef, hub_threshold: int, fanout: int, hubs: dict[str, int]
) -> list[NodeRef]:
    if node.kind is NodeKind.DOCUMENT:
        return [NodeRef(NodeKind.SELECTOR, k) for k in source.selectors_of(node.id)]
    degree = source.selector_degree(node.id)
    if degree > hub_threshold:
        hubs[node.id] = degree
        return []
    return [NodeRef(NodeKind.DOCUMENT, d) for d in source.documents_of(node.id, limit=fanout)]


def pivot(
    source: LinkSource,
    start: NodeRef,
    *,
    depth: int = 2,
    limit: int | None = None,
    hub_threshold: int | None = None,
    fanout: int = 100,
) -> Subgraph:
    """Everything within ``depth`` hops of ``start`` (a hop is document ↔ selector).

    ``limit`` and ``hub_threshold`` default to the settings ``graph_pivot_limit`` and
    ``graph_hub_threshold``.
    """
    settings = get_settings()
    limit = settings.graph_pivot_limit if limit is None else limit
    hub_threshold = settings.graph_hub_threshold if hub_threshold is None else hub_threshold
    graph = Subgraph(start=start, depth={start: 0})
    queue = deque([start])
    while queue:
        node = queue.popleft()
        level = graph.depth[node]
        if level >= depth:
            continue
        for other in _neighbours(source, node, hub_threshold, fanout, graph.hubs):
            if other not in graph.depth:
                if len(graph.depth) >= limit:
                    graph.truncated = True
                    return graph
                graph.depth[other] = level + 1
                queue.append(other)
            graph.edges.append((node, other))
    return graph


def shortest_path(
    source: LinkSource,
    a: str,
    b: str,
    *,
    max_hops: int = 6,
    limit: int = 10_000,
    hub_threshold: int = 500,
    fanout: int = 1000,
) -> Path | None:
    """Shortest chain from selector ``a`` to selector ``b``, not through hubs; None if none.

    ``max_hops`` counts documents on the path; the search visits at most ``limit`` nodes.
    """
    start, goal = NodeRef(NodeKind.SELECTOR, a), NodeRef(NodeKind.SELECTOR, b)
    if a == b:
        return Path((start,))
    parent: dict[NodeRef, NodeRef | None] = {start: None}
    depth = {start: 0}
    queue = deque([start])
    hubs: dict[str, int] = {}
    while queue:
        node = queue.popleft()
        if depth[node] >= 2 * max_hops:
            continue
        for other in _neighbours(source, node, hub_threshold, fanout, hubs):
            if other in parent:
                continue
            parent[other] = node
            depth[other] = depth[node] + 1
            if other == goal:
                chain = [other]
                step = parent[other]
                while step is not None:
                    chain.append(step)
                    step = parent[step]
                return Path(tuple(reversed(chain)))
            if len(parent) >= limit:
                return None
            queue.append(other)
    return None
