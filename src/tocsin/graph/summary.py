"""Cluster summaries: what an analyst reads first about a network."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tocsin.graph.clusters import Cluster
from tocsin.graph.source import LinkSource

__all__ = ["ClusterSummary", "cluster_edges", "summarise"]

TOP = 10
"""How many indicators, places, languages and datasets a summary lists."""


@dataclass(frozen=True, slots=True)
class ClusterSummary:
    id: str
    documents: int
    selectors: int
    first_seen: datetime | None
    last_seen: datetime | None
    languages: tuple[tuple[str, int], ...]
    kinds: tuple[tuple[str, int], ...]
    top_indicators: tuple[tuple[str, int], ...]
    places: tuple[tuple[str, int], ...]
    datasets: tuple[tuple[str, int], ...]
    risk_max: int
    risk_mean: float
    levels: tuple[tuple[str, int], ...]
    selector_types: tuple[tuple[str, int], ...]
    hubs: tuple[str, ...]
    near_duplicate_edges: int

    def to_dict(self) -> dict[str, Any]:
        def pairs(items: tuple[tuple[str, int], ...]) -> dict[str, int]:
            return dict(items)

        return {
            "id": self.id,
            "documents": self.documents,
            "selectors": self.selectors,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "languages": pairs(self.languages),
            "kinds": pairs(self.kinds),
            "top_indicators": pairs(self.top_indicators),
            "places": pairs(self.places),
            "datasets": pairs(self.datasets),
            "risk_max": self.risk_max,
            "risk_mean": self.risk_mean,
            "levels": pairs(self.levels),
            "selector_types": pairs(self.selector_types),
            "hubs_excluded": list(self.hubs),
            "near_duplicate_edges": self.near_duplicate_edges,
        }


def _top(counter: Counter[str], n: int = TOP) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n])


def summarise(cluster: Cluster, source: LinkSource) -> ClusterSummary:
    """Summarise a cluster from its documents' summaries (one bulk query)."""
    docs = source.summaries(cluster.documents)
    languages: Counter[str] = Counter(d.language or "und" for d in docs)
    kinds: Counter[str] = Counter(d.kind for d in docs)
    indicators: Counter[str] = Counter(i for d in docs for i in d.indicators)
    places: Counter[str] = Counter(p for d in docs for p in d.places)
    datasets: Counter[str] = Counter(s for d in docs for s in d.datasets)
    levels: Counter[str] = Counter(d.level for d in docs)
    types: Counter[str] = Counter(key.split(":", 1)[0] for key in cluster.selectors)
    firsts = [d.first_seen for d in docs if d.first_seen is not None]
    lasts = [d.last_seen for d in docs if d.last_seen is not None]
    risks = [d.risk for d in docs]
    return ClusterSummary(
        id=cluster.id,
        documents=cluster.size,
        selectors=len(cluster.selectors),
        first_seen=min(firsts) if firsts else None,
        last_seen=max(lasts) if lasts else None,
        languages=_top(languages),
        kinds=_top(kinds),
        top_indicators=_top(indicators),
        places=_top(places),
        datasets=_top(datasets),
        risk_max=max(risks, default=0),
        risk_mean=round(sum(risks) / len(risks), 1) if risks else 0.0,
        levels=_top(levels),
        selector_types=_top(types),
        hubs=cluster.hubs,
        near_duplicate_edges=len(cluster.near_duplicates),
    )


def cluster_edges(
    cluster: Cluster, source: LinkSource, max_documents: int = 200
) -> list[tuple[str, str]]:
    """Document → selector links inside a cluster (hubs left out), for drawing."""
    members = set(cluster.selectors)
    return [
        (doc, key)
        for doc in cluster.documents[:max_documents]
        for key in source.selectors_of(doc)
        if key in members
    ]
