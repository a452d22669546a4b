"""STIX 2.1: writing a `Package` as a bundle (docs/sharing.md has the whole mapping).

- the producer → ``identity`` (``created_by_ref`` of everything);
- a selector → an SCO: ``domain-name``, ``url``, ``email-addr``, or ``user-account`` with
  ``account_type`` telegram / whatsapp / line / wechat / qq / signal / skype / zalo; phone
  numbers, crypto addresses and bank accounts are ``user-account`` objects too (the spec's "any
  type of user account"; ``account_type`` phone / crypto-wallet / bank-account) carrying a
  Tocsin **property extension** with the typed fields (E.164 and region; chain, token and
  network; IBAN or account number and country). Standard tools see, pattern and correlate a
  user-account; tools that know the extension read the fields;
- a selector → an ``indicator`` with a STIX pattern, and a ``sighting`` of it by the producer
  (count = documents, first/last seen, the observed-data of those documents);
- a document → ``observed-data`` (its selectors) and a ``report`` whose description is the text,
  with the ``tocsin-document`` extension (kind, language, title, the producer's risk);
- a network (cluster) → ``intrusion-set`` with the ``tocsin-network`` extension, ``indicates``
  relationships from its selectors' indicators, and an ``infrastructure`` (its web sites) it
  ``uses``, which ``consists-of`` its domain and URL observables;
- a scam compound → ``location``;
- markings → the OASIS TLP 2.0 ``marking-definition`` objects, on every object.

Ids are deterministic: SCOs get the spec's UUIDv5 over their id-contributing properties
(computed with the ``stix2`` library's canonicaliser and namespace), every other object a UUIDv5
over Tocsin's namespace and its natural key, so exporting the same material twice gives the same
bundle, byte for byte. Objects are built as plain dictionaries and streamed: the ``stix2``
constructors re-parse every indicator pattern with an ANTLR grammar (0.7 ms each, 12 minutes at
a million selectors); instead the tests parse every exported object with ``stix2`` and run the
OASIS validator on every bundle.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from importlib.resources import files
from typing import IO, Any, Final

import orjson
from stix2.base import SCO_DET_ID_NAMESPACE
from stix2validator.v21.enums import LANG_CODES as VALIDATOR_LANG_CODES

from tocsin.model import SelectorType
from tocsin.share.markings import TLP2_IDS, tlp2_definition
from tocsin.share.model import (
    Package,
    SharedCompound,
    SharedDocument,
    SharedSelector,
    most_restrictive,
)

__all__ = [
    "EXTENSIONS",
    "TOCSIN_NAMESPACE",
    "ExtensionDefinition",
    "account_type",
    "indicator_pattern",
    "schema_dir",
    "sco",
    "write_bundle",
]

T = SelectorType
LANG_CODES: Final[frozenset[str]] = frozenset(VALIDATOR_LANG_CODES)
"""The language tags a report's ``lang`` may carry: those the OASIS validator knows. Its table
lacks some valid RFC 5646 tags our material is often in (km Khmer, my Burmese, lo Lao) and a
bundle with them fails validation, so such a language travels only in the tocsin-document
extension's ``language``."""
TOCSIN_NAMESPACE: Final = uuid.UUID("8ffdff32-4636-403d-b4f2-311862717085")
"""Namespace of every Tocsin-made STIX id (UUIDv5 over a natural key)."""
DEFINITIONS_CREATED: Final = "2026-11-01T00:00:00.000Z"
TOCSIN_IDENTITY: Final = "identity--8057fef4-dcdb-5311-8bf1-2990425536f4"
"""The Tocsin project, creator of Tocsin's extension definitions (the same in every export)."""

