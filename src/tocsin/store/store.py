"""`Store`: the intelligence store's Python API (the CLI is a thin layer over it)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    String,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.engine import Connection, Engine

from tocsin.detect.engine import Engine as ScanEngine
from tocsin.errors import InputError
from tocsin.model import Document
from tocsin.settings import Settings, get_settings
from tocsin.store.database import connect, database_url
from tocsin.store.ftm import StatementRow, assemble, body_text_statement, document_entity_id
from tocsin.store.schema import (
    MARKINGS,
    datasets,
    documents,
    judgements,
    links,
    organisations,
    selectors,
    statements,
)
from tocsin.store.writer import Scanned, upsert_insert, write_known, write_new

__all__ = ["BatchResult", "Store", "open_store", "organisation_pk"]

DECISIONS = ("confirm", "reject", "unsure")


@dataclass
class BatchResult:
    """What one committed batch stored."""

    new: int = 0
    known: int = 0
    duplicates_in_batch: int = 0
    selectors: int = 0
    new_ids: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """Documents, selectors, links, signals, statements and judgements in one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- datasets ---------------------------------------------------------------------------

    def dataset(
        self, name: str, marking: str | None = None, *, org: str | None = None
    ) -> tuple[int, str]:
        """(pk, marking) of a dataset, created with ``marking`` (or the default) when new.

        A new dataset is owned by the organisation ``org`` (default: ``TOCSIN_ORGANISATION``),
        created on demand; an existing dataset keeps its owner and marking.
        """
        if not name or len(name) > 200:
            raise InputError("a dataset name needs 1 to 200 characters", field="dataset")
        if marking is not None and marking.lower() not in MARKINGS:
            raise InputError(
                f"unknown TLP marking {marking!r} (one of: {', '.join(MARKINGS)})",
                field="marking",
            )
        with self.engine.begin() as conn:
            row = conn.execute(
                select(datasets.c.pk, datasets.c.marking).where(datasets.c.name == name)
            ).first()
            if row is None:
                settings = get_settings()
                chosen = (marking or settings.default_marking).lower()
                org_pk = organisation_pk(conn, org or settings.organisation, create=True)
                ins = upsert_insert(conn, datasets).on_conflict_do_nothing(index_elements=["name"])
                conn.execute(
                    ins, {"name": name, "marking": chosen, "created_at": _now(), "org_pk": org_pk}
                )
                row = conn.execute(
                    select(datasets.c.pk, datasets.c.marking).where(datasets.c.name == name)
                ).one()
            return int(row[0]), str(row[1])

    # -- ingest -----------------------------------------------------------------------------

    def store_batch(
        self,
        docs: Sequence[Document],
        scanner: ScanEngine,
        *,
        dataset: str,
        marking: str | None = None,
    ) -> BatchResult:
        """Scan the documents not yet stored and store everything in one transaction."""
        dataset_pk, ds_marking = self.dataset(dataset, marking)
        result = BatchResult()
        unique: dict[str, Document] = {}
        for doc in docs:
            if doc.content_hash in unique:
                result.duplicates_in_batch += 1
            else:
                unique[doc.content_hash] = doc
        with self.engine.connect() as conn:
            known = {
                r[0]
                for r in conn.execute(
                    select(documents.c.id).where(documents.c.id.in_(list(unique)))
                )
            }
        fresh = [(h, d) for h, d in unique.items() if h not in known]
        verdicts = scanner.scan_many([d for _, d in fresh]) if fresh else []
        batch = [Scanned(h, d, v) for (h, d), v in zip(fresh, verdicts, strict=True)]
        now = _now()
        with self.engine.begin() as conn:
            write_known(conn, sorted(known), dataset_pk, now)
            result.new_ids = write_new(
                conn, batch, dataset=dataset, dataset_pk=dataset_pk, marking=ds_marking, now=now
            )
        result.new = len(result.new_ids)
        result.known = len(known) + (len(batch) - result.new)
        result.selectors = sum(len({s.key for s in b.verdict.selectors}) for b in batch)
        return result

    # -- reading ----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in (datasets, documents, selectors, links, statements, judgements)
            }

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """A stored document (id or unique id prefix of 8+ characters) with its verdict."""
        with self.engine.connect() as conn:
            query = select(documents, datasets.c.name.label("dataset")).join(datasets)
            if len(doc_id) == 64:
                rows = conn.execute(query.where(documents.c.id == doc_id)).mappings().all()
            else:
                rows = (
                    conn.execute(query.where(documents.c.id.like(doc_id + "%")).limit(2))
                    .mappings()
                    .all()
                )
            if len(rows) != 1:
                return None
            data = dict(rows[0])
            data["verdict"] = json.loads(data["verdict"])
            data.pop("signature", None)
            return data

    def selector(self, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(selectors).where(selectors.c.key == key)).mappings().first()
            if row is None:
                return None
            data = dict(row)
            data["degree"] = int(
                conn.execute(
                    select(func.count()).where(links.c.selector_pk == row["pk"])
                ).scalar_one()
            )
            return data

    def find_selectors(self, value: str, limit: int = 20) -> list[str]:
        """Selector keys whose normalised value equals ``value`` (case-insensitive)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(selectors.c.key)
                .where(selectors.c.normalised == value.casefold().lstrip("@"))
                .order_by(selectors.c.key)
                .limit(limit)
            )
            return [r[0] for r in rows]

    def entity_statements(self, entity_ids: Iterable[str]) -> list[StatementRow]:
        ids = sorted(set(entity_ids))
        if not ids:
            return []
        prefix = document_entity_id("")
        doc_ids = [i.removeprefix(prefix) for i in ids if i.startswith(prefix)]
        query = _statement_rows(statements.c.entity_id.in_(ids), documents.c.id.in_(doc_ids))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by("entity_id", "prop", "value"))
            return [r for r in map(_statement, rows.mappings()) if r is not None]

    def iter_statements(
        self, dataset: str | None = None, batch: int = 5000
    ) -> Iterator[StatementRow]:
        """Every statement (of one dataset), sorted by entity id, streamed.

        A document's ``bodyText`` statement is made from its ``documents`` row (its text is not
        stored twice).
        """
        if dataset is None:
            query = _statement_rows(None, None)
        else:
            query = _statement_rows(statements.c.dataset == dataset, datasets.c.name == dataset)
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=batch).execute(
                query.order_by("entity_id", "id")
            )
            for row in result.mappings():
                statement = _statement(row)
                if statement is not None:
                    yield statement

    def entities(self, dataset: str | None = None) -> Iterator[dict[str, Any]]:
        """FtM entities assembled from the stored statements."""
        return assemble(self.iter_statements(dataset))

    # -- judgements -------------------------------------------------------------------------

    def judge(
        self,
        target: str,
        a: tuple[str, str],
        b: tuple[str, str],
        decision: str,
        *,
        who: str,
        why: str = "",
    ) -> None:
        """Record an analyst's judgement on a link (document, selector) or a merge."""
        if target not in ("link", "merge"):
            raise InputError(f"a judgement is on a link or a merge, not {target!r}")
        if decision not in DECISIONS:
            raise InputError(f"decision must be one of {', '.join(DECISIONS)}")
        with self.engine.begin() as conn:
            conn.execute(
                judgements.insert(),
                {
                    "target": target,
                    "decision": decision,
                    "a_kind": a[0],
                    "a_id": a[1],
                    "b_kind": b[0],
                    "b_id": b[1],
                    "who": who,
                    "at": _now(),
                    "why": why,
                },
            )


