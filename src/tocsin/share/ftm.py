"""FollowTheMoney: exporting the statements that may leave, importing entity streams.

**Export** writes the entities assembled from the statements of the datasets that may leave
(`tocsin.share.policy`), limited to the entities of the shared documents when the export is
scoped (a cluster, a time window). ``Person`` entities are victims, survivors or suspects named
in reports: they are left out unless the analyst names them (``--include-person``).

**Import** reads an entity stream (one JSON entity a line, as ``ftm`` tools write it) in two
passes: the first validates every line with ``followthemoney`` (unknown schema, unknown
property, a value its type rejects, a missing required property: the line is reported by number
and skipped) and learns which documents and selectors the stream holds; the second stores the
statements as the partner made them (origin ``imported``) and a document row for each
``Document`` with a body text, scanned and linked like an ingested one. A ``Document`` entity
becomes ``tocsin-doc-<SHA-256 of its text>`` (references to it are rewritten), so the same text
from two partners is one document.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, Final

from followthemoney import model, registry
from followthemoney.exc import InvalidData
from sqlalchemy import ColumnElement, String, literal_column, select, union_all

from tocsin.model import Document, SelectorType
from tocsin.share.canonical import canonical_selector
from tocsin.share.ingest import ImportWriter
from tocsin.share.model import Package, SharedDocument, SharedSelector, utc
from tocsin.share.policy import Eligible
from tocsin.store.ftm import StatementRow, assemble, document_entity_id, selector_entity_id
from tocsin.store.schema import datasets, documents, statements

__all__ = ["import_entities", "iter_export_entities"]

T = SelectorType
BATCH: Final = 500
DOC_PREFIX: Final = document_entity_id("")
COMPOUND_PREFIX: Final = "tocsin-compound-"
_SELECTOR_ENTITIES: Final = ("UserAccount", "CryptoWallet", "BankAccount")
_SERVICES: Final = {t.value: t for t in SelectorType}


# -- export --------------------------------------------------------------------------------


def _rows(eligible: Eligible) -> Any:
    names = eligible.names
    stored = select(
        statements.c.id,
        statements.c.entity_id,
        statements.c.schema,
        statements.c.prop,
        statements.c.value,
        statements.c.dataset,
        statements.c.document_id,
        statements.c.origin,
        statements.c.first_seen,
        statements.c.last_seen,
    ).where(statements.c.dataset.in_(names))
    document_filter: ColumnElement[bool] = documents.c.dataset_pk.in_(eligible.pks)
    body = (
        select(
            literal_column("''").label("id"),
            (literal_column(f"'{DOC_PREFIX}'", String) + documents.c.id).label("entity_id"),
            literal_column("'Document'").label("schema"),
            literal_column("'bodyText'").label("prop"),
            documents.c.text.label("value"),
            datasets.c.name.label("dataset"),
            documents.c.id.label("document_id"),
            literal_column("'extracted'").label("origin"),
            documents.c.first_seen,
            documents.c.last_seen,
        )
        .join(datasets, datasets.c.pk == documents.c.dataset_pk)
        .where(document_filter)
    )
    return union_all(stored, body).order_by("entity_id", "id")


def iter_export_entities(
    engine: Any,
    eligible: Eligible,
    package: Package | None,
    include_persons: Iterable[str] = (),
    withheld: dict[str, int] | None = None,
) -> Iterator[dict[str, Any]]:
    """FtM entities of the eligible datasets; only those of ``package`` when given (a scoped
    export). ``Person`` entities only when named in ``include_persons`` (id or a name)."""
    if not eligible.datasets:
        return
    wanted: set[str] | None = None
    if package is not None:
        wanted = {DOC_PREFIX + d.id for d in package.documents}
        wanted |= {selector_entity_id(k) for k in package.selectors}
        wanted |= {COMPOUND_PREFIX + c.id for c in package.compounds}
    named = {p.casefold() for p in include_persons}

    def rows() -> Iterator[StatementRow]:
        with engine.connect() as conn:
            result = conn.execution_options(yield_per=5000).execute(_rows(eligible))
            for r in result:
                if wanted is not None and r.entity_id not in wanted:
                    continue
                yield StatementRow(
                    entity_id=r.entity_id,
                    schema=r.schema,
                    prop=r.prop,
                    value=r.value,
                    dataset=r.dataset,
                    document_id=r.document_id,
                    origin=r.origin,
                    marking="",
                    first_seen=r.first_seen,
                    last_seen=r.last_seen,
                )

    for entity in assemble(rows()):
        # values in a stable order (statement ids hash the dataset, so storage order differs
        # between two stores holding the same entity)
        entity["properties"] = {k: sorted(v) for k, v in sorted(entity["properties"].items())}
        if _is_a(entity["schema"], "Person"):
            names = {n.casefold() for n in entity["properties"].get("name", [])}
            if entity["id"].casefold() not in named and not names & named:
                if withheld is not None:
                    withheld["Person"] = withheld.get("Person", 0) + 1
                continue
        yield entity


# -- import --------------------------------------------------------------------------------


@dataclass
class _Seen:
    """What the first pass learns: documents (foreign id → content hash) and selectors."""

    documents: dict[str, str] = field(default_factory=dict)
    declared: dict[str, SharedSelector] = field(default_factory=dict)
    doc_selectors: dict[str, set[str]] = field(default_factory=dict)  # content hash → keys
    loose: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    bad: set[int] = field(default_factory=set)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return utc(parsed)


def _lines(stream: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) — None for a line longer than ``limit`` (skipped unread)."""
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # skip the rest of the long line without holding it
                rest = stream.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
            continue
        yield number, line


