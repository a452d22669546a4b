"""Clusters: connected components of the document ↔ selector graph, with hub suppression.

The bulk path works on integer arrays only (`LinkArrays`), and one call to
`scipy.sparse.csgraph.connected_components`, so it clusters a million documents in seconds.
See docs/graph.md for the rules and their tunables.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from tocsin.graph.neardup import near_duplicate_pairs
from tocsin.graph.source import Judgements, LinkSource, NodeKind, NodeRef
from tocsin.settings import Settings, get_settings

__all__ = ["Cluster", "ClusterOptions", "Clustering", "Hub", "cluster_id", "find_clusters"]

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """Tunables of clustering (defaults from `tocsin.settings.Settings`, docs/graph.md)."""

    hub_threshold: int = 500
    hub_share: float = 0.005
    hub_min_degree: int = 50
    near_duplicates: bool = True
    near_duplicate_threshold: float = 0.7

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **overrides: object) -> ClusterOptions:
        s = settings if settings is not None else get_settings()
        values: dict[str, object] = {
            "hub_threshold": s.graph_hub_threshold,
            "hub_share": s.graph_hub_share,
            "hub_min_degree": s.graph_hub_min_degree,
            "near_duplicate_threshold": s.graph_near_duplicate_threshold,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]  # keys are the fields above

    def effective_hub_threshold(self, documents: int) -> int:
        """Degree above which a selector is a hub: the absolute threshold, lowered to
        ``hub_share`` of all documents (but never below ``hub_min_degree``) in small corpora."""
        relative = max(self.hub_min_degree, int(self.hub_share * documents))
        return min(self.hub_threshold, relative)


@dataclass(frozen=True, slots=True)
class Hub:
    """A selector linked to so many documents that it does not merge clusters."""

    key: str
    degree: int


@dataclass(frozen=True, slots=True)
class Cluster:
    """One network: its documents, the selectors that join them, and the hubs left out."""

    id: str
    documents: tuple[str, ...]
    selectors: tuple[str, ...]
    hubs: tuple[str, ...] = ()
    near_duplicates: tuple[tuple[str, str, float], ...] = ()

    @property
    def size(self) -> int:
        return len(self.documents)


def cluster_id(documents: Sequence[str]) -> str:
    """Deterministic id of a cluster: a hash of its smallest document id."""
    return "c-" + hashlib.sha256(min(documents).encode("utf-8")).hexdigest()[:12]


@dataclass(slots=True)
class Clustering:
    """The result of `find_clusters`: labels over arrays, clusters materialised on demand."""

    documents: Sequence[str]
    selectors: Sequence[str]
    document_labels: IntArray
    selector_labels: IntArray
    """Cluster label of each selector; -1 for hubs and selectors without a kept link."""
    hubs: list[Hub]
    hub_clusters: dict[str, list[int]]
    near_duplicates: list[tuple[str, str, float]]
    conflicts: list[str] = field(default_factory=list)
    ignored_judgements: int = 0
    threshold: int = 0

    @property
    def count(self) -> int:
        return int(np.unique(self.document_labels).shape[0])

    def sizes(self) -> IntArray:
        """Number of documents per cluster label."""
        return np.bincount(self.document_labels).astype(np.int64)

    def clusters(self, min_size: int = 1, limit: int | None = None) -> Iterator[Cluster]:
        """Clusters with at least ``min_size`` documents, largest first (ties: by id)."""
        sizes = self.sizes()
        labels = np.nonzero(sizes >= min_size)[0]
        doc_order = np.argsort(self.document_labels, kind="stable")
        doc_starts = np.searchsorted(self.document_labels[doc_order], labels)
        sel_order = np.argsort(self.selector_labels, kind="stable")
        sorted_sel_labels = self.selector_labels[sel_order]
        dup_by_label: dict[int, list[tuple[str, str, float]]] = {}
        if self.near_duplicates:
            index = {d: i for i, d in enumerate(self.documents)}
            for a, b, sim in self.near_duplicates:
                dup_by_label.setdefault(int(self.document_labels[index[a]]), []).append((a, b, sim))
        hubs_by_label: dict[int, list[str]] = {}
        for key, hub_labels in self.hub_clusters.items():
            for label in hub_labels:
                hubs_by_label.setdefault(label, []).append(key)
        made = []
        for label, start in zip(labels.tolist(), doc_starts.tolist(), strict=True):
            docs = [self.documents[i] for i in doc_order[start : start + sizes[label]].tolist()]
            lo, hi = np.searchsorted(sorted_sel_labels, [label, label + 1])
            sels = sorted(self.selectors[i] for i in sel_order[lo:hi].tolist())
            made.append(
                Cluster(
                    id=cluster_id(docs),
                    documents=tuple(sorted(docs)),
                    selectors=tuple(sels),
                    hubs=tuple(sorted(hubs_by_label.get(label, ()))),
                    near_duplicates=tuple(dup_by_label.get(label, ())),
                )
            )
        made.sort(key=lambda c: (-c.size, c.id))
        yield from made[:limit] if limit is not None else made


def _positions(names: Sequence[str], wanted: set[str]) -> dict[str, int]:
    return {name: i for i, name in enumerate(names) if name in wanted}


def _remove_rejected(
    source_docs: Sequence[str],
    source_sels: Sequence[str],
    link_docs: IntArray,
    link_sels: IntArray,
    judgements: Judgements,
) -> tuple[IntArray, IntArray, int]:
    if not judgements.rejected_links:
        return link_docs, link_sels, 0
    doc_pos = _positions(source_docs, {d for d, _ in judgements.rejected_links})
    sel_pos = _positions(source_sels, {s for _, s in judgements.rejected_links})
    n_sel = len(source_sels)
    codes = [
        doc_pos[d] * n_sel + sel_pos[s]
        for d, s in judgements.rejected_links
        if d in doc_pos and s in sel_pos
    ]
    ignored = len(judgements.rejected_links) - len(codes)
    keep = ~np.isin(link_docs * n_sel + link_sels, np.asarray(codes, dtype=np.int64))
    return link_docs[keep], link_sels[keep], ignored


def find_clusters(source: LinkSource, options: ClusterOptions | None = None) -> Clustering:
    """Cluster every document of ``source``; each document lands in exactly one cluster."""
    opts = options if options is not None else ClusterOptions.from_settings()
    arrays = source.link_arrays()
    documents, selectors = arrays.documents, arrays.selectors
    n_docs, n_sels = len(documents), len(selectors)
    judgements = source.judgements()
    link_docs, link_sels, ignored = _remove_rejected(
        documents,
        selectors,
        np.asarray(arrays.link_documents, dtype=np.int64),
        np.asarray(arrays.link_selectors, dtype=np.int64),
        judgements,
    )
    codes = np.unique(link_docs * max(n_sels, 1) + link_sels)
    link_docs, link_sels = codes // max(n_sels, 1), codes % max(n_sels, 1)
    degree = np.bincount(link_sels, minlength=n_sels)
    threshold = opts.effective_hub_threshold(n_docs)
    is_hub = degree > threshold
    keep = ~is_hub[link_sels]

    rows = [link_docs[keep], n_docs + link_sels[keep]]
    cols = [n_docs + link_sels[keep], link_docs[keep]]
    near: list[tuple[str, str, float]] = []
    rejected_pairs = {
        frozenset((m.a.id, m.b.id))
        for m in judgements.merges
        if not m.confirmed and m.a.kind is NodeKind.DOCUMENT and m.b.kind is NodeKind.DOCUMENT
    }
    doc_index: dict[str, int] | None = None
    if opts.near_duplicates:
        pairs = near_duplicate_pairs(source.iter_signatures(), opts.near_duplicate_threshold)
        near = [p for p in pairs if frozenset(p[:2]) not in rejected_pairs]
        if near:
            doc_index = {d: i for i, d in enumerate(documents)}
            near = [p for p in near if p[0] in doc_index and p[1] in doc_index]
            a = np.asarray([doc_index[p[0]] for p in near], dtype=np.int64)
            b = np.asarray([doc_index[p[1]] for p in near], dtype=np.int64)
            rows += [a, b]
            cols += [b, a]

    merges = [m for m in judgements.merges if m.confirmed]
    wanted_merges = [m for m in judgements.merges if not m.confirmed] + merges
    node_of: dict[NodeRef, int] = {}
    if wanted_merges:
        doc_pos = _positions(documents, {r.id for m in wanted_merges for r in (m.a, m.b)})
        sel_pos = _positions(selectors, {r.id for m in wanted_merges for r in (m.a, m.b)})
        for m in wanted_merges:
            for ref in (m.a, m.b):
                pos = (doc_pos if ref.kind is NodeKind.DOCUMENT else sel_pos).get(ref.id)
                if pos is not None:
                    node_of[ref] = pos if ref.kind is NodeKind.DOCUMENT else n_docs + pos
    merge_a = [node_of[m.a] for m in merges if m.a in node_of and m.b in node_of]
    merge_b = [node_of[m.b] for m in merges if m.a in node_of and m.b in node_of]
    ignored += len(merges) - len(merge_a)
    rows.append(np.asarray(merge_a, dtype=np.int64))
    cols.append(np.asarray(merge_b, dtype=np.int64))

    n_nodes = n_docs + n_sels
    row, col = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(row.shape[0], dtype=np.int8), (row, col)), (n_nodes, n_nodes))
    n_components, labels = connected_components(graph.tocsr(), directed=False)
    # Renumber so that labels count documents' clusters 0..k-1 (selector-only components drop).
    unique, doc_labels = np.unique(labels[:n_docs], return_inverse=True)
    remap = np.full(n_components, -1, dtype=np.int64)
    remap[unique] = np.arange(unique.shape[0], dtype=np.int64)
    sel_labels = remap[labels[n_docs:]]
    sel_labels[is_hub | (degree == 0)] = -1

    hub_idx = np.nonzero(is_hub)[0]
    hubs = sorted(
        (Hub(selectors[i], int(degree[i])) for i in hub_idx.tolist()),
        key=lambda h: (-h.degree, h.key),
    )
    hub_clusters: dict[str, list[int]] = {}
    if hub_idx.shape[0]:
        hub_links = is_hub[link_sels]
        touching = np.unique(
            np.stack([link_sels[hub_links], doc_labels[link_docs[hub_links]]], axis=1), axis=0
        )
        for sel, label in touching.tolist():
            hub_clusters.setdefault(selectors[sel], []).append(label)

    conflicts = []
    for m in judgements.merges:
        if m.confirmed or m.a not in node_of or m.b not in node_of:
            continue
        if labels[node_of[m.a]] == labels[node_of[m.b]]:
            conflicts.append(
                f"rejected merge of {m.a.id} and {m.b.id}: still connected through selectors"
            )
    return Clustering(
        documents=documents,
        selectors=selectors,
        document_labels=doc_labels.astype(np.int64),
        selector_labels=sel_labels.astype(np.int64),
        hubs=hubs,
        hub_clusters=hub_clusters,
        near_duplicates=near,
        conflicts=conflicts,
        ignored_judgements=ignored,
        threshold=threshold,
    )
