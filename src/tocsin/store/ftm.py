"""FollowTheMoney statements from scanned documents, and entities assembled from statements.

The mapping (docs/ftm-mapping.md) in one place:

- a document → a ``Document`` entity (``tocsin-doc-<sha256>``) with title, body text (made from
  the ``documents`` row when statements are read, not stored twice), language,
  ``phoneMentioned`` / ``emailMentioned`` / ``ibanMentioned`` for its phone, e-mail and IBAN
  selectors, ``locationMentioned`` for places the indicator packs found, and ``keywords`` for
  its categories, indicators and the web domains/URLs it names (FtM has no domain schema);
- a messaging account → ``UserAccount`` (``service`` = telegram, whatsapp…, ``username``, and
  ``phone`` when the handle is a phone number); a crypto address → ``CryptoWallet``
  (``publicKey``, ``blockchain``, ``currencySymbol``); an IBAN or bank account →
  ``BankAccount`` (``iban`` / ``accountNumber``); each with ``proof`` → the documents;
- a scam compound (no FtM schema) → ``Organization`` with topics ``crime.traffick.human`` and
  ``crime.fraud`` and the keyword ``tocsin:scam-compound`` (`compound_statements`).

Every statement carries dataset, source document, origin (extracted / analyst / imported),
first/last seen and a TLP marking; its id hashes all of these but the dates, so storing the
same claim twice only moves ``last_seen``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Final

from followthemoney import Dataset, Statement, StatementEntity, model, registry

from tocsin.model import MESSAGING_TYPES, Document, SelectorType, Verdict

__all__ = [
    "StatementRow",
    "assemble",
    "body_text_statement",
    "compound_statements",
    "document_entity_id",
    "document_statements",
    "selector_entity_id",
]

EXPORT_DATASET: Final = Dataset.make({"name": "tocsin", "title": "Tocsin export"})
PLACE_PREFIX: Final = "place."
_PHONE_HANDLES: Final = frozenset({SelectorType.WHATSAPP, SelectorType.SIGNAL, SelectorType.ZALO})


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One statement as stored: an FtM statement plus Tocsin's provenance and marking."""

    entity_id: str
    schema: str
    prop: str
    value: str
    dataset: str
    document_id: str | None
    origin: str
    marking: str
    first_seen: datetime
    last_seen: datetime

    @property
    def id(self) -> str:
        parts = (self.entity_id, self.prop, self.value, self.dataset, self.document_id or "")
        raw = "\x1f".join((*parts, self.origin)).encode("utf-8")
        return hashlib.sha1(raw, usedforsecurity=False).hexdigest()

    def to_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "entity_id": self.entity_id,
            "schema": self.schema,
            "prop": self.prop,
            "value": self.value,
            "dataset": self.dataset,
            "document_id": self.document_id,
            "origin": self.origin,
            "marking": self.marking,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }


def document_entity_id(document_id: str) -> str:
    return f"tocsin-doc-{document_id}"


def selector_entity_id(key: str) -> str:
    return "tocsin-sel-" + hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()


def _selector_entity(
    sel_type: SelectorType, value: str, chain: str | None, token: str | None
) -> tuple[str, list[tuple[str, str]]] | None:
    """(schema, [(prop, value)]) of the entity a selector becomes, or None (a property only)."""
    if sel_type in MESSAGING_TYPES:
        props = [("service", sel_type.value), ("username", value)]
        if sel_type in _PHONE_HANDLES and value.startswith("+"):
            props.append(("phone", value))
        return "UserAccount", props
    if sel_type is SelectorType.CRYPTO:
        props = [("publicKey", value)]
        if chain:
            props.append(("blockchain", chain))
        symbol = token or chain
        if symbol:
            props.append(("currencySymbol", symbol.upper()))
        return "CryptoWallet", props
    if sel_type is SelectorType.IBAN:
        return "BankAccount", [("iban", value)]
    if sel_type is SelectorType.BANK_ACCOUNT:
        return "BankAccount", [("accountNumber", value)]
    return None


_DOC_PROPS: Final = {
    SelectorType.PHONE: "phoneMentioned",
    SelectorType.EMAIL: "emailMentioned",
    SelectorType.IBAN: "ibanMentioned",
}


