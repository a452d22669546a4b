"""Role × marking × endpoint at the HTTP layer, on SQLite and PostgreSQL.

Each principal of the world reads every endpoint; a document must show exactly when the rule
allows it (docs/access.md), and otherwise be absent everywhere: no result, no total, no graph
neighbour, no cluster member, no statistic, no export line — and 404, not 403.
"""

from __future__ import annotations

from typing import Any

import pytest

from tocsin.store.ftm import document_entity_id, selector_entity_id

from .conftest import EXPECTED, SHARED_KEY, TAGS, World, dataset_for, unique_key

WHO = list(EXPECTED)


def _entities(client: Any) -> set[str]:
    found: set[str] = set()
    offset = 0
    while True:
        page = client.get("/api/v1/entities", params={"limit": 100, "offset": offset}).json()
        found.update(e["id"] for e in page["items"])
        offset += 100
        if offset >= page["total"]:
            return found


@pytest.mark.parametrize("who", WHO)
def test_reads_show_exactly_what_the_markings_allow(shared_world: World, who: str) -> None:
    c = shared_world.client(who)
    allowed = EXPECTED[who]
    allowed_docs = {shared_world.doc_ids[m] for m in allowed}
    wrong: list[str] = []

    def check(marking: str, what: str, seen: bool) -> None:
        if seen != (marking in allowed):
            wrong.append(f"{who} × {marking}: {what} {'shown' if seen else 'hidden'}")

    everything = c.get("/api/v1/search", params={"q": "Sihanoukville", "limit": 100}).json()
    if everything["total"] != len(allowed) or len(everything["items"]) != len(allowed):
        wrong.append(f"{who}: search total {everything['total']}")
    no_query = c.get("/api/v1/search", params={"limit": 100}).json()
    if {i["id"] for i in no_query["items"]} != allowed_docs or no_query["total"] != len(allowed):
        wrong.append(f"{who}: filter-only search {no_query['total']}")
    shared = c.get(f"/api/v1/selectors/{SHARED_KEY}", params={"depth": 2}).json()
    if shared["documents"] != len(allowed):
        wrong.append(f"{who}: shared selector degree {shared['documents']}")
    graph_ids = {n["data"]["id"] for n in shared["graph"]["nodes"]}
    graph_docs = {
        n["data"]["id"] for n in shared["graph"]["nodes"] if n["data"]["kind"] == "document"
    }
    edge_ends = {e["data"][end] for e in shared["graph"]["edges"] for end in ("source", "target")}
    if not edge_ends <= graph_ids:
        wrong.append(f"{who}: graph edge to a node not in the graph")
    clusters = c.get("/api/v1/clusters", params={"min_size": 1, "limit": 100}).json()
    clustered: set[str] = set()
    for item in clusters["items"]:
        detail = c.get(f"/api/v1/clusters/{item['id']}").json()
        clustered.update(detail["document_ids"])
        drawn = {n["data"]["id"] for n in detail["graph"]["nodes"]}
        if not {d for d in drawn if len(d) == 64} <= allowed_docs:
            wrong.append(f"{who}: cluster graph draws another document")
    if sum(i["documents"] for i in clusters["items"]) != len(allowed):
        wrong.append(f"{who}: cluster sizes add up to more than the visible documents")
    stats = c.get("/api/v1/stats").json()
    if stats["documents"] != len(allowed):
        wrong.append(f"{who}: stats count {stats['documents']} documents")
    if sum(x["count"] for x in stats["levels"]) != len(allowed):
        wrong.append(f"{who}: stats levels add up to {stats['levels']}")
    datasets = {d["name"] for d in c.get("/api/v1/datasets").json()}
    entities = _entities(c)
    exported = c.get("/api/v1/export")
    export_ids = (
        {line.split('"id": "')[1].split('"')[0] for line in exported.text.splitlines()}
        if exported.status_code == 200
        else None
    )
    for marking, tag in TAGS.items():
        doc_id = shared_world.doc_ids[marking]
        hits = c.get("/api/v1/search", params={"q": f"zq{tag}marker"}).json()
        check(marking, "search result", [h["id"] for h in hits["items"]] == [doc_id])
        check(marking, "search total", hits["total"] == 1)
        by_dataset = c.get("/api/v1/search", params={"dataset": dataset_for(marking)}).json()
        check(marking, "dataset filter total", by_dataset["total"] == 1)
        document = c.get(f"/api/v1/documents/{doc_id}")
        check(marking, "document", document.status_code == 200)
        if document.status_code != 200 and document.status_code != 404:
            wrong.append(f"{who} × {marking}: document answered {document.status_code}")
        check(marking, "document prefix", c.get(f"/api/v1/documents/{doc_id[:10]}").is_success)
        check(marking, "document graph", c.get(f"/api/v1/documents/{doc_id}/graph").is_success)
        selector = c.get(f"/api/v1/selectors/{unique_key(marking)}")
        check(marking, "selector", selector.status_code == 200)
        if not selector.is_success and selector.status_code != 404:
            wrong.append(f"{who} × {marking}: selector answered {selector.status_code}")
        check(marking, "graph neighbour", doc_id in graph_docs)
        check(marking, "graph selector", unique_key(marking) in graph_ids)
        path = c.get("/api/v1/path", params={"a": unique_key(marking), "b": unique_key("clear")})
        check(marking, "path", path.status_code == 200)
        check(marking, "cluster member", doc_id in clustered)
        check(marking, "dataset listed", dataset_for(marking) in datasets)
        check(marking, "entity listed", document_entity_id(doc_id) in entities)
        check(marking, "selector entity", selector_entity_id(unique_key(marking)) in entities)
        one = c.get(f"/api/v1/entities/{document_entity_id(doc_id)}")
        check(marking, "entity", one.status_code == 200)
        if export_ids is not None:
            check(marking, "export", document_entity_id(doc_id) in export_ids)
    assert not wrong, "\n".join(wrong)
