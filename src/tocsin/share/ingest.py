"""Writing what a partner shared into the store: documents, declared selectors, statements.

Imported documents are stored like ingested ones — scanned by the local engine (so they are
searched, scored and linked like everything else) and linked to the selectors found in their
text — and also linked to the selectors the partner *declared* for them (a STIX report's
observables, a MISP event's attributes) even when the text does not contain them; those links
have no span. Timestamps are the partner's (first and last seen), so exporting imported
material again gives the same content, and importing it twice changes nothing.

Markings are never lowered: a document marked more restrictively than the dataset it is
imported into is refused and reported (import it into a dataset with that marking).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from tocsin.access import visible_dataset_pks
from tocsin.detect.engine import Engine as ScanEngine
from tocsin.errors import RecordError
from tocsin.graph.neardup import signature
from tocsin.model import Document, DocumentKind, Selector, Verdict
from tocsin.share.canonical import selector_from_key
from tocsin.share.model import MARKING_RANK, SharedCompound, SharedDocument, SharedSelector
from tocsin.store import Store
from tocsin.store.ftm import StatementRow, compound_statements, document_statements
from tocsin.store.schema import document_datasets, documents, links, selectors, signals, statements
from tocsin.store.writer import categories_column, upsert_insert

__all__ = ["ImportReport", "ImportWriter"]

_KINDS = frozenset(k.value for k in DocumentKind)
# Statements about selectors (not about the document itself) made from declared selectors.
_SELECTOR_PROPS = frozenset({"phoneMentioned", "emailMentioned", "ibanMentioned"})


@dataclass
class ImportReport:
    """What an import read, stored, skipped and refused."""

    source: str
    format: str
    dataset: str
    documents_new: int = 0
    documents_known: int = 0
    selectors: int = 0
    statements: int = 0
    compounds: int = 0
    not_imported: dict[str, int] = field(default_factory=dict)
    """Objects understood but not stored, by kind (e.g. STIX attack-pattern)."""
    problems: list[RecordError] = field(default_factory=list)

    def problem(self, message: str, *, line: int | None = None, where: str | None = None) -> None:
        text = f"{where}: {message}" if where else message
        self.problems.append(RecordError(text, source=self.source, line=line))

    def skip(self, kind: str) -> None:
        self.not_imported[kind] = self.not_imported.get(kind, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "dataset": self.dataset,
            "documents_new": self.documents_new,
            "documents_known": self.documents_known,
            "selectors": self.selectors,
            "statements": self.statements,
            "compounds": self.compounds,
            "not_imported": dict(sorted(self.not_imported.items())),
            "problems": len(self.problems),
        }


@dataclass
class _Rows:
    """What one batch writes, gathered so that each table gets one statement."""

    selectors: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: list[tuple[str, int, str]] = field(default_factory=list)
    signals: list[dict[str, Any]] = field(default_factory=list)
    statements: list[StatementRow] = field(default_factory=list)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class ImportWriter:
    """Writes batches of shared documents (and statements, compounds) into one dataset."""

    def __init__(
        self,
        store: Store,
        dataset: str,
        report: ImportReport,
        *,
        marking: str | None = None,
        scanner: ScanEngine | None = None,
        extracted_statements: bool = True,
    ) -> None:
        self.store = store
        self.dataset = dataset
        self.report = report
        self.dataset_pk, self.marking = store.dataset(dataset, marking)
        self.scanner = scanner if scanner is not None else ScanEngine()
        self.extracted_statements = extracted_statements
        self.linked: set[str] = set()

    def allowed(self, marking: str, where: str) -> bool:
        """Whether material marked ``marking`` may go into this dataset (reports it if not)."""
        if MARKING_RANK[marking] <= MARKING_RANK[self.marking]:
            return True
        self.report.problem(
            f"marked TLP:{marking.upper()}, more restrictive than dataset {self.dataset!r} "
            f"(TLP:{self.marking.upper()}); not imported",
            where=where,
        )
        return False

    # -- documents --------------------------------------------------------------------------

    def write(
        self,
        docs: Sequence[tuple[SharedDocument, str]],
        declared: Mapping[str, SharedSelector],
    ) -> None:
        """Store a batch of ``(document, where it came from)`` in one transaction."""
        unique: dict[str, tuple[SharedDocument, str]] = {}
        for doc, where in docs:
            if self.allowed(doc.marking, where):
                previous = unique.get(doc.id)
                if previous is None:
                    unique[doc.id] = (doc, where)
                else:  # the same text twice in one file: one document, both selector sets
                    merged = sorted(set(previous[0].selectors) | set(doc.selectors))
                    unique[doc.id] = (
                        dataclasses.replace(previous[0], selectors=tuple(merged)),
                        where,
                    )
        if not unique:
            return
        with self.store.engine.connect() as conn:
            known = {
                row[0]: int(row[1])
                for row in conn.execute(
                    select(documents.c.id, documents.c.pk).where(documents.c.id.in_(list(unique)))
                )
            }
        fresh = [d for i, (d, _) in unique.items() if i not in known]
        scanned = list(
            self.scanner.scan_many(
                Document(
                    d.text,
                    DocumentKind(d.kind) if d.kind in _KINDS else DocumentKind.UNKNOWN,
                    id=d.id,
                    language=d.language if d.language and d.language != "und" else None,
                )
                for d in fresh
            )
        )
        hidden = self._hidden(set(known))  # stored in datasets the importer cannot see
        rows = _Rows()
        with self.store.engine.begin() as conn:
            for doc in (d for i, (d, _) in unique.items() if i in known):
                self._known(conn, rows, doc, known[doc.id], declared)
            pk_of = self._insert(conn, list(zip(fresh, scanned, strict=True)))
            for doc, verdict in zip(fresh, scanned, strict=True):
                if doc.id in pk_of:
                    self._links(rows, pk_of[doc.id], doc, verdict, declared)
                    self._signals(rows, pk_of[doc.id], verdict)
                    if self.extracted_statements:
                        self._statements(rows, doc, verdict, declared)
            self._flush(conn, rows)
        self.report.documents_new += len(pk_of) + len(hidden)
        self.report.documents_known += len(unique) - len(pk_of) - len(hidden)
        self.report.selectors = len(self.linked)

    def _hidden(self, ids: set[str]) -> set[str]:
        """Of documents already stored, those the importing principal cannot see: reported as
        new, so an import never tells who else holds a text."""
        if not ids or self.store.principal.system:
            return set()
        with self.store.engine.connect() as conn:
            visible = visible_dataset_pks(conn, self.store.principal) or []
            seen = {
                str(doc_id)
                for (doc_id,) in conn.execute(
                    select(documents.c.id)
                    .join(document_datasets, document_datasets.c.document_pk == documents.c.pk)
                    .where(documents.c.id.in_(sorted(ids)))
                    .where(document_datasets.c.dataset_pk.in_(visible))
                )
            }
        return ids - seen

    def _insert(
        self, conn: Connection, batch: list[tuple[SharedDocument, Verdict]]
    ) -> dict[str, int]:
        if not batch:
            return {}
        rows = [
            {
                "id": doc.id,
                "dataset_pk": self.dataset_pk,
                "marking": doc.marking,
                "kind": verdict.kind,
                "language": verdict.language.code,
                "risk": verdict.risk,
                "level": verdict.level.value,
                "categories": categories_column(verdict),
                "verdict": json.dumps(verdict.to_dict(), ensure_ascii=False, separators=(",", ":")),
                "text": doc.text,
                "title": doc.title[:300] if doc.title else None,
                "source": doc.source_url or f"import:{self.report.source}"[:1000],
                "record_id": None,
                "signature": signature(doc.text),
                "first_seen": doc.first_seen,
                "last_seen": doc.last_seen,
            }
            for doc, verdict in batch
        ]
        conn.execute(
            upsert_insert(conn, documents).on_conflict_do_nothing(index_elements=["id"]), rows
        )
        ids = [doc.id for doc, _ in batch]
        pk_of = {
            str(doc_id): int(pk)
            for pk, doc_id in conn.execute(
                select(documents.c.pk, documents.c.id).where(
                    documents.c.id.in_(ids), documents.c.dataset_pk == self.dataset_pk
                )
            )
        }
        conn.execute(
            upsert_insert(conn, document_datasets).on_conflict_do_nothing(
                index_elements=["document_pk", "dataset_pk"]
            ),
            [
                {
                    "document_pk": pk_of[doc.id],
                    "dataset_pk": self.dataset_pk,
                    "first_seen": doc.first_seen,
                    "last_seen": doc.last_seen,
                }
                for doc, _ in batch
                if doc.id in pk_of
            ],
        )
        return pk_of

    def _known(
        self,
        conn: Connection,
        rows: _Rows,
        doc: SharedDocument,
        pk: int,
        declared: Mapping[str, SharedSelector],
    ) -> None:
        """A document already stored: note the sighting in this dataset, widen its seen
        window to the partner's, and add the selectors the partner declared for it."""
        row = conn.execute(
            select(documents.c.first_seen, documents.c.last_seen).where(documents.c.pk == pk)
        ).one()
        first = min(_aware(row[0]), doc.first_seen)
        last = max(_aware(row[1]), doc.last_seen)
        if (first, last) != (_aware(row[0]), _aware(row[1])):
            conn.execute(
                update(documents)
                .where(documents.c.pk == pk)
                .values(first_seen=first, last_seen=last)
            )
        ins = upsert_insert(conn, document_datasets)
        conn.execute(
            ins.on_conflict_do_nothing(index_elements=["document_pk", "dataset_pk"]),
            {
                "document_pk": pk,
                "dataset_pk": self.dataset_pk,
                "first_seen": doc.first_seen,
                "last_seen": doc.last_seen,
            },
        )
        present = {
            key
            for (key,) in conn.execute(
                select(selectors.c.key)
                .join(links, links.c.selector_pk == selectors.c.pk)
                .where(links.c.document_pk == pk)
            )
        }
        extra = [declared[k] for k in doc.selectors if k in declared and k not in present]
        if extra:
            self._write_links(rows, pk, {}, extra, present, doc)

    def _links(
        self,
        rows: _Rows,
        pk: int,
        doc: SharedDocument,
        verdict: Verdict,
        declared: Mapping[str, SharedSelector],
    ) -> None:
        found: dict[str, list[list[Any]]] = {}
        attributes: dict[str, Selector] = {}
        for sel in verdict.selectors:
            for key in sel.link_keys:
                found.setdefault(key, []).append([sel.start, sel.end, sel.raw])
                attributes.setdefault(key, sel)
        extra = [declared[k] for k in doc.selectors if k in declared and k not in found]
        self._write_links(rows, pk, found, extra, set(), doc, attributes)

    def _write_links(
        self,
        rows: _Rows,
        pk: int,
        found: dict[str, list[list[Any]]],
        extra: Iterable[SharedSelector],
        present: set[str],
        doc: SharedDocument,
        attributes: Mapping[str, Selector] | None = None,
    ) -> None:
        spans: dict[str, list[list[Any]]] = dict(found)
        for key, sel in (attributes or {}).items():
            rows.selectors.setdefault(
                key, _selector_row(key, sel.value, sel.chain, sel.country, sel.validated, doc)
            )
        for shared in extra:
            sel = Selector(shared.type, shared.value, 0, 0, shared.value)
            for key in sel.link_keys:  # a WhatsApp number also links as that phone
                if key in present or key in spans:
                    continue
                spans[key] = []
                rows.selectors.setdefault(
                    key,
                    _selector_row(
                        key, shared.value, shared.chain, shared.country, shared.validated, doc
                    ),
                )
        for key, found_spans in spans.items():
            rows.links.append(
                (key, pk, json.dumps(found_spans, ensure_ascii=False, separators=(",", ":")))
            )

    def _flush(self, conn: Connection, rows: _Rows) -> None:
        """Write what a batch gathered, one statement per table."""
        if rows.selectors:
            conn.execute(
                upsert_insert(conn, selectors).on_conflict_do_nothing(index_elements=["key"]),
                list(rows.selectors.values()),
            )
            sel_pk: dict[str, int] = {}
            keys = list(rows.selectors)
            for start in range(0, len(keys), 900):
                sel_pk.update(
                    (str(key), int(spk))
                    for key, spk in conn.execute(
                        select(selectors.c.key, selectors.c.pk).where(
                            selectors.c.key.in_(keys[start : start + 900])
                        )
                    )
                )
            if rows.links:
                conn.execute(
                    upsert_insert(conn, links).on_conflict_do_nothing(
                        index_elements=["selector_pk", "document_pk"]
                    ),
                    [
                        {"selector_pk": sel_pk[key], "document_pk": pk, "spans": spans}
                        for key, pk, spans in rows.links
                    ],
                )
            self.linked.update(rows.selectors)
        if rows.signals:
            conn.execute(signals.insert(), rows.signals)
        if rows.statements:
            self.write_statements(conn, rows.statements)

    def _signals(self, rows: _Rows, pk: int, verdict: Verdict) -> None:
        rows.signals += [
            {
                "document_pk": pk,
                "indicator": sig.indicator,
                "category": sig.category.value,
                "weight": sig.weight,
                "contribution": sig.contribution,
                "evidence": json.dumps([e.to_dict() for e in sig.evidence], ensure_ascii=False),
            }
            for sig in verdict.signals
        ]

    def _statements(
        self,
        out: _Rows,
        doc: SharedDocument,
        verdict: Verdict,
        declared: Mapping[str, SharedSelector],
    ) -> None:
        kind = DocumentKind(verdict.kind) if verdict.kind in _KINDS else DocumentKind.UNKNOWN
        document = Document(doc.text, kind, id=doc.id, source=doc.source_url)
        rows = [
            dataclasses.replace(r, last_seen=doc.last_seen)
            for r in document_statements(
                doc.id,
                document,
                verdict,
                dataset=self.dataset,
                marking=doc.marking,
                seen=doc.first_seen,
                title=doc.title,
            )
        ]
        extracted = {k for s in verdict.selectors for k in s.link_keys}
        extra = [
            Selector(declared[k].type, declared[k].value, 0, 0, declared[k].value,
                     chain=declared[k].chain, token=declared[k].token)
            for k in doc.selectors
            if k in declared and k not in extracted
        ]  # fmt: skip
        if extra:
            only = dataclasses.replace(verdict, selectors=tuple(extra), signals=(), categories=())
            for r in document_statements(
                doc.id,
                document,
                only,
                dataset=self.dataset,
                marking=doc.marking,
                seen=doc.first_seen,
            ):
                if (
                    r.schema != "Document"
                    or r.prop in _SELECTOR_PROPS
                    or (r.prop == "keywords" and r.value.startswith(("domain:", "url:")))
                ):
                    rows.append(dataclasses.replace(r, origin="imported", last_seen=doc.last_seen))
        out.statements += rows

    # -- statements and compounds -----------------------------------------------------------

    def write_statements(self, conn: Connection, rows: Iterable[StatementRow]) -> None:
        by_id: dict[str, dict[str, Any]] = {}
        for r in rows:
            by_id.setdefault(r.id, r.to_row())
        if not by_id:
            return
        ins = upsert_insert(conn, statements)
        conn.execute(
            ins.on_conflict_do_update(
                index_elements=["id"], set_={"last_seen": ins.excluded.last_seen}
            ),
            list(by_id.values()),
        )
        self.report.statements += len(by_id)

    def _compound_details(self, compound: SharedCompound) -> list[StatementRow]:
        """Description, and coordinates on an ``Address`` (as tocsin.cases maps them)."""
        entity = f"tocsin-compound-{compound.id}"
        props: list[tuple[str, str, str, str]] = []
        if compound.description:
            props.append((entity, "Organization", "notes", compound.description))
        if compound.latitude is not None and compound.longitude is not None:
            place = entity + "-address"
            props += [
                (place, "Address", "full", compound.address or compound.name),
                (place, "Address", "latitude", str(compound.latitude)),
                (place, "Address", "longitude", str(compound.longitude)),
                (entity, "Organization", "addressEntity", place),
            ]
            if compound.precision:
                keyword = f"tocsin:location-precision:{compound.precision}"
                props.append((entity, "Organization", "keywords", keyword))
        return [
            StatementRow(
                entity_id,
                schema,
                prop,
                value,
                self.dataset,
                None,
                "imported",
                compound.marking,
                compound.first_seen,
                compound.last_seen,
            )
            for entity_id, schema, prop, value in props
        ]

    def write_compounds(self, compounds: Sequence[tuple[SharedCompound, str]]) -> None:
        rows: list[StatementRow] = []
        for compound, where in compounds:
            if not self.allowed(compound.marking, where):
                continue
            rows += [
                dataclasses.replace(r, last_seen=compound.last_seen)
                for r in compound_statements(
                    compound.id,
                    compound.name,
                    dataset=self.dataset,
                    marking=compound.marking,
                    seen=compound.first_seen,
                    country=compound.country,
                    address=compound.address,
                    origin="imported",
                )
            ]
            rows += self._compound_details(compound)
            self.report.compounds += 1
        if rows:
            with self.store.engine.begin() as conn:
                self.write_statements(conn, rows)


def _selector_row(
    key: str,
    value: str,
    chain: str | None,
    country: str | None,
    validated: bool,
    doc: SharedDocument,
) -> dict[str, Any]:
    sel_type = key.partition(":")[0]
    parsed = selector_from_key(key)
    return {
        "key": key,
        "type": sel_type,
        "value": parsed.value if parsed is not None else value,
        "normalised": value.casefold(),
        "chain": chain,
        "country": country,
        "validated": validated,
        "first_seen": doc.first_seen,
        "last_seen": doc.last_seen,
    }