ACCOUNT_TYPES: Final = {
    T.TELEGRAM: "telegram",
    T.WHATSAPP: "whatsapp",
    T.LINE: "line",
    T.WECHAT: "wechat",
    T.QQ: "qq",
    T.SIGNAL: "signal",
    T.SKYPE: "skype",
    T.ZALO: "zalo",
    T.PHONE: "phone",
    T.CRYPTO: "crypto-wallet",
    T.IBAN: "bank-account",
    T.BANK_ACCOUNT: "bank-account",
}
"""``user-account.account_type`` of each account-like selector type (open vocabulary)."""
_LABELS: Final = {
    T.PHONE: "Phone number",
    T.EMAIL: "E-mail address",
    T.URL: "URL",
    T.DOMAIN: "Domain",
    T.TELEGRAM: "Telegram account",
    T.WHATSAPP: "WhatsApp account",
    T.LINE: "Line account",
    T.WECHAT: "WeChat account",
    T.QQ: "QQ account",
    T.SIGNAL: "Signal account",
    T.SKYPE: "Skype account",
    T.ZALO: "Zalo account",
    T.CRYPTO: "Crypto address",
    T.IBAN: "IBAN",
    T.BANK_ACCOUNT: "Bank account",
}


class ExtensionDefinition:
    """One of Tocsin's STIX extension definitions; its JSON Schema ships in ``schemas/``."""

    def __init__(self, uid: str, name: str, description: str, applies_to: str) -> None:
        self.id = f"extension-definition--{uid}"
        self.name = name
        self.description = description
        self.applies_to = applies_to

    def to_stix(self) -> dict[str, Any]:
        return {
            "type": "extension-definition",
            "spec_version": "2.1",
            "id": self.id,
            "created_by_ref": TOCSIN_IDENTITY,
            "created": DEFINITIONS_CREATED,
            "modified": DEFINITIONS_CREATED,
            "name": self.name,
            "description": self.description,
            "schema": (
                f"JSON Schema {self.id}.json, shipped in the Tocsin distribution at "
                f"tocsin/share/schemas/ (docs/sharing.md). {self.description}"
            ),
            "version": "1.0.0",
            "extension_types": ["property-extension"],
        }


EXTENSIONS: Final = {
    "phone": ExtensionDefinition(
        "83e2f9cc-7e9e-5bc0-8991-314e76e49f63",
        "tocsin-phone-number",
        "A telephone number as a user-account (account_type phone, user_id the E.164 number): "
        "properties e164 (required) and country (ISO 3166-1 alpha-2).",
        "user-account",
    ),
    "wallet": ExtensionDefinition(
        "2b5cf350-aac5-5708-9d04-3c15d5265b08",
        "tocsin-crypto-wallet",
        "A crypto-currency address as a user-account (account_type crypto-wallet, user_id the "
        "address): properties address (required, checksummed), chain (btc, eth, tron), token "
        "and network (e.g. usdt on trc20).",
        "user-account",
    ),
    "bank": ExtensionDefinition(
        "5bd5adf6-1a4e-5416-9f79-c7d8aaadefc8",
        "tocsin-bank-account",
        "A bank account as a user-account (account_type bank-account, user_id the IBAN or the "
        "account number): properties iban or account_number (one required) and country.",
        "user-account",
    ),
    "document": ExtensionDefinition(
        "01d1b280-7181-51e9-ab07-bdebfe014b00",
        "tocsin-document",
        "A screened document carried by a report whose description is its full text: "
        "properties document_id (SHA-256 of the text), kind, language, title, source_url, and "
        "the producer's assessment: risk (0-100), level, categories, indicators.",
        "report",
    ),
    "network": ExtensionDefinition(
        "9352d025-bf14-5f5c-82f6-7f3b51137140",
        "tocsin-network",
        "A network found by link analysis, carried by an intrusion-set: properties cluster_id, "
        "documents and selectors (counts in the export).",
        "intrusion-set",
    ),
}


def schema_dir() -> str:
    """Directory of the JSON Schemas of Tocsin's extensions (``stix2validator`` schema_dir)."""
    return str(files("tocsin.share") / "schemas")


