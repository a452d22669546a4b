"""Every role × every marking, at the store layer, on SQLite and PostgreSQL: search results and
totals, document(), selector(), find_selectors, pivots and paths, clusters, FtM export — each
shows a document exactly when the rule allows it, and otherwise behaves as if it did not exist.
"""

from __future__ import annotations

import pytest

from tocsin.graph import NodeKind, NodeRef
from tocsin.graph.clusters import find_clusters
from tocsin.graph.queries import pivot, shortest_path
from tocsin.store import SqlLinkSource, Store
from tocsin.store.ftm import document_entity_id, selector_entity_id

from .world import EXPECTED, SHARED_KEY, TAGS, World, build, unique_key


@pytest.fixture
def world(store: Store) -> World:
    return build(store)


def test_matrix(world: World) -> None:
    wrong: list[str] = []

    def check(who: str, marking: str, what: str, seen: bool) -> None:
        if seen != (marking in EXPECTED[who]):
            wrong.append(f"{who} × {marking}: {what} {'shown' if seen else 'hidden'}")

    for who, principal in world.principals.items():
        scoped = world.store.as_principal(principal)
        source = scoped.link_source()
        allowed = EXPECTED[who]
        shared = pivot(source, NodeRef(NodeKind.SELECTOR, SHARED_KEY), depth=2)
        reached = {n.id for n in shared.depth}
        clustering = find_clusters(source)
        clustered = {d for c in clustering.clusters() for d in c.documents}
        exported = {e["id"] for e in scoped.entities()}
        any_results = scoped.search("Sihanoukville", limit=50)  # in every test document
        total = scoped.search_count("Sihanoukville")
        if len(any_results) != len(allowed) or total != len(allowed):
            wrong.append(f"{who}: search found {len(any_results)}, total {total}")
        degree = scoped.selector(SHARED_KEY)
        if len(allowed) and (degree is None or degree["degree"] != len(allowed)):
            wrong.append(f"{who}: shared selector degree {degree and degree['degree']}")
        if source.selector_degree(SHARED_KEY) != len(allowed):
            wrong.append(f"{who}: link-source degree {source.selector_degree(SHARED_KEY)}")
        for marking, tag in TAGS.items():
            doc_id = world.doc_ids[marking]
            hits = scoped.search(f"zq{tag}marker")
            check(who, marking, "search result", [h["id"] for h in hits] == [doc_id])
            check(who, marking, "search total", scoped.search_count(f"zq{tag}marker") == 1)
            check(who, marking, "document()", scoped.document(doc_id) is not None)
            check(who, marking, "document(prefix)", scoped.document(doc_id[:10]) is not None)
            check(who, marking, "selector()", scoped.selector(unique_key(marking)) is not None)
            found = scoped.find_selectors(f"hr_unique_{tag}_desk")
            check(who, marking, "find_selectors", found == [unique_key(marking)])
            check(who, marking, "pivot neighbour", doc_id in reached)
            check(who, marking, "pivot selector", unique_key(marking) in reached)
            doc_pivot = pivot(source, NodeRef(NodeKind.DOCUMENT, doc_id), depth=1)
            check(who, marking, "pivot from document", len(doc_pivot.depth) > 1)
            path = shortest_path(source, unique_key(marking), unique_key("clear"))
            check(who, marking, "path", path is not None)
            check(who, marking, "cluster member", doc_id in clustered)
            check(who, marking, "summary", bool(source.summaries([doc_id])))
            check(who, marking, "signature", doc_id in dict(source.iter_signatures()))
            check(who, marking, "FtM document", document_entity_id(doc_id) in exported)
            check(who, marking, "FtM selector", selector_entity_id(unique_key(marking)) in exported)
            statements = scoped.entity_statements([document_entity_id(doc_id)])
            check(who, marking, "entity statements", bool(statements))
            check(who, marking, "selectors_of", bool(source.selectors_of(doc_id)))
            arrays = source.link_arrays()
            check(who, marking, "link arrays document", doc_id in arrays.documents)
            check(who, marking, "link arrays selector", unique_key(marking) in arrays.selectors)
    assert not wrong, "\n".join(wrong)


def test_unscoped_link_source_is_the_system(world: World) -> None:
    """The CLI's SqlLinkSource(engine) and Store(engine) still see everything."""
    source = SqlLinkSource(world.store.engine)
    assert source.selector_degree(SHARED_KEY) == 5
    assert world.store.search_count("Sihanoukville") == 5
    assert world.store.counts()["documents"] == 5
