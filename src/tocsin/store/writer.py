"""Writing one batch of scanned documents in one transaction.

A batch is all or nothing: documents, their dataset sightings, selectors, links, signals and
statements commit together, so a killed ingest leaves either the whole batch or none of it.
Every insert is an upsert on a natural key (content hash, selector key, statement id), so a
re-run after a crash, or two ingests of the same file, never store anything twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from tocsin.graph.neardup import signature
from tocsin.model import Document, Verdict
from tocsin.store.ftm import document_statements
from tocsin.store.schema import document_datasets, documents, links, selectors, signals, statements

__all__ = ["Scanned", "categories_column", "upsert_insert", "write_known", "write_new"]


@dataclass(frozen=True, slots=True)
class Scanned:
    """A document with its content hash and verdict, ready to store."""

    id: str
    document: Document
    verdict: Verdict


def upsert_insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which has ``on_conflict_do_…`` on both SQLite and PostgreSQL."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def categories_column(verdict: Verdict) -> str:
    """Categories as ``,a,b,`` so that ``LIKE '%,a,%'`` matches one category exactly."""
    return "," + ",".join(c.value for c in verdict.categories) + "," if verdict.categories else ""


def _title(doc: Document) -> str | None:
    title = doc.metadata.get("title") or doc.metadata.get("subject")
    return title[:300] if title else None


def write_known(conn: Connection, known: Sequence[str], dataset_pk: int, now: datetime) -> None:
    """Documents already stored were seen again: move last_seen, note the dataset sighting."""
    if not known:
        return
    conn.execute(update(documents).where(documents.c.id.in_(known)).values(last_seen=now))
    pks = [r[0] for r in conn.execute(select(documents.c.pk).where(documents.c.id.in_(known)))]
    ins = upsert_insert(conn, document_datasets)
    conn.execute(
        ins.on_conflict_do_update(
            index_elements=["document_pk", "dataset_pk"], set_={"last_seen": now}
        ),
        [
            {"document_pk": pk, "dataset_pk": dataset_pk, "first_seen": now, "last_seen": now}
            for pk in pks
        ],
    )
    conn.execute(
        update(statements).where(statements.c.document_id.in_(known)).values(last_seen=now)
    )


def write_new(
    conn: Connection,
    batch: Sequence[Scanned],
    *,
    dataset: str,
    dataset_pk: int,
    marking: str,
    now: datetime,
) -> list[str]:
    """Insert scanned documents with everything derived from them; returns the ids inserted.

    Documents inserted meanwhile by another writer are skipped (``ON CONFLICT DO NOTHING``) and
    not returned, so their links and statements are not written twice.
    """
    if not batch:
        return []
    doc_rows = [
        {
            "id": s.id,
            "dataset_pk": dataset_pk,
            "marking": marking,
            "kind": s.document.kind.value,
            "language": s.verdict.language.code,
            "risk": s.verdict.risk,
            "level": s.verdict.level.value,
            "categories": categories_column(s.verdict),
            "verdict": json.dumps(s.verdict.to_dict(), ensure_ascii=False, separators=(",", ":")),
            "text": s.document.text,
            "title": _title(s.document),
            "source": (s.document.source or "")[:1000] or None,
            "record_id": (s.document.id or "")[:300] or None,
            "signature": signature(s.document.text),
            "first_seen": now,
            "last_seen": now,
        }
        for s in batch
    ]
    ins = upsert_insert(conn, documents).on_conflict_do_nothing(index_elements=["id"])
    conn.execute(ins, doc_rows)
    ids = [s.id for s in batch]
    rows = conn.execute(
        select(documents.c.pk, documents.c.id).where(
            documents.c.id.in_(ids), documents.c.first_seen == now
        )
    )
    pk_of = {doc_id: pk for pk, doc_id in rows}
    inserted = [s for s in batch if s.id in pk_of]
    if not inserted:
        return []
    conn.execute(
        document_datasets.insert(),
        [
            {
                "document_pk": pk_of[s.id],
                "dataset_pk": dataset_pk,
                "first_seen": now,
                "last_seen": now,
            }
            for s in inserted
        ],
    )
    _write_selectors_and_links(conn, inserted, pk_of, now)
    signal_rows: list[dict[str, Any]] = []
    for s in inserted:
        for sig in s.verdict.signals:
            signal_rows.append(
                {
                    "document_pk": pk_of[s.id],
                    "indicator": sig.indicator,
                    "category": sig.category.value,
                    "weight": sig.weight,
                    "contribution": sig.contribution,
                    "evidence": json.dumps([e.to_dict() for e in sig.evidence], ensure_ascii=False),
                }
            )
    if signal_rows:
        conn.execute(signals.insert(), signal_rows)
    stmt_rows: dict[str, dict[str, Any]] = {}
    for s in inserted:
        for st in document_statements(
            s.id,
            s.document,
            s.verdict,
            dataset=dataset,
            marking=marking,
            seen=now,
            title=_title(s.document),
        ):
            row = st.to_row()
            stmt_rows.setdefault(row["id"], row)
    if stmt_rows:
        ins_st = upsert_insert(conn, statements)
        conn.execute(
            ins_st.on_conflict_do_update(index_elements=["id"], set_={"last_seen": now}),
            list(stmt_rows.values()),
        )
    return [s.id for s in inserted]


def _write_selectors_and_links(
    conn: Connection, batch: Sequence[Scanned], pk_of: dict[str, int], now: datetime
) -> None:
    sel_rows: dict[str, dict[str, Any]] = {}
    spans: dict[tuple[str, str], list[list[Any]]] = {}
    for s in batch:
        for sel in s.verdict.selectors:
            # A messaging account that is a phone number also links as that phone.
            for key in sel.link_keys:
                sel_type = key.partition(":")[0]
                sel_rows.setdefault(
                    key,
                    {
                        "key": key,
                        "type": sel_type,
                        "value": sel.value,
                        "normalised": sel.value.casefold(),
                        "chain": sel.chain,
                        "country": sel.country,
                        "validated": sel.validated,
                        "first_seen": now,
                        "last_seen": now,
                    },
                )
                spans.setdefault((s.id, key), []).append([sel.start, sel.end, sel.raw])
    if not sel_rows:
        return
    ins = upsert_insert(conn, selectors)
    conn.execute(
        ins.on_conflict_do_update(index_elements=["key"], set_={"last_seen": now}),
        list(sel_rows.values()),
    )
    sel_pk: dict[str, int] = {
        key: pk
        for key, pk in conn.execute(
            select(selectors.c.key, selectors.c.pk).where(selectors.c.key.in_(list(sel_rows)))
        )
    }
    conn.execute(
        links.insert(),
        [
            {
                "selector_pk": sel_pk[key],
                "document_pk": pk_of[doc_id],
                "spans": json.dumps(found, ensure_ascii=False, separators=(",", ":")),
            }
            for (doc_id, key), found in spans.items()
        ],
    )