@lru_cache(maxsize=1 << 16)
def _ts(value: datetime) -> str:
    """A STIX timestamp (cached: a document's times recur in its report, observation,
    indicators and sightings)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def uuid5(namespace: uuid.UUID, name: str) -> str:
    """``str(uuid.uuid5(namespace, name))`` without building a `uuid.UUID` (a third of the
    export's time went there): SHA-1 of the namespace and the name, version 5, RFC 4122
    variant. tests/share/test_stix.py checks it against `uuid.uuid5`."""
    data = namespace.bytes + name.encode("utf-8")
    digest = bytearray(hashlib.sha1(data, usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _id(kind: str, *key: str) -> str:
    return f"{kind}--{uuid5(TOCSIN_NAMESPACE, '|'.join((kind, *key)))}"


def jcs(contributing: dict[str, str]) -> str:
    """RFC 8785 (JCS) form of a flat object of strings with ASCII keys, as
    ``stix2.canonicalization.Canonicalize.canonicalize(contributing, utf8=False)`` writes it
    (keys sorted, no spaces, only quote, backslash and control characters escaped, the short
    escapes where JSON has them): what orjson writes with sorted keys. Twenty times faster than
    the general canonicaliser; tests/share/test_stix.py checks the two agree."""
    return orjson.dumps(contributing, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def _sco_id(kind: str, contributing: dict[str, str]) -> str:
    return f"{kind}--{uuid5(SCO_DET_ID_NAMESPACE, jcs(contributing))}"


def account_type(sel_type: SelectorType) -> str | None:
    return ACCOUNT_TYPES.get(sel_type)


def sco(sel: SharedSelector, marking: str | None = None) -> dict[str, Any]:
    """The cyber-observable object of a selector (deterministic id as the spec defines it)."""
    obj: dict[str, Any]
    if sel.type is T.DOMAIN:
        obj = {"type": "domain-name", "value": sel.value}
    elif sel.type is T.URL:
        obj = {"type": "url", "value": sel.value}
    elif sel.type is T.EMAIL:
        obj = {"type": "email-addr", "value": sel.value}
    else:
        obj = {
            "type": "user-account",
            "account_type": ACCOUNT_TYPES[sel.type],
            "user_id": sel.value,
        }
    contributing = {k: v for k, v in obj.items() if k != "type"}
    obj = {"type": obj["type"], "spec_version": "2.1", "id": _sco_id(obj["type"], contributing)}
    obj.update(contributing)
    extension = _selector_extension(sel)
    if extension is not None:
        ext_key, props = extension
        obj["extensions"] = {
            EXTENSIONS[ext_key].id: {"extension_type": "property-extension", **props}
        }
    if marking is not None:
        obj["object_marking_refs"] = [TLP2_IDS[marking]]
    return obj


def _selector_extension(sel: SharedSelector) -> tuple[str, dict[str, Any]] | None:
    if sel.type is T.PHONE:
        props: dict[str, Any] = {"e164": sel.value}
        if sel.country:
            props["country"] = sel.country
        return "phone", props
    if sel.type is T.CRYPTO:
        props = {"address": sel.value}
        if sel.chain:
            props["chain"] = sel.chain
        if sel.token:
            props["token"] = sel.token
            props["network"] = "trc20" if sel.chain == "tron" else "erc20"
        return "wallet", props
    if sel.type in (T.IBAN, T.BANK_ACCOUNT):
        props = {"iban" if sel.type is T.IBAN else "account_number": sel.value}
        if sel.country:
            props["country"] = sel.country
        return "bank", props
    return None


def _quote(value: str) -> str:
    """A STIX pattern string literal: backslash and quote escaped (STIX 2.1 §9.1)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def indicator_pattern(sel: SharedSelector) -> str:
    """The STIX pattern that matches exactly this selector's observable."""
    if sel.type is T.DOMAIN:
        return f"[domain-name:value = {_quote(sel.value)}]"
    if sel.type is T.URL:
        return f"[url:value = {_quote(sel.value)}]"
    if sel.type is T.EMAIL:
        return f"[email-addr:value = {_quote(sel.value)}]"
    return (
        f"[user-account:account_type = {_quote(ACCOUNT_TYPES[sel.type])} "
        f"AND user-account:user_id = {_quote(sel.value)}]"
    )


def _common(
    kind: str, oid: str, created: datetime, modified: datetime, producer: str, marking: str
) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": oid,
        "created_by_ref": producer,
        "created": _ts(created),
        "modified": _ts(modified),
        "object_marking_refs": [TLP2_IDS[marking]],
    }