def document_statements(
    document_id: str,
    document: Document,
    verdict: Verdict,
    *,
    dataset: str,
    marking: str,
    seen: datetime,
    title: str | None = None,
) -> Iterator[StatementRow]:
    """The statements extracted from one scanned document (origin ``extracted``), but for the
    document's ``bodyText``, which `body_text_statement` makes from the stored document."""

    def rows(
        entity_id: str, schema: str, props: Iterable[tuple[str, str]]
    ) -> Iterator[StatementRow]:
        for prop, raw in props:
            value = _clean(schema, prop, raw)
            if value is not None:
                yield StatementRow(
                    entity_id,
                    schema,
                    prop,
                    value,
                    dataset,
                    document_id,
                    "extracted",
                    marking,
                    seen,
                    seen,
                )

    doc_entity = document_entity_id(document_id)
    # No bodyText statement: the documents row holds the text, and reading it adds the bodyText
    # statement (`body_text_statement`), so the text is stored once, not twice.
    doc_props: list[tuple[str, str]] = []
    if title:
        doc_props.append(("title", title))
    language = registry.language.clean(verdict.language.code)
    if language:
        doc_props.append(("language", language))
    if document.source and document.source.startswith(("http://", "https://")):
        doc_props.append(("sourceUrl", document.source))
    elif document.source:
        doc_props.append(("fileName", document.source.rsplit("/", 1)[-1][:250]))
    doc_props += [("keywords", f"tocsin:category:{c.value}") for c in verdict.categories]
    doc_props += [("keywords", f"tocsin:indicator:{s.indicator}") for s in verdict.signals]
    for sig in verdict.signals:
        if sig.indicator.startswith(PLACE_PREFIX):
            doc_props += [("locationMentioned", ev.text) for ev in sig.evidence]
    seen_keys: set[str] = set()
    for sel in verdict.selectors:
        if sel.key in seen_keys:
            continue
        seen_keys.add(sel.key)
        if sel.type in _DOC_PROPS:
            doc_props.append((_DOC_PROPS[sel.type], sel.value))
        elif sel.type in (SelectorType.DOMAIN, SelectorType.URL):
            doc_props.append(("keywords", f"{sel.type.value}:{sel.value}"))
        mapped = _selector_entity(sel.type, sel.value, sel.chain, sel.token)
        if mapped is None:
            continue
        schema, props = mapped
        entity_id = selector_entity_id(sel.key)
        yield from rows(entity_id, schema, [*props, ("proof", doc_entity)])
    yield from rows(doc_entity, "Document", dict.fromkeys(doc_props))


def body_text_statement(
    document_id: str,
    text: str,
    *,
    dataset: str,
    marking: str,
    first_seen: datetime,
    last_seen: datetime,
) -> StatementRow | None:
    """The ``bodyText`` statement of a stored document, made from its row when read."""
    value = _clean("Document", "bodyText", text)
    if value is None:
        return None
    return StatementRow(
        document_entity_id(document_id),
        "Document",
        "bodyText",
        value,
        dataset,
        document_id,
        "extracted",
        marking,
        first_seen,
        last_seen,
    )


def compound_statements(
    compound_id: str,
    name: str,
    *,
    dataset: str,
    marking: str,
    seen: datetime,
    country: str | None = None,
    address: str | None = None,
    origin: str = "analyst",
) -> list[StatementRow]:
    """A scam compound as an ``Organization`` with Tocsin's documented topics and keyword."""
    entity_id = f"tocsin-compound-{compound_id}"
    props = [
        ("name", name),
        ("topics", "crime.traffick.human"),
        ("topics", "crime.fraud"),
        ("keywords", "tocsin:scam-compound"),
    ]
    if country:
        props.append(("country", country.lower()))
    if address:
        props.append(("address", address))
    return [
        StatementRow(entity_id, "Organization", p, v, dataset, None, origin, marking, seen, seen)
        for p, v in props
    ]


@lru_cache(maxsize=1 << 16)  # keywords, services and chains repeat across documents
def _clean(schema: str, prop: str, value: str) -> str | None:
    """The value as FtM cleans it for the property, or None when FtM finds it invalid.

    Statements are only stored in a form that validates, so every export does.
    """
    schema_obj = model.get(schema)
    prop_obj = schema_obj.get(prop) if schema_obj is not None else None
    if prop_obj is None:
        raise ValueError(f"{schema} has no property {prop!r}")  # a bug in this mapping
    if prop_obj.type == registry.entity:
        return value
    return prop_obj.type.clean(value, proxy=None)


def _iso(value: datetime) -> str:
    return value.replace(tzinfo=None, microsecond=0).isoformat()


def assemble(rows: Iterable[StatementRow]) -> Iterator[dict[str, Any]]:
    """FtM entity dicts from statement rows sorted by entity id (one entity per run of rows)."""
    current: list[Statement] = []
    current_id: str | None = None
    for r in rows:
        if r.entity_id != current_id and current:
            yield StatementEntity.from_statements(EXPORT_DATASET, current).to_dict()
            current = []
        current_id = r.entity_id
        current.append(
            Statement(
                r.entity_id,
                r.prop,
                r.schema,
                r.value,
                r.dataset,
                first_seen=_iso(r.first_seen),
                last_seen=_iso(r.last_seen),
                origin=r.origin,
            )
        )
    if current:
        yield StatementEntity.from_statements(EXPORT_DATASET, current).to_dict()
