"""Counts never leak: every number the API returns stays the same for every principal when
datasets it may not see fill up, on SQLite and PostgreSQL.

The world (conftest) is read by each principal; then three datasets that none of them may see
get documents that would move every count — the phrase all searches use, the selector every
document shares, new selectors, another language, near-duplicates of visible documents, and a
second sighting of the CLEAR document — and everything is read again. Any total, size, degree
or statistic that changed counted an invisible row. The system store must see the new rows, so
the test would fail if they were counted.
"""

from __future__ import annotations

from typing import Any

from tocsin.access import users
from tocsin.model import Document, DocumentKind
from tocsin.store.search import SearchFilters

from .conftest import ENGINE, EXPECTED, SHARED_KEY, TAGS, World, dataset_for, text_for

HIDDEN = {
    # name: (marking, owner): nobody of the world may see any of them
    "hidden-amber": ("amber", "watch"),  # another organisation's, not shared with anyone
    "hidden-strict": ("amber+strict", "watch"),  # partners never see AMBER+STRICT
    "hidden-red": ("red", "ngo"),  # the owner's own admins are not readers
}
HIDDEN_TEXTS = (
    "Synthetic hidden ad {n}: customer service job in Sihanoukville, USD 2500 per month, "
    "visa paid. Contact Telegram @hr_shared_desk, Telegram @hidden_desk_{n}, WhatsApp "
    "+855 12 345 67{n} or hidden{n}@example.org. Marker zqhiddenmarker.",
    "สังเคราะห์ {n}: งานบริการลูกค้าที่สีหนุวิลล์ เงินเดือนสูง ติดต่อ Telegram @hr_shared_desk "
    "และ Telegram @hidden_thai_{n} Marker zqhiddenmarker.",
)


def _hide(world: World) -> int:
    """Fill the hidden datasets; returns how many new documents they hold."""
    store, key = world.store, world.store.settings.secret_key
    users.create_organisation(store.engine, "watch", secret=key)
    new = 0
    for n, (name, (marking, owner)) in enumerate(HIDDEN.items()):
        store.dataset(name, marking, org=owner)
        docs = [
            Document(
                t.format(n=n), DocumentKind.JOB_AD, source="synthetic hidden", id=f"{name}-{i}"
            )
            for i, t in enumerate(HIDDEN_TEXTS)
        ]
        # a near-duplicate of a visible document, and a second sighting of the CLEAR one
        docs.append(Document(text_for("green") + f" Hidden {n}.", DocumentKind.JOB_AD))
        docs.append(Document(text_for("clear"), DocumentKind.JOB_AD))
        result = store.store_batch(docs, ENGINE, dataset=name)
        new += result.new  # the CLEAR text is known: a sighting, not a document
    users.share_dataset(store.engine, "hidden-strict", "police", secret=key)  # no effect
    return new


def _read(world: World, who: str) -> dict[str, Any]:
    """Every count the API gives ``who`` (and the ids behind the totals)."""
    c = world.client(who)

    def ok(response: Any) -> Any:
        assert response.status_code in (200, 404), (who, response.status_code, response.text)
        return response.json() if response.status_code == 200 else None

    def total(**params: Any) -> Any:
        page = ok(c.get("/api/v1/search", params={"limit": 100, **params}))
        items = sorted(
            (i["id"], i["marking"], i["first_seen"], i["last_seen"]) for i in page["items"]
        )
        return page["total"], items, len(page["items"])

    seen: dict[str, Any] = {
        "stats": ok(c.get("/api/v1/stats")),
        "datasets": ok(c.get("/api/v1/datasets")),
        "search all": total(),
        "search phrase": total(q="Sihanoukville"),
        "search Thai": total(q="สีหนุวิลล์"),
        "search hidden marker": total(q="zqhiddenmarker"),
        "search page 1 of 2": total(q="customer service", limit=1),
        "clusters": ok(c.get("/api/v1/clusters", params={"min_size": 1, "limit": 100})),
        "shared selector": ok(c.get(f"/api/v1/selectors/{SHARED_KEY}", params={"depth": 2})),
        "clear graph": ok(c.get(f"/api/v1/documents/{world.doc_ids['clear']}/graph")),
        "entities": ok(c.get("/api/v1/entities", params={"limit": 1}))["total"],
    }
    for name in [*(dataset_for(m) for m in TAGS), *HIDDEN]:
        seen[f"search dataset {name}"] = total(dataset=name)
    for marking in TAGS:
        doc = ok(c.get(f"/api/v1/documents/{world.doc_ids[marking]}"))
        seen[f"document {marking}"] = doc and (
            [d["name"] for d in doc["datasets"]],
            doc["marking"],
            doc["first_seen"],
            doc["last_seen"],
        )
    for cluster in seen["clusters"]["items"]:
        seen[f"cluster {cluster['id']}"] = ok(c.get(f"/api/v1/clusters/{cluster['id']}"))
    return seen


def test_no_count_includes_an_invisible_dataset(world: World) -> None:
    before = {who: _read(world, who) for who in EXPECTED}
    counts_before = {
        who: world.store.as_principal(p).counts() for who, p in _principals(world).items()
    }
    system_before = world.store.counts()
    added = _hide(world)

    system_after = world.store.counts()
    assert added == 3 * len(HIDDEN)
    assert system_after["documents"] == system_before["documents"] + added
    assert system_after["datasets"] == system_before["datasets"] + len(HIDDEN)
    assert system_after["selectors"] > system_before["selectors"]
    hidden_total = world.store.search_count("", SearchFilters(datasets=tuple(HIDDEN)))
    assert hidden_total == added + 1  # the rows are there: counting them would show

    wrong: list[str] = []
    for who in EXPECTED:
        after = _read(world, who)
        for what, value in before[who].items():
            if after[what] != value:
                wrong.append(f"{who}: {what} changed: {_difference(value, after[what])}")
    for who, principal in _principals(world).items():
        counts = world.store.as_principal(principal).counts()
        if counts != counts_before[who]:
            wrong.append(f"{who}: Store.counts() {counts_before[who]} -> {counts}")
    assert not wrong, "\n".join(wrong)


def _difference(before: Any, after: Any, path: str = "") -> str:
    """Where two JSON values first differ, briefly."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                return _difference(before.get(key), after.get(key), f"{path}.{key}")
    same_length = isinstance(before, list | tuple) and isinstance(after, list | tuple)
    if same_length and len(before) == len(after):
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            if b != a:
                return _difference(b, a, f"{path}[{i}]")
    return f"{path or 'value'}: {str(before)[:150]} -> {str(after)[:150]}"


def _principals(world: World) -> dict[str, Any]:
    from tocsin.access import Principal
    from tocsin.access.users import principal_of
    from tocsin.store.schema import users as users_table

    from .conftest import USERS

    found: dict[str, Any] = {"public": Principal.public()}
    with world.store.engine.connect() as conn:
        for who, (username, _, _) in USERS.items():
            pk = conn.execute(
                users_table.select()
                .with_only_columns(users_table.c.pk)
                .where(users_table.c.username == username)
            ).scalar_one()
            found[who] = principal_of(conn, int(pk))
    return found