def _name(doc: SharedDocument) -> str:
    if doc.title:
        return doc.title
    line = " ".join(doc.text.split())
    return line if len(line) <= 80 else line[:79].rstrip() + "…"


def _document_extension(doc: SharedDocument) -> dict[str, Any]:
    props: dict[str, Any] = {
        "extension_type": "property-extension",
        "document_id": doc.id,
        "kind": doc.kind,
    }
    if doc.language:
        props["language"] = doc.language
    if doc.title:
        props["title"] = doc.title
    if doc.source_url:
        props["source_url"] = doc.source_url
    if doc.risk is not None:
        props["risk"] = doc.risk
    if doc.level:
        props["level"] = doc.level
    if doc.categories:
        props["categories"] = list(doc.categories)
    if doc.indicators:
        props["indicators"] = list(doc.indicators)
    return {EXTENSIONS["document"].id: props}


def _objects(package: Package) -> Iterator[dict[str, Any]]:
    """Every object of the bundle, in a fixed order (see the module docs)."""
    producer = _id("identity", "organisation", package.organisation)
    sel_marking = package.selector_marking()
    sel_docs: dict[str, list[SharedDocument]] = {}
    for doc in package.documents:
        for key in doc.selectors:
            sel_docs.setdefault(key, []).append(doc)
    used = package.markings
    first = min((d.first_seen for d in package.documents), default=None)
    yield {
        "type": "identity",
        "spec_version": "2.1",
        "id": producer,
        "created": _ts(first) if first else DEFINITIONS_CREATED,
        "modified": _ts(first) if first else DEFINITIONS_CREATED,
        "name": package.organisation,
        "identity_class": "organization",
    }
    for marking in used:
        yield tlp2_definition(marking)
    types = {package.selectors[k].type for k in sel_marking}
    wanted = ["document"] if package.documents else []
    wanted += ["phone"] if T.PHONE in types else []
    wanted += ["wallet"] if T.CRYPTO in types else []
    wanted += ["bank"] if types & {T.IBAN, T.BANK_ACCOUNT} else []
    wanted += ["network"] if package.clusters else []
    if wanted:
        yield {
            "type": "identity",
            "spec_version": "2.1",
            "id": TOCSIN_IDENTITY,
            "created": DEFINITIONS_CREATED,
            "modified": DEFINITIONS_CREATED,
            "name": "Tocsin",
            "description": "Open-source intelligence against trafficking-fuelled scam centres; "
            "author of the Tocsin STIX extensions.",
            "identity_class": "organization",
        }
        for key in wanted:
            yield EXTENSIONS[key].to_stix()

    sco_ids: dict[str, str] = {}
    indicator_ids: dict[str, str] = {}
    for key, marking in sorted(sel_marking.items()):
        obj = sco(package.selectors[key], marking)
        sco_ids[key] = obj["id"]
        yield obj
    for key in sorted(sel_marking):
        sel = package.selectors[key]
        docs = sel_docs[key]
        seen_first = min(d.first_seen for d in docs)
        seen_last = max(d.last_seen for d in docs)
        serious = any(d.level in ("high", "critical") for d in docs)
        indicator = _common(
            "indicator",
            _id("indicator", key),
            seen_first,
            seen_last,
            producer,
            sel_marking[key],
        )
        indicator.update(
            {
                "name": key,
                "description": (
                    f"{_LABELS[sel.type]} {sel.value} found in {len(docs)} "
                    f"document{'s' if len(docs) != 1 else ''} screened by Tocsin."
                ),
                "indicator_types": ["malicious-activity" if serious else "anomalous-activity"],
                "pattern": indicator_pattern(sel),
                "pattern_type": "stix",
                "pattern_version": "2.1",
                "valid_from": _ts(seen_first),
            }
        )
        indicator_ids[key] = indicator["id"]
        yield indicator
    observed_ids: dict[str, str] = {}
    clusters_of: dict[str, list[str]] = {}
    for cluster in package.clusters:
        for doc_id in cluster.documents:
            clusters_of.setdefault(doc_id, []).append(_id("intrusion-set", cluster.id))
    for doc in package.documents:
        if doc.selectors:
            observed = _common(
                "observed-data",
                _id("observed-data", doc.id),
                doc.first_seen,
                doc.last_seen,
                producer,
                doc.marking,
            )
            observed.update(
                {
                    "first_observed": _ts(doc.first_seen),
                    "last_observed": _ts(doc.last_seen),
                    "number_observed": 1,
                    "object_refs": [sco_ids[k] for k in doc.selectors],
                }
            )
            observed_ids[doc.id] = observed["id"]
            yield observed
        report = _common(
            "report", _id("report", doc.id), doc.first_seen, doc.last_seen, producer, doc.marking
        )
        refs = [observed_ids[doc.id]] if doc.id in observed_ids else []
        refs += [sco_ids[k] for k in doc.selectors] + [indicator_ids[k] for k in doc.selectors]
        refs += clusters_of.get(doc.id, [])
        report.update(
            {
                "name": _name(doc),
                "description": doc.text,
                "report_types": ["threat-report"],
                "published": _ts(doc.first_seen),
                "object_refs": refs or [producer],
            }
        )
        if doc.language in LANG_CODES:  # else only in the extension (see LANG_CODES)
            report["lang"] = doc.language
        if doc.source_url:
            report["external_references"] = [{"source_name": "source", "url": doc.source_url}]
        report["extensions"] = _document_extension(doc)
        yield report
    for key in sorted(sel_marking):
        docs = sel_docs[key]
        sighting = _common(
            "sighting",
            _id("sighting", key),
            min(d.first_seen for d in docs),
            max(d.last_seen for d in docs),
            producer,
            most_restrictive(d.marking for d in docs),
        )
        sighting.update(
            {
                "first_seen": _ts(min(d.first_seen for d in docs)),
                "last_seen": _ts(max(d.last_seen for d in docs)),
                "count": len(docs),
                "sighting_of_ref": indicator_ids[key],
                "observed_data_refs": sorted(observed_ids[d.id] for d in docs),
                "where_sighted_refs": [producer],
            }
        )
        yield sighting
    yield from _networks(package, producer, sco_ids, indicator_ids)
    for compound in package.compounds:
        location = _location(compound, producer)
        if location is not None:
            yield location