def organisation_pk(conn: Connection, name: str, *, create: bool = False) -> int | None:
    """The pk of the organisation ``name``; with ``create``, made when missing."""
    if not name or len(name) > 200:
        raise InputError("an organisation name needs 1 to 200 characters", field="org")
    query = select(organisations.c.pk).where(organisations.c.name == name)
    pk = conn.execute(query).scalar()
    if pk is None and create:
        ins = upsert_insert(conn, organisations).on_conflict_do_nothing(index_elements=["name"])
        conn.execute(ins, {"name": name, "created_at": _now()})
        pk = conn.execute(query).scalar_one()
    return None if pk is None else int(pk)


def _statement_rows(
    statement_filter: ColumnElement[bool] | None, document_filter: ColumnElement[bool] | None
) -> CompoundSelect[Any]:
    """Stored statements, plus one ``bodyText`` row per document made from its row (``id`` is
    empty on those, so they sort first within their entity)."""
    stored = select(
        statements.c.id,
        statements.c.entity_id,
        statements.c.schema,
        statements.c.prop,
        statements.c.value,
        statements.c.dataset,
        statements.c.document_id,
        statements.c.origin,
        statements.c.marking,
        statements.c.first_seen,
        statements.c.last_seen,
    )
    body = select(
        literal_column("''").label("id"),
        (literal_column(f"'{document_entity_id('')}'", String) + documents.c.id).label("entity_id"),
        literal_column("'Document'").label("schema"),
        literal_column("'bodyText'").label("prop"),
        documents.c.text.label("value"),
        datasets.c.name.label("dataset"),
        documents.c.id.label("document_id"),
        literal_column("'extracted'").label("origin"),
        documents.c.marking,
        documents.c.first_seen,
        documents.c.last_seen,
    ).join(datasets, datasets.c.pk == documents.c.dataset_pk)
    if statement_filter is not None:
        stored = stored.where(statement_filter)
    if document_filter is not None:
        body = body.where(document_filter)
    return union_all(stored, body)


def _statement(row: Any) -> StatementRow | None:
    if row["id"] == "":
        return body_text_statement(
            row["document_id"],
            row["value"],
            dataset=row["dataset"],
            marking=row["marking"],
            first_seen=row["first_seen"],
            last_seen=row["last_seen"],
        )
    return StatementRow(
        entity_id=row["entity_id"],
        schema=row["schema"],
        prop=row["prop"],
        value=row["value"],
        dataset=row["dataset"],
        document_id=row["document_id"],
        origin=row["origin"],
        marking=row["marking"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
    )


def open_store(settings: Settings | None = None, url: str | None = None) -> Store:
    """The store named by ``url`` or the settings (``TOCSIN_DATABASE_URL``), migrated to head."""
    settings = settings or get_settings()
    if url is not None:
        settings = settings.model_copy(update={"database_url": url})
    return Store(connect(database_url(settings)))
