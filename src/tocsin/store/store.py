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
    Select,
    String,
    and_,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.engine import Connection, Engine

from tocsin.access import audit
from tocsin.access.principal import AccessDenied, Principal
from tocsin.detect.engine import Engine as ScanEngine
from tocsin.errors import InputError
from tocsin.model import Document
from tocsin.settings import Settings, get_settings
from tocsin.store.database import connect, database_url
from tocsin.store.ftm import StatementRow, assemble, body_text_statement, document_entity_id
from tocsin.store.links import SqlLinkSource
from tocsin.store.schema import (
    MARKINGS,
    datasets,
    document_datasets,
    documents,
    judgements,
    links,
    organisations,
    selectors,
    statements,
)
from tocsin.store.scope import (
    RESTRICTED,
    document_visible,
    forget_visibility,
    selector_visible,
    visible_dataset_pks,
)
from tocsin.store.search import SearchFilters, search, search_count
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
    """Documents, selectors, links, signals, statements and judgements in one database.

    Every read and write runs as a `Principal`: the system principal (the local CLI) unless the
    store is scoped with `as_principal`. A scoped store sees only what the markings of the
    datasets allow its principal (`tocsin.store.scope`); what it cannot see does not exist for
    it (None, no row, no count). Reads of AMBER, AMBER+STRICT or RED material by a scoped
    principal, and every write, are recorded in the audit log (`tocsin.access.audit`).
    """

    def __init__(
        self,
        engine: Engine,
        principal: Principal | None = None,
        *,
        settings: Settings | None = None,
        owns_engine: bool = True,
    ) -> None:
        self.engine = engine
        self.principal = principal if principal is not None else Principal.system()
        self.settings = settings if settings is not None else get_settings()
        self._owns_engine = owns_engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def as_principal(self, principal: Principal) -> Store:
        """The same store (same engine) seen and written as ``principal``."""
        return Store(self.engine, principal, settings=self.settings, owns_engine=False)

    def link_source(self) -> SqlLinkSource:
        """The graph's `LinkSource` over this store, scoped to its principal."""
        return SqlLinkSource(self.engine, self.principal)

    def close(self) -> None:
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def visible_datasets(self) -> list[int] | None:
        """Pks of the datasets this store's principal sees (None: all)."""
        with self.engine.connect() as conn:
            return visible_dataset_pks(conn, self.principal)

    def _audit(
        self,
        action: str,
        target_kind: str,
        target_id: str,
        marking: str | None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        audit.append(
            self.engine, self.principal, action, target_kind, target_id, marking, detail,
            secret=self.settings.secret_key,
        )  # fmt: skip

    # -- datasets ---------------------------------------------------------------------------

    def dataset(
        self, name: str, marking: str | None = None, *, org: str | None = None
    ) -> tuple[int, str]:
        """(pk, marking) of a dataset, created with ``marking`` (or the default) when new.

        A new dataset is owned by the organisation ``org`` (default: the principal's, or
        ``TOCSIN_ORGANISATION`` for the system principal), created on demand; an existing
        dataset keeps its owner and marking. A user may only use their organisation's datasets.
        """
        if not name or len(name) > 200:
            raise InputError("a dataset name needs 1 to 200 characters", field="dataset")
        if marking is not None and marking.lower() not in MARKINGS:
            raise InputError(
                f"unknown TLP marking {marking!r} (one of: {', '.join(MARKINGS)})",
                field="marking",
            )
        principal = self.principal
        if not principal.system:
            principal.require("ingest")
            if org is not None and org != principal.org:
                raise AccessDenied(f"{principal.username} cannot create datasets for {org!r}")
            org = principal.org
        with self.engine.begin() as conn:
            row = conn.execute(
                select(datasets.c.pk, datasets.c.marking, datasets.c.org_pk).where(
                    datasets.c.name == name
                )
            ).first()
            if row is None:
                settings = self.settings
                chosen = (marking or settings.default_marking).lower()
                org_pk = organisation_pk(conn, org or settings.organisation, create=True)
                ins = upsert_insert(conn, datasets).on_conflict_do_nothing(index_elements=["name"])
                conn.execute(
                    ins, {"name": name, "marking": chosen, "created_at": _now(), "org_pk": org_pk}
                )
                row = conn.execute(
                    select(datasets.c.pk, datasets.c.marking, datasets.c.org_pk).where(
                        datasets.c.name == name
                    )
                ).one()
                audit.record(
                    conn, principal, "dataset.create", "dataset", name, chosen,
                    {"org": org or settings.organisation}, secret=settings.secret_key,
                )  # fmt: skip
                forget_visibility()
            elif not principal.system and row[2] != principal.org_pk:
                raise AccessDenied(
                    f"the dataset name {name!r} is taken by another organisation",
                    hint="choose another dataset name",
                )
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
        """Scan the documents not yet stored and store everything in one transaction.

        For a scoped principal, documents stored before in datasets it cannot see count as new
        (the store does not tell who else holds a text); they gain a sighting in ``dataset``.
        """
        dataset_pk, ds_marking = self.dataset(dataset, marking)
        result = BatchResult()
        unique: dict[str, Document] = {}
        for doc in docs:
            if doc.content_hash in unique:
                result.duplicates_in_batch += 1
            else:
                unique[doc.content_hash] = doc
        with self.engine.connect() as conn:
            known_query = select(documents.c.id).where(documents.c.id.in_(list(unique)))
            known = {r[0] for r in conn.execute(known_query)}
            visible = visible_dataset_pks(conn, self.principal)
            seen = (
                known
                if visible is None or not known
                else {r[0] for r in conn.execute(known_query.where(document_visible(visible)))}
            )
        fresh = [(h, d) for h, d in unique.items() if h not in known]
        verdicts = scanner.scan_many([d for _, d in fresh]) if fresh else []
        batch = [Scanned(h, d, v) for (h, d), v in zip(fresh, verdicts, strict=True)]
        now = _now()
        with self.engine.begin() as conn:
            write_known(conn, sorted(known), dataset_pk, now)
            result.new_ids = write_new(
                conn, batch, dataset=dataset, dataset_pk=dataset_pk, marking=ds_marking, now=now
            )
            result.new = len(result.new_ids) + len(known - seen)
            result.known = len(seen) + (len(batch) - len(result.new_ids))
            result.selectors = sum(len({s.key for s in b.verdict.selectors}) for b in batch)
            audit.record(
                conn, self.principal, "ingest", "dataset", dataset, ds_marking,
                {"new": result.new, "known": result.known}, secret=self.settings.secret_key,
            )  # fmt: skip
        return result

    # -- reading ----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table; for a scoped principal, only what it can see."""
        with self.engine.connect() as conn:
            visible = visible_dataset_pks(conn, self.principal)
            if visible is None:
                return {
                    t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                    for t in (datasets, documents, selectors, links, statements, judgements)
                }
            names = _dataset_names(conn, visible)

            def count(query: Select[Any]) -> int:
                return int(conn.execute(query).scalar_one())

            return {
                "datasets": len(visible),
                "documents": count(select(func.count()).where(document_visible(visible))),
                "selectors": count(
                    select(func.count()).where(selector_visible(visible, selectors.c.pk))
                ),
                "links": count(
                    select(func.count())
                    .select_from(links.join(documents, documents.c.pk == links.c.document_pk))
                    .where(document_visible(visible))
                ),
                "statements": count(select(func.count()).where(statements.c.dataset.in_(names))),
                "judgements": count(
                    select(func.count()).where(judgements.c.who == self.principal.username)
                ),
            }

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """A stored document (id or unique id prefix of 8+ characters) with its verdict.

        ``datasets`` lists the datasets it was seen in that the principal can see; ``dataset``
        and ``marking`` are the first of them (by marking, least restricted first) when the
        dataset it was first stored in is not visible, and then ``title``, ``source`` and
        ``record_id`` (metadata of that first sighting) are withheld. For a scoped principal,
        ``first_seen`` and ``last_seen`` span the visible sightings only.
        """
        with self.engine.connect() as conn:
            visible = visible_dataset_pks(conn, self.principal)
            query = (
                select(documents, datasets.c.name.label("dataset"))
                .join(datasets)
                .where(document_visible(visible))
            )
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
            sightings = conn.execute(
                select(
                    datasets.c.pk,
                    datasets.c.name,
                    datasets.c.marking,
                    document_datasets.c.first_seen,
                    document_datasets.c.last_seen,
                )
                .join(document_datasets, document_datasets.c.dataset_pk == datasets.c.pk)
                .where(document_datasets.c.document_pk == data["pk"])
            ).all()
        seen = [r for r in sightings if visible is None or r.pk in visible]
        seen.sort(key=lambda r: (MARKINGS.index(r.marking), r.name))
        data["datasets"] = [r.name for r in seen]
        if visible is not None:
            data["first_seen"] = min(r.first_seen for r in seen)
            data["last_seen"] = max(r.last_seen for r in seen)
        if visible is not None and data["dataset_pk"] not in visible:
            data.update(
                dataset=seen[0].name, dataset_pk=seen[0].pk, marking=seen[0].marking,
                title=None, source=None, record_id=None,
            )  # fmt: skip
        data["verdict"] = json.loads(data["verdict"])
        data.pop("signature", None)
        if not self.principal.system and data["marking"] in RESTRICTED:
            self._audit("read", "document", data["id"], data["marking"])
        return data

    def selector(self, key: str) -> dict[str, Any] | None:
        """A stored selector with ``degree``, the number of (visible) documents naming it; for a
        scoped principal ``first_seen`` / ``last_seen`` span the visible sightings of those
        documents (a sighting it may not see does not move them)."""
        with self.engine.connect() as conn:
            visible = visible_dataset_pks(conn, self.principal)
            row = (
                conn.execute(
                    select(selectors).where(
                        selectors.c.key == key, selector_visible(visible, selectors.c.pk)
                    )
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            data = dict(row)
            degree = (
                select(func.count())
                .select_from(links.join(documents, documents.c.pk == links.c.document_pk))
                .where(links.c.selector_pk == row["pk"], document_visible(visible))
            )
            data["degree"] = int(conn.execute(degree).scalar_one())
            if visible is not None:
                first, last = conn.execute(
                    select(
                        func.min(document_datasets.c.first_seen),
                        func.max(document_datasets.c.last_seen),
                    )
                    .join(links, links.c.document_pk == document_datasets.c.document_pk)
                    .where(
                        links.c.selector_pk == row["pk"],
                        document_datasets.c.dataset_pk.in_(visible),
                    )
                ).one()
                data["first_seen"], data["last_seen"] = first, last
            return data

    def find_selectors(self, value: str, limit: int = 20) -> list[str]:
        """Selector keys whose normalised value equals ``value`` (case-insensitive)."""
        with self.engine.connect() as conn:
            visible = visible_dataset_pks(conn, self.principal)
            rows = conn.execute(
                select(selectors.c.key)
                .where(
                    selectors.c.normalised == value.casefold().lstrip("@"),
                    selector_visible(visible, selectors.c.pk),
                )
                .order_by(selectors.c.key)
                .limit(limit)
            )
            return [r[0] for r in rows]

    def search(
        self,
        query_text: str,
        filters: SearchFilters | None = None,
        *,
        limit: int = 20,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Full-text search over the documents this principal sees (`tocsin.store.search`)."""
        return search(
            self.engine, query_text, filters, limit=limit, offset=offset,
            principal=self.principal, secret=self.settings.secret_key,
        )  # fmt: skip

    def search_count(self, query_text: str, filters: SearchFilters | None = None) -> int:
        """How many documents `search` finds in all, for this principal."""
        return search_count(self.engine, query_text, filters, principal=self.principal)

    def entity_statements(self, entity_ids: Iterable[str]) -> list[StatementRow]:
        """The statements of the given entities that this principal sees."""
        ids = sorted(set(entity_ids))
        if not ids:
            return []
        prefix = document_entity_id("")
        doc_ids = [i.removeprefix(prefix) for i in ids if i.startswith(prefix)]
        with self.engine.connect() as conn:
            visible = visible_dataset_pks(conn, self.principal)
            statement_filter: ColumnElement[bool] = statements.c.entity_id.in_(ids)
            document_filter: ColumnElement[bool] = documents.c.id.in_(doc_ids)
            if visible is not None:
                names = _dataset_names(conn, visible)
                statement_filter = and_(statement_filter, statements.c.dataset.in_(names))
                document_filter = and_(document_filter, documents.c.dataset_pk.in_(visible))
            query = _statement_rows(statement_filter, document_filter)
            rows = conn.execute(query.order_by("entity_id", "prop", "value"))
            return [r for r in map(_statement, rows.mappings()) if r is not None]

    def iter_statements(
        self, dataset: str | None = None, batch: int = 5000
    ) -> Iterator[StatementRow]:
        """Every statement (of one dataset) this principal sees, sorted by entity id, streamed.

        A document's ``bodyText`` statement is made from its ``documents`` row (its text is not
        stored twice). Statements belong to the dataset a document was first stored in: a
        document seen later in a dataset the principal sees, but first stored in one it does
        not, is found by search but its statements are not exported to it.
        """
        with self.engine.connect() as conn:
            visible = visible_dataset_pks(conn, self.principal)
            statement_filter: ColumnElement[bool] | None = None
            document_filter: ColumnElement[bool] | None = None
            if dataset is not None:
                statement_filter = statements.c.dataset == dataset
                document_filter = datasets.c.name == dataset
            if visible is not None:
                names = _dataset_names(conn, visible)
                statement_filter = and_(
                    statements.c.dataset.in_(names),
                    *([] if statement_filter is None else [statement_filter]),
                )
                document_filter = and_(
                    documents.c.dataset_pk.in_(visible),
                    *([] if document_filter is None else [document_filter]),
                )
            query = _statement_rows(statement_filter, document_filter)
            result = conn.execution_options(yield_per=batch).execute(
                query.order_by("entity_id", "id")
            )
            for row in result.mappings():
                statement = _statement(row)
                if statement is not None:
                    yield statement

    def entities(self, dataset: str | None = None) -> Iterator[dict[str, Any]]:
        """FtM entities assembled from the statements this principal sees."""
        return assemble(self.iter_statements(dataset))

    def export_entities(
        self, dataset: str | None = None, *, fmt: str = "ftm"
    ) -> Iterator[dict[str, Any]]:
        """`entities` as an export: requires the ``export`` right and is audited."""
        self.principal.require("export")
        self._audit("export", "dataset", dataset or "*", None, {"format": fmt})
        return self.entities(dataset)

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
        """Record an analyst's judgement on a link (document, selector) or a merge.

        A scoped principal needs the ``judge`` right; ``who`` is then its username.
        """
        if target not in ("link", "merge"):
            raise InputError(f"a judgement is on a link or a merge, not {target!r}")
        if decision not in DECISIONS:
            raise InputError(f"decision must be one of {', '.join(DECISIONS)}")
        if not self.principal.system:
            self.principal.require("judge")
            who = self.principal.username
        with self.engine.begin() as conn:
            if not self.principal.system:
                self._check_judged_nodes_visible(conn, (a, b))
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
            audit.record(
                conn, self.principal, "judge", target, f"{a[0]}:{a[1]} {b[0]}:{b[1]}", None,
                {"decision": decision, "who": who}, secret=self.settings.secret_key,
            )  # fmt: skip

    def _check_judged_nodes_visible(
        self, conn: Connection, nodes: Sequence[tuple[str, str]]
    ) -> None:
        """A user judges only documents and selectors they see (others are "not found")."""
        visible = visible_dataset_pks(conn, self.principal)
        for kind, node_id in nodes:
            if kind == "document":
                query = select(documents.c.pk).where(
                    documents.c.id == node_id, document_visible(visible)
                )
            else:
                query = select(selectors.c.pk).where(
                    selectors.c.key == node_id, selector_visible(visible, selectors.c.pk)
                )
            if conn.execute(query).first() is None:
                raise InputError(f"no {kind} {node_id!r} found", field=kind)


def _dataset_names(conn: Connection, visible: list[int]) -> list[str]:
    if not visible:
        return []
    return list(conn.scalars(select(datasets.c.name).where(datasets.c.pk.in_(visible))))


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
    return Store(connect(database_url(settings)), settings=settings)