def _networks(
    package: Package, producer: str, sco_ids: dict[str, str], indicator_ids: dict[str, str]
) -> Iterator[dict[str, Any]]:
    for cluster in package.clusters:
        intrusion_set = _common(
            "intrusion-set",
            _id("intrusion-set", cluster.id),
            cluster.first_seen,
            cluster.last_seen,
            producer,
            cluster.marking,
        )
        intrusion_set.update(
            {
                "name": f"Tocsin network {cluster.id}",
                "description": (
                    f"{len(cluster.documents)} documents joined by {len(cluster.selectors)} "
                    "shared selectors (phones, messaging accounts, wallets, sites), found by "
                    "Tocsin's link analysis of the documents in this bundle."
                ),
                "first_seen": _ts(cluster.first_seen),
                "last_seen": _ts(cluster.last_seen),
                "extensions": {
                    EXTENSIONS["network"].id: {
                        "extension_type": "property-extension",
                        "cluster_id": cluster.id,
                        "documents": len(cluster.documents),
                        "selectors": len(cluster.selectors),
                    }
                },
            }
        )
        yield intrusion_set
        for key in cluster.selectors:
            if key not in indicator_ids:
                continue
            relation = _common(
                "relationship",
                _id("relationship", "indicates", key, cluster.id),
                cluster.first_seen,
                cluster.last_seen,
                producer,
                cluster.marking,
            )
            relation.update(
                {
                    "relationship_type": "indicates",
                    "source_ref": indicator_ids[key],
                    "target_ref": intrusion_set["id"],
                }
            )
            yield relation
        sites = [
            k
            for k in cluster.selectors
            if k in sco_ids and package.selectors[k].type in (T.DOMAIN, T.URL)
        ]
        if not sites:
            continue
        infrastructure = _common(
            "infrastructure",
            _id("infrastructure", cluster.id),
            cluster.first_seen,
            cluster.last_seen,
            producer,
            cluster.marking,
        )
        infrastructure.update(
            {
                "name": f"Web sites of Tocsin network {cluster.id}",
                "infrastructure_types": ["phishing"],
                "first_seen": _ts(cluster.first_seen),
                "last_seen": _ts(cluster.last_seen),
            }
        )
        yield infrastructure
        uses = _common(
            "relationship",
            _id("relationship", "uses", cluster.id),
            cluster.first_seen,
            cluster.last_seen,
            producer,
            cluster.marking,
        )
        uses.update(
            {
                "relationship_type": "uses",
                "source_ref": intrusion_set["id"],
                "target_ref": infrastructure["id"],
            }
        )
        yield uses
        for key in sites:
            part = _common(
                "relationship",
                _id("relationship", "consists-of", cluster.id, key),
                cluster.first_seen,
                cluster.last_seen,
                producer,
                cluster.marking,
            )
            part.update(
                {
                    "relationship_type": "consists-of",
                    "source_ref": infrastructure["id"],
                    "target_ref": sco_ids[key],
                }
            )
            yield part


