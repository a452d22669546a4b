"""Clusters: hub suppression, judgements, determinism, planted networks, partition property."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import load_graph_corpus
from tocsin.graph import MemoryLinkSource, MergeJudgement, NodeKind, NodeRef
from tocsin.graph.clusters import ClusterOptions, cluster_id, find_clusters
from tocsin.graph.source import Judgements, LinkArrays

SMALL = ClusterOptions(hub_threshold=5, hub_min_degree=4, near_duplicates=False)


def two_networks_and_a_hub() -> MemoryLinkSource:
    src = MemoryLinkSource()
    for i in range(3):
        src.add(
            f"a{i}", ["phone:+85512345678", f"email:a{i}@x.example", "email:help@board.example"]
        )
    for i in range(3):
        src.add(f"b{i}", ["telegram:bnet", f"email:b{i}@x.example", "email:help@board.example"])
    src.add("lonely", [])
    return src


def groups(src: MemoryLinkSource, options: ClusterOptions = SMALL) -> set[tuple[str, ...]]:
    return {c.documents for c in find_clusters(src, options).clusters()}


def test_a_hub_does_not_merge_two_networks_and_is_reported() -> None:
    src = two_networks_and_a_hub()
    result = find_clusters(src, SMALL)
    assert groups(src) == {("a0", "a1", "a2"), ("b0", "b1", "b2"), ("lonely",)}
    assert [(h.key, h.degree) for h in result.hubs] == [("email:help@board.example", 6)]
    touching = [c for c in result.clusters() if "email:help@board.example" in c.hubs]
    assert len(touching) == 2
    assert all("email:help@board.example" not in c.selectors for c in result.clusters())


def test_without_hub_suppression_everything_merges() -> None:
    options = ClusterOptions(hub_threshold=100, hub_min_degree=100, near_duplicates=False)
    assert ("a0", "a1", "a2", "b0", "b1", "b2") in groups(two_networks_and_a_hub(), options)


def test_effective_threshold_scales_with_corpus_but_keeps_a_floor() -> None:
    options = ClusterOptions(hub_threshold=500, hub_share=0.005, hub_min_degree=50)
    assert options.effective_hub_threshold(1_000) == 50
    assert options.effective_hub_threshold(40_000) == 200
    assert options.effective_hub_threshold(1_000_000) == 500


def test_rejected_links_stay_rejected_on_every_run() -> None:
    src = MemoryLinkSource()
    src.add("d1", ["phone:+111", "telegram:x"])
    src.add("d2", ["phone:+111"])
    assert ("d1", "d2") in groups(src)
    src.reject_link("d2", "phone:+111")
    for _ in range(2):
        assert groups(src) == {("d1",), ("d2",)}
    src.add("d3", ["phone:+111"])  # new evidence links d3, never d2
    assert groups(src) == {("d1", "d3"), ("d2",)}


def test_confirmed_merges_apply_and_rejected_merges_cut_near_duplicates() -> None:
    src = MemoryLinkSource()
    src.add("d1", ["phone:+111"])
    src.add("d2", ["phone:+222"])
    src.add("d3", ["telegram:c"])
    doc = NodeKind.DOCUMENT
    src.judge_merge(
        MergeJudgement(NodeRef(doc, "d1"), NodeRef(NodeKind.SELECTOR, "phone:+222"), True)
    )
    src.judge_merge(MergeJudgement(NodeRef(doc, "d1"), NodeRef(doc, "nope"), True))
    result = find_clusters(src, SMALL)
    assert {c.documents for c in result.clusters()} == {("d1", "d2"), ("d3",)}
    assert result.ignored_judgements == 1


def test_rejected_merge_still_connected_is_reported() -> None:
    src = MemoryLinkSource()
    src.add("d1", ["phone:+111"])
    src.add("d2", ["phone:+111"])
    doc = NodeKind.DOCUMENT
    src.judge_merge(MergeJudgement(NodeRef(doc, "d1"), NodeRef(doc, "d2"), False))
    assert find_clusters(src, SMALL).conflicts


def test_cluster_ids_are_deterministic_and_name_the_smallest_member() -> None:
    first = [c.id for c in find_clusters(two_networks_and_a_hub(), SMALL).clusters()]
    second = [c.id for c in find_clusters(two_networks_and_a_hub(), SMALL).clusters()]
    assert first == second
    assert cluster_id(["b2", "b0", "b1"]) == cluster_id(["b0"])


def test_planted_networks_are_recovered() -> None:
    gc = load_graph_corpus()
    planted = gc.arrays(3_000, hubs=3, hub_share=0.05, seed=3)

    class Source(MemoryLinkSource):
        def link_arrays(self) -> LinkArrays:
            return LinkArrays(
                planted.documents,
                planted.selectors,
                planted.link_documents,
                planted.link_selectors,
            )

    result = find_clusters(Source(), ClusterOptions(near_duplicates=False))
    assert sorted(h.key for h in result.hubs) == sorted(planted.hubs)
    precision, recall = gc.pairwise_scores(result.document_labels, planted.truth)
    assert precision == 1.0
    assert recall > 0.98


class ArraySource(MemoryLinkSource):
    def __init__(self, n_docs: int, links: list[tuple[int, int]], judgements: Judgements) -> None:
        super().__init__()
        self.n_docs, self.links, self.judged = n_docs, links, judgements

    def link_arrays(self) -> LinkArrays:
        n_sels = max((s for _, s in self.links), default=-1) + 1
        return LinkArrays(
            [f"d{i}" for i in range(self.n_docs)],
            [f"phone:+{i}" for i in range(n_sels)],
            np.asarray([d for d, _ in self.links], dtype=np.int64),
            np.asarray([s for _, s in self.links], dtype=np.int64),
        )

    def judgements(self) -> Judgements:
        return self.judged


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 15)), max_size=60),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, 15)), max_size=5),
            st.integers(1, 6),
        )
    )
)
def test_clusters_partition_the_documents(
    case: tuple[int, list[tuple[int, int]], list[tuple[int, int]], int],
) -> None:
    n_docs, links, rejected, threshold = case
    judgements = Judgements(rejected_links=frozenset((f"d{d}", f"phone:+{s}") for d, s in rejected))
    src = ArraySource(n_docs, links, judgements)
    options = ClusterOptions(
        hub_threshold=threshold, hub_min_degree=threshold, near_duplicates=False
    )
    result = find_clusters(src, options)
    seen = [d for c in result.clusters() for d in c.documents]
    assert sorted(seen) == sorted(f"d{i}" for i in range(n_docs))
    assert len(seen) == len(set(seen))
    # Two documents sharing a kept, non-hub selector are in the same cluster.
    label = {d: c.id for c in result.clusters() for d in c.documents}
    hubs = {h.key for h in result.hubs}
    for d, s in links:
        key = f"phone:+{s}"
        if key in hubs or (f"d{d}", key) in judgements.rejected_links:
            continue
        for d2, s2 in links:
            if s2 == s and (f"d{d2}", key) not in judgements.rejected_links:
                assert label[f"d{d}"] == label[f"d{d2}"]