def _entity(line: bytes) -> dict[str, Any]:
    """A validated entity dict (values cleaned by their FtM type), or InvalidData/ValueError."""
    data = json.loads(line)
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise ValueError("an entity needs an id")
    schema = model.get(str(data.get("schema")))
    if schema is None:
        raise ValueError(f"unknown schema {data.get('schema')!r}")
    props = data.get("properties")
    if not isinstance(props, dict):
        raise ValueError("no properties object")
    cleaned: dict[str, list[str]] = {}
    for name, values in props.items():
        prop = schema.get(name)
        if prop is None:
            raise ValueError(f"{schema.name} has no property {name!r}")
        if not isinstance(values, list):
            raise ValueError(f"property {name!r} is not a list")
        out = []
        for value in values:
            if not isinstance(value, str):
                raise ValueError(f"property {name!r}: {value!r} is not a string")
            clean = value if prop.type == registry.entity else prop.type.clean(value, proxy=None)
            if clean is None:
                raise ValueError(
                    f"property {name!r}: {value[:80]!r} is not a valid {prop.type.name}"
                )
            out.append(clean)
        if out:
            cleaned[name] = out
    schema.validate({"properties": cleaned})
    return {
        "id": data["id"],
        "schema": schema.name,
        "properties": cleaned,
        "first_seen": _time(data.get("first_seen")),
        "last_seen": _time(data.get("last_seen")),
    }


def _selectors_of(entity: dict[str, Any]) -> list[SharedSelector]:
    """The selectors an entity is or mentions, canonicalised (unrecognised values dropped)."""
    props = entity["properties"]
    found: list[tuple[SelectorType, str, str | None]] = []
    schema = entity["schema"]
    if schema == "UserAccount":
        service = (props.get("service") or [""])[0].lower()
        for name in props.get("username", []):
            if service in _SERVICES:
                found.append((_SERVICES[service], name, None))
        found += [(T.PHONE, p, None) for p in props.get("phone", [])]
        found += [(T.EMAIL, e, None) for e in props.get("email", [])]
    elif schema == "CryptoWallet":
        symbol = (props.get("currencySymbol") or [None])[0]
        found += [(T.CRYPTO, k, symbol) for k in props.get("publicKey", [])]
    elif schema == "BankAccount":
        found += [(T.IBAN, i, None) for i in props.get("iban", [])]
        found += [(T.BANK_ACCOUNT, a, None) for a in props.get("accountNumber", [])]
    elif _is_a(schema, "Document"):
        found += [(T.PHONE, p, None) for p in props.get("phoneMentioned", [])]
        found += [(T.EMAIL, e, None) for e in props.get("emailMentioned", [])]
        found += [(T.IBAN, i, None) for i in props.get("ibanMentioned", [])]
        for keyword in props.get("keywords", []):
            kind, _, value = keyword.partition(":")
            if kind in ("domain", "url") and value:
                found.append((T(kind), value, None))
    out = []
    for sel_type, raw, token in found:
        sel = canonical_selector(sel_type, raw, token=token.lower() if token else None)
        if sel is not None:
            out.append(SharedSelector.of(sel))
    return out


def _is_a(schema_name: str, parent: str) -> bool:
    schema = model.get(schema_name)
    return schema is not None and schema.is_a(parent)


def _is_document(entity: dict[str, Any]) -> bool:
    return _is_a(entity["schema"], "Document") and bool(entity["properties"].get("bodyText"))


def _text(entity: dict[str, Any]) -> str:
    return Document("\n\n".join(entity["properties"]["bodyText"])).text


def _first_pass(stream: IO[bytes], writer: ImportWriter, limit: int) -> _Seen:
    seen = _Seen()
    report = writer.report
    now = utc(datetime.now(UTC))
    proofs: list[tuple[list[SharedSelector], list[str], datetime, datetime]] = []
    for number, line in _lines(stream, limit):
        if line is None:
            report.problem(f"longer than the {limit:,} bytes allowed for one entity; skipped",
                           line=number)  # fmt: skip
            seen.bad.add(number)
            continue
        if not line.strip():
            continue
        try:
            entity = _entity(line)
        except (ValueError, InvalidData) as exc:
            report.problem(f"invalid FtM entity: {_reason(exc)}; skipped", line=number)
            seen.bad.add(number)
            continue
        first = entity["first_seen"] or now
        last = entity["last_seen"] or first
        sels = _selectors_of(entity)
        for sel in sels:
            seen.declared.setdefault(sel.key, sel)
        if _is_document(entity):
            digest = hashlib.sha256(_text(entity).encode("utf-8")).hexdigest()
            seen.documents[entity["id"]] = digest
            seen.doc_selectors.setdefault(digest, set()).update(s.key for s in sels)
        elif sels:
            proofs.append((sels, entity["properties"].get("proof", []), first, last))
    for sels, proof, first, last in proofs:
        targets = [seen.documents[p] for p in proof if p in seen.documents]
        for digest in targets:
            seen.doc_selectors[digest].update(s.key for s in sels)
        if not targets:
            for sel in sels:
                prev = seen.loose.get(sel.key)
                seen.loose[sel.key] = (
                    (min(first, prev[0]), max(last, prev[1])) if prev else (first, last)
                )
    return seen


