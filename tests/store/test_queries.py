"""Search filters and ranking, the SQL LinkSource against its in-memory twin, FtM export."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from click.testing import CliRunner
from followthemoney import model

from tocsin.cli import cli
from tocsin.detect.engine import Engine
from tocsin.errors import InputError
from tocsin.graph import MemoryLinkSource, NodeKind
from tocsin.model import Document, DocumentKind
from tocsin.store import SqlLinkSource, Store
from tocsin.store.ftm import document_entity_id
from tocsin.store.search import SearchFilters, search, search_count, search_page

from .helpers import synthetic_documents

ENGINE = Engine()

MIXED = [
    Document(
        "Customer service job in Sihanoukville, USD 1800, no experience, flight and visa paid, "
        "passport photo first. Telegram @hr_sihanouk_desk",
        DocumentKind.JOB_AD,
    ),
    Document(
        "招聘客服，柬埔寨西港，月薪2000美元，包机票。联系 Telegram @cn_recruit_desk",
        DocumentKind.JOB_AD,
    ),
    Document(
        "รับสมัครพนักงานแอดมิน ทำงานที่ปอยเปต เงินเดือนดี ติดต่อ Line ID: pp.admin889", DocumentKind.JOB_AD
    ),
    Document(
        "Meeting at the office tomorrow at 10, bring the quarterly report.", DocumentKind.MESSAGE
    ),
]


def _load(store: Store) -> None:
    store.store_batch(MIXED, ENGINE, dataset="mixed")
    store.store_batch(synthetic_documents(40), ENGINE, dataset="syn")


def test_search_ranks_and_filters(store: Store) -> None:
    _load(store)
    hits = search(store.engine, "customer service Sihanoukville", limit=100)
    assert MIXED[0].content_hash in [h["id"] for h in hits]
    assert all(a["score"] >= b["score"] for a, b in itertools.pairwise(hits))
    assert [h["id"] for h in search(store.engine, "passport Sihanoukville")] == [
        MIXED[0].content_hash
    ]
    assert [h["id"] for h in search(store.engine, "西港")] == [MIXED[1].content_hash]
    assert [h["id"] for h in search(store.engine, "ปอยเปต")] == [MIXED[2].content_hash]
    assert search(store.engine, "quarterly", SearchFilters(min_risk=60)) == []
    assert search(store.engine, "quarterly", SearchFilters(kinds=("message",)))
    only_mixed = search(store.engine, "", SearchFilters(datasets=("mixed",)), limit=100)
    assert len(only_mixed) == 4
    high = search(store.engine, "", SearchFilters(levels=("high", "critical")), limit=100)
    assert high and all(h["level"] in ("high", "critical") for h in high)
    lure = search(store.engine, "", SearchFilters(categories=("recruitment_lure",)), limit=100)
    assert lure and all("recruitment_lure" in h["categories"] for h in lure)
    future = datetime.now(UTC) + timedelta(days=1)
    assert search(store.engine, "", SearchFilters(since=future)) == []
    assert len(search(store.engine, "", SearchFilters(languages=("th",)))) == 1


def test_search_pages(store: Store) -> None:
    _load(store)
    every = [h["id"] for h in search(store.engine, "", limit=100)]
    paged = [
        h["id"] for o in range(0, 44, 10) for h in search(store.engine, "", limit=10, offset=o)
    ]
    assert paged == every and len(every) == 44


def test_search_page_gives_search_and_search_count(store: Store) -> None:
    """One statement (count(*) OVER ()) gives the same rows and total as search and
    search_count, for every statement shape: with and without a query, short words (LIKE),
    filters, a full page, the last page and a page past the end."""
    _load(store)
    queries = ["", "customer service", "Sihanoukville", "西港", "at job", "a", "nomatchzzz"]
    filter_sets = [
        SearchFilters(),
        SearchFilters(min_risk=10, levels=("low", "medium", "high", "critical")),
        SearchFilters(categories=("recruitment_lure",), datasets=("syn", "mixed")),
        SearchFilters(languages=("EN", "th"), kinds=("job_ad", "message")),
        SearchFilters(since=datetime(2000, 1, 1, tzinfo=UTC), until=datetime.now(UTC)),
    ]
    for q, f in itertools.product(queries, filter_sets):
        count = search_count(store.engine, q, f)
        for limit, offset in ((100, 0), (3, 0), (3, 2), (5, 200)):
            rows, total = search_page(store.engine, q, f, limit=limit, offset=offset)
            assert rows == search(store.engine, q, f, limit=limit, offset=offset)
            assert total == count, (q, f, limit, offset)
    assert search_count(store.engine, "customer service") > 3  # some pages above were full


def test_link_source_matches_memory_twin(store: Store) -> None:
    docs = synthetic_documents(60) + MIXED
    store.store_batch(docs, ENGINE, dataset="d")
    memory = MemoryLinkSource()
    for doc, verdict in zip(docs, ENGINE.scan_many(docs), strict=True):
        memory.add_verdict(verdict, document_id=doc.content_hash, text=doc.text)
    sql = SqlLinkSource(store.engine)
    a, b = sql.link_arrays(), memory.link_arrays()
    assert sorted(a.documents) == sorted(b.documents)
    pairs_a = {
        (a.documents[i], a.selectors[j])
        for i, j in zip(a.link_documents, a.link_selectors, strict=True)
    }
    pairs_b = {
        (b.documents[i], b.selectors[j])
        for i, j in zip(b.link_documents, b.link_selectors, strict=True)
    }
    assert pairs_a == pairs_b
    assert a.link_documents.dtype == np.int64
    key = "telegram:hr_net3_desk"
    assert sql.documents_of(key) == memory.documents_of(key)
    assert sql.documents_of(key, limit=1) == memory.documents_of(key, limit=1)
    assert sql.selector_degree(key) == memory.selector_degree(key) > 0
    doc_id = docs[0].content_hash
    assert sql.selectors_of(doc_id) == memory.selectors_of(doc_id)
    assert dict(sql.iter_signatures()) == dict(memory.iter_signatures())
    (summary,) = sql.summaries([doc_id])
    assert summary.risk == memory.summaries([doc_id])[0].risk
    assert summary.indicators == memory.summaries([doc_id])[0].indicators


def test_judgements_latest_wins(store: Store) -> None:
    store.store_batch(MIXED, ENGINE, dataset="d")
    doc = MIXED[0].content_hash
    store.judge("link", ("document", doc), ("selector", "telegram:x"), "reject", who="ana")
    store.judge(
        "merge", ("document", doc), ("document", "e" * 64), "confirm", who="ana", why="same"
    )
    judged = SqlLinkSource(store.engine).judgements()
    assert judged.rejected_links == frozenset({(doc, "telegram:x")})
    (merge,) = judged.merges
    assert merge.confirmed and merge.a.kind is NodeKind.DOCUMENT
    store.judge("link", ("document", doc), ("selector", "telegram:x"), "confirm", who="bo")
    assert SqlLinkSource(store.engine).judgements().rejected_links == frozenset()


def test_ftm_export_validates(db_url: str, tmp_path: Path, store: Store) -> None:
    _load(store)
    out = tmp_path / "all.ftm.json"
    result = CliRunner().invoke(
        cli, ["export", "--format", "ftm", "-o", str(out), "--database", db_url]
    )
    assert result.exit_code == 0, result.output
    schemata = set()
    bodies: list[str] = []
    for line in out.read_text("utf-8").splitlines():
        data = json.loads(line)
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.schema.validate(data) is None, data
        assert data["datasets"] and data["first_seen"]
        schemata.add(proxy.schema.name)
        if proxy.schema.name == "Document":  # made from the documents row, stored once
            bodies.extend(data["properties"]["bodyText"])
    assert {"Document", "UserAccount", "CryptoWallet"} <= schemata
    assert MIXED[0].text in bodies and len(bodies) == store.counts()["documents"]
    assert not store.entity_statements([]) and any(
        r.prop == "bodyText" and r.value == MIXED[0].text
        for r in store.entity_statements([document_entity_id(MIXED[0].content_hash)])
    )


def test_cli_search_and_show(db_url: str, store: Store) -> None:
    _load(store)
    runner = CliRunner()
    found = runner.invoke(
        cli, ["search", "Sihanoukville", "--risk", "high", "-f", "jsonl", "--database", db_url]
    )
    assert found.exit_code == 0, found.output
    rows = [json.loads(line) for line in found.stdout.splitlines()]
    assert rows and all(r["level"] in ("high", "critical") for r in rows)
    shown = runner.invoke(cli, ["show", "@hr_net3_desk", "-f", "csv", "--database", db_url])
    assert shown.exit_code == 0, shown.output
    assert "telegram:hr_net3_desk" in shown.stdout and "cluster" in shown.stdout
    assert "UserAccount" in shown.stdout
    missing = runner.invoke(cli, ["show", "@nobody_here_x", "--database", db_url])
    assert isinstance(missing.exception, InputError)
    assert missing.exception.exit_code == 2


def test_cli_show_html_draws_escapes_and_lists(db_url: str, store: Store, tmp_path: Path) -> None:
    hostile = Document(
        "Typing job in Bavet, salary USD 1500, passport kept by the company for safety. "
        "Contact Telegram @hr_evil_desk now.",
        DocumentKind.JOB_AD,
        source="<img src=x onerror=alert(1)>.txt",
        metadata={"title": '<script>alert("x")</script> & more'},
    )
    plain = Document(
        "Customer service in Sihanoukville, no experience needed. Telegram @hr_evil_desk",
        DocumentKind.JOB_AD,
    )
    store.store_batch([hostile, plain], ENGINE, dataset="hotline")
    out = tmp_path / "show.html"
    result = CliRunner().invoke(
        cli, ["show", "@hr_evil_desk", "--format", "html", "-o", str(out), "--database", db_url]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "</svg>" in page
    assert "<script" not in page and "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in page  # the document entity's caption
    assert "telegram:hr_evil_desk" in page
    for doc in (hostile, plain):  # the documents are listed with their risk and level
        assert doc.content_hash in page
    level = store.document(hostile.content_hash)
    assert level is not None and f"<td>{level['level']}</td>" in page
    assert "<h2>Documents (2)</h2>" in page and "<h2>Clusters (1)</h2>" in page


def test_whatsapp_number_links_to_the_same_phone_written_plainly(store: Store) -> None:
    """One recruiter, two ads: WhatsApp in one, a plain phone number in the other."""
    first = Document(text="Hiring typists in Bavet, USD 1200. WhatsApp: +66 81 742 9936")
    second = Document(
        text="Thai speakers wanted for customer service. Call 081-742-9936 now.", country="TH"
    )
    store.store_batch([first, second], ENGINE, dataset="d")
    sql = SqlLinkSource(store.engine)
    assert sql.documents_of("phone:+66817429936") == sorted(
        [first.content_hash, second.content_hash]
    )
    assert sql.documents_of("whatsapp:+66817429936") == [first.content_hash]
    show = store.selector("phone:+66817429936")
    assert show is not None and show["type"] == "phone"
