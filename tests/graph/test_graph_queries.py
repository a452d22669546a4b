"""Pivots and shortest paths over the LinkSource queries."""

from __future__ import annotations

from tocsin.graph import MemoryLinkSource, NodeKind, NodeRef
from tocsin.graph.queries import pivot, shortest_path


def chain() -> MemoryLinkSource:
    src = MemoryLinkSource()
    src.add("ad1", ["telegram:recruiter", "phone:+85511111111"])
    src.add("chat7", ["phone:+85511111111", "crypto:TXyzWallet"])
    src.add("ad2", ["telegram:recruiter", "email:support@board.example"])
    for i in range(10):
        src.add(f"x{i}", ["email:support@board.example", f"phone:+1{i}"])
    src.add("x0", ["crypto:TXyzWallet"])  # a shortcut only through the hub
    return src


def test_shortest_path_is_explained_selector_document_selector() -> None:
    path = shortest_path(chain(), "telegram:recruiter", "crypto:TXyzWallet", hub_threshold=5)
    assert path is not None
    assert [n.id for n in path.nodes] == [
        "telegram:recruiter",
        "ad1",
        "phone:+85511111111",
        "chat7",
        "crypto:TXyzWallet",
    ]
    assert path.explain() == [
        "telegram:recruiter appears in document ad1, which also names phone:+85511111111",
        "phone:+85511111111 appears in document chat7, which also names crypto:TXyzWallet",
    ]
    assert path.to_dict()["hops"] == 2


def test_paths_do_not_go_through_hubs() -> None:
    src = chain()
    assert shortest_path(src, "telegram:recruiter", "phone:+13", hub_threshold=5) is None
    assert shortest_path(src, "telegram:recruiter", "phone:+13", hub_threshold=50) is not None
    assert shortest_path(src, "telegram:recruiter", "telegram:unknown") is None


def test_pivot_is_bounded_by_depth_hubs_and_limit() -> None:
    src = chain()
    start = NodeRef(NodeKind.SELECTOR, "telegram:recruiter")
    near = pivot(src, start, depth=3, hub_threshold=5)
    ids = {n.id for n in near.depth}
    assert {"ad1", "ad2", "phone:+85511111111", "email:support@board.example"} <= ids
    assert "x1" not in ids and near.hubs == {"email:support@board.example": 11}
    assert pivot(src, start, depth=1).depth.keys() == {
        start,
        NodeRef(NodeKind.DOCUMENT, "ad1"),
        NodeRef(NodeKind.DOCUMENT, "ad2"),
    }
    small = pivot(src, start, depth=6, limit=4, hub_threshold=50)
    assert len(small.depth) == 4 and small.truncated


def test_summary_places_are_place_names_not_the_job_words_beside_them() -> None:
    from tocsin import scan
    from tocsin.graph.memory import summary_from_verdict

    verdict = scan(
        "Hiring English customer service in Sihanoukville, salary 1500 USD. 西港招聘客服"
    )
    summary = summary_from_verdict(verdict, "doc")
    assert set(summary.places) == {"sihanoukville", "西港"}
