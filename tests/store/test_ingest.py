"""Ingest stores each document once, with its verdict, selectors, links and statements."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tocsin.cli import cli
from tocsin.detect.engine import Engine
from tocsin.model import Document, DocumentKind
from tocsin.store import Store, open_store

from .helpers import synthetic_documents, synthetic_texts, write_jsonl

ENGINE = Engine()


def test_reingest_adds_nothing(store: Store) -> None:
    docs = synthetic_documents(120)
    first = store.store_batch(docs, ENGINE, dataset="ngo")
    counts = store.counts()
    assert first.new == 120 and first.known == 0
    again = store.store_batch(docs, ENGINE, dataset="ngo")
    assert again.new == 0 and again.known == 120
    assert store.counts() == counts
    assert counts["documents"] == 120 and counts["links"] > 120 and counts["statements"] > 0


def test_duplicates_in_batch_and_other_dataset(store: Store) -> None:
    doc = Document("Telegram @hr_dup_desk, visa paid, USD 1500.", DocumentKind.JOB_AD)
    result = store.store_batch([doc, doc], ENGINE, dataset="a", marking="red")
    assert result.new == 1 and result.duplicates_in_batch == 1
    store.store_batch([doc], ENGINE, dataset="b")
    stored = store.document(doc.content_hash)
    assert stored is not None
    assert stored["marking"] == "red" and stored["dataset"] == "a"
    assert store.counts()["documents"] == 1
    from tocsin.store import SqlLinkSource

    (summary,) = SqlLinkSource(store.engine).summaries([doc.content_hash])
    assert summary.datasets == ("a", "b")


def test_every_document_and_statement_has_dataset_and_marking(store: Store) -> None:
    store.store_batch(synthetic_documents(30), ENGINE, dataset="hotline", marking="green")
    rows = list(store.iter_statements())
    assert rows and all(r.dataset == "hotline" and r.marking == "green" for r in rows)
    assert {r.origin for r in rows} == {"extracted"}


def test_cli_ingest_bad_records_named_good_kept(db_url: str, tmp_path: Path) -> None:
    good = synthetic_texts(5)
    path = write_jsonl(tmp_path / "in.jsonl", good)
    with path.open("a", encoding="utf-8") as out:
        out.write("{not json\n")
        out.write('{"id": "x", "body": "no text field"}\n')
    (tmp_path / "page.html").write_text("<p>Typist job, Telegram @hr_html_1</p>", "utf-8")
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "ingest",
            str(path),
            str(tmp_path / "page.html"),
            "--dataset",
            "t",
            "--database",
            db_url,
            "--no-progress",
        ],
    )
    assert result.exit_code == 3, result.output
    assert f"{path}:6" in result.stderr and f"{path}:7" in result.stderr
    assert "6 new" in result.stderr and "2 unreadable records" in result.stderr
    with open_store(url=db_url) as store:
        assert store.counts()["documents"] == 6
    again = runner.invoke(cli, ["ingest", str(path), "--dataset", "t", "--database", db_url, "-q"])
    assert again.exit_code == 3
    with open_store(url=db_url) as store:
        assert store.counts()["documents"] == 6


def test_cli_unknown_marking_is_refused(db_url: str, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", synthetic_texts(1))
    result = CliRunner().invoke(
        cli, ["ingest", str(path), "--dataset", "t", "--marking", "purple", "--database", db_url]
    )
    assert result.exit_code == 2