def _reason(exc: Exception) -> str:
    if isinstance(exc, InvalidData) and getattr(exc, "errors", None):
        return f"{exc} {json.dumps(exc.errors, ensure_ascii=False)}"
    return str(exc) or type(exc).__name__


def import_entities(stream: IO[bytes], writer: ImportWriter, *, max_line_bytes: int) -> None:
    """Read an FtM entity stream into ``writer``'s dataset (see the module docs)."""
    with contextlib.ExitStack() as stack:
        if not stream.seekable():  # standard input: two passes need a copy
            spool = stack.enter_context(tempfile.TemporaryFile())
            shutil.copyfileobj(stream, spool)
            spool.seek(0)
            stream = spool
        seen = _first_pass(stream, writer, max_line_bytes)
        stream.seek(0)
        _second_pass(stream, writer, seen, max_line_bytes)


def _rewrite(entity: dict[str, Any], seen: _Seen) -> str:
    """Point entity references at ``tocsin-doc-<hash>`` for the stream's documents."""
    schema = model.get(entity["schema"])
    assert schema is not None
    for name, values in entity["properties"].items():
        prop = schema.get(name)
        if prop is not None and prop.type == registry.entity:
            entity["properties"][name] = [
                DOC_PREFIX + seen.documents[v] if v in seen.documents else v for v in values
            ]
    if entity["id"] in seen.documents:
        return DOC_PREFIX + seen.documents[entity["id"]]
    return str(entity["id"])


def _second_pass(stream: IO[bytes], writer: ImportWriter, seen: _Seen, limit: int) -> None:
    now = utc(datetime.now(UTC))
    dataset = writer.dataset
    docs: list[tuple[SharedDocument, str]] = []
    rows: list[StatementRow] = []

    def flush() -> None:
        if docs:
            writer.write(docs, seen.declared)
            docs.clear()
        if rows:
            with writer.store.engine.begin() as conn:
                writer.write_statements(conn, rows)
            rows.clear()

    for number, line in _lines(stream, limit):
        if line is None or number in seen.bad or not line.strip():
            continue
        entity = _entity(line)
        first = entity["first_seen"] or now
        last = max(entity["last_seen"] or first, first)
        entity_id = _rewrite(entity, seen)
        document_id = None
        if entity_id.startswith(DOC_PREFIX) and _is_document(entity):
            text = _text(entity)
            digest = entity_id.removeprefix(DOC_PREFIX)
            document_id = digest
            docs.append(
                (
                    SharedDocument(
                        id=digest,
                        text=text,
                        kind="unknown",
                        marking=writer.marking,
                        first_seen=first,
                        last_seen=last,
                        selectors=tuple(sorted(seen.doc_selectors.get(digest, ()))),
                        title=(entity["properties"].get("title") or [None])[0],
                        language=None,
                        source_url=(entity["properties"].get("sourceUrl") or [None])[0],
                    ),
                    f"line {number}",
                )
            )
        for prop, values in entity["properties"].items():
            if prop == "bodyText" and document_id is not None:
                continue  # the documents row holds the text (store.md)
            for value in values:
                rows.append(
                    StatementRow(
                        entity_id, entity["schema"], prop, value, dataset, document_id,
                        "imported", writer.marking, first, last,
                    )
                )  # fmt: skip
        if len(docs) >= BATCH or len(rows) >= BATCH * 20:
            flush()
    flush()
    loose = sorted(seen.loose.items())
    for start in range(0, len(loose), 1000):
        chunk = loose[start : start + 1000]
        text = Document(
            f"FtM entities without a document in {writer.report.source}, imported into "
            f"{dataset}:\n"
            + "\n".join(f"{k.partition(':')[0]}: {k.partition(':')[2]}" for k, _ in chunk)
        ).text
        docs.append(
            (
                SharedDocument(
                    id=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    text=text,
                    kind="report",
                    marking=writer.marking,
                    first_seen=min(f for _, (f, _) in chunk),
                    last_seen=max(la for _, (_, la) in chunk),
                    selectors=tuple(k for k, _ in chunk),
                    title=f"FtM entities without a document ({writer.report.source})",
                ),
                "entities without a document",
            )
        )
    flush()