def _location(compound: SharedCompound, producer: str) -> dict[str, Any] | None:
    """A compound as a ``location`` (STIX needs a country, a region or coordinates: a compound
    without a country is left out of STIX exports and counted)."""
    if not compound.country:
        return None
    location = _common(
        "location",
        _id("location", compound.id),
        compound.first_seen,
        compound.last_seen,
        producer,
        compound.marking,
    )
    description = f"Scam compound (Tocsin compound {compound.id})."
    if compound.description:
        description += "\n\n" + compound.description
    location.update(
        {"name": compound.name, "description": description, "country": compound.country.upper()}
    )
    if compound.address:
        location["street_address"] = compound.address
    if compound.latitude is not None and compound.longitude is not None:
        location["latitude"] = compound.latitude
        location["longitude"] = compound.longitude
        location["precision"] = 100.0 if compound.precision == "site" else 5000.0
    return location


def _dumps(obj: dict[str, Any]) -> bytes:
    """Compact JSON, sorted keys, UTF-8. orjson writes the same bytes as ``json.dumps`` for
    strings, integers and lists, five times faster; objects with floats (locations) go
    through ``json`` (the two may write an exponent differently)."""
    if obj["type"] == "location":
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def write_bundle(package: Package, out: IO[bytes]) -> dict[str, int]:
    """Write the package as a STIX 2.1 bundle, one object per line; returns counts by type.

    The bundle id is a UUIDv5 of the content, written after the objects (JSON members are
    unordered), so the bundle streams in one pass and the same content gives the same id.
    """
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    out.write(b'{"type":"bundle","objects":[')
    separator = b"\n"
    for obj in _objects(package):
        data = _dumps(obj)
        digest.update(data)
        out.write(separator + data)
        separator = b",\n"
        counts[obj["type"]] = counts.get(obj["type"], 0) + 1
    bundle_id = f"bundle--{uuid.uuid5(TOCSIN_NAMESPACE, digest.hexdigest())}"
    out.write(b'\n],"id":"' + bundle_id.encode() + b'"}\n')
    return counts
