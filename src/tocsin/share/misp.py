"""MISP: a `Package` as one MISP event (``pymisp``), and MISP events read into the store.

Export — one event (``{"Event": …}``, what MISP's "Add event from JSON" and ``/events/add``
take): the TLP of its most restrictive content as a ``tlp:`` tag and a distribution level
(CLEAR → all communities, GREEN → this community, AMBER → the recipient's organisation only);
objects built by ``pymisp`` from the templates it ships:

- a document → ``report`` (``summary`` = the text, ``title``, ``type``; the tag
  ``tocsin:document-kind`` keeps Tocsin's kind) with ``mentions`` references to its selectors;
- phone → ``phone-number``; Telegram → ``telegram-account``; WhatsApp, Line, WeChat, QQ,
  Signal, Skype, Zalo → ``user-account`` (``account-type`` = the app); crypto address →
  ``coin-address`` (``btc`` attribute for Bitcoin, ``address-crypto`` otherwise, ``symbol``);
  IBAN / account number → ``bank-account``; URL → ``url``; domain → ``domain-ip``; e-mail
  address → an ``email`` attribute (MISP's e-mail objects describe messages, not addresses);
- a scam compound → ``geolocation``; a network → the tag ``tocsin:network="c-…"`` on the
  attributes of its selectors (correlation-friendly: values are the canonical forms).

Every uuid is a UUIDv5 of the content, so the same export twice is the same event. Objects are
serialised one by one (a million selectors never sit in memory as ``pymisp`` objects).

Import — events as MISP writes them (``{"Event": …}``, ``{"response": [{"Event": …}]}`` or a
list of those), each attribute checked with ``pymisp`` first (a bad one is reported and left
out, the rest of the event kept): ``report``, ``instant-message``, ``chat-message`` and
``short-message-service`` objects become documents linked to the selectors they reference or
carry; the selector objects and attributes above (plus ``phone``, ``person``-free attribute
types such as ``whois-registrant-phone``) become selectors; selectors no document references
are kept in one document per event (its ``info``, text attributes and the list). ``person``
objects are personal data and are not imported.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, Final

import orjson
from pymisp import MISPAttribute, MISPEvent, MISPObject, MISPOrganisation
from pymisp.exceptions import PyMISPError

from tocsin.errors import InputError
from tocsin.model import Document, SelectorType
from tocsin.share.canonical import canonical_selector
from tocsin.share.ingest import ImportWriter
from tocsin.share.markings import MISP_DISTRIBUTION, marking_from_misp_tags, misp_tag
from tocsin.share.model import (
    Package,
    SharedCompound,
    SharedDocument,
    SharedSelector,
    most_restrictive,
    utc,
)
from tocsin.share.stix import TOCSIN_NAMESPACE, uuid5

__all__ = ["import_events", "write_event"]

T = SelectorType
BATCH: Final = 500
_REPORT_TYPE: Final = {
    "job_ad": "Online",
    "message": "Instant",
    "conversation": "Instant",
    "web_page": "Webpage",
    "report": "Report",
    "unknown": "Document",
}
_APPS: Final = (T.WHATSAPP, T.LINE, T.WECHAT, T.QQ, T.SIGNAL, T.SKYPE, T.ZALO)
_SYMBOL: Final = {"btc": "BTC", "eth": "ETH", "tron": "TRX"}
_KIND_TAG: Final = "tocsin:document-kind"
_NETWORK_TAG: Final = "tocsin:network"


def _uid(*parts: str) -> str:
    return uuid5(TOCSIN_NAMESPACE, "|".join(("misp", *parts)))


def _add(obj: MISPObject, relation: str, value: str, uid: str) -> MISPAttribute:
    attribute = obj.add_attribute(relation, value=value, uuid=uid)
    if attribute is None:  # pymisp returns None for an empty value; ours never are
        raise ValueError(f"{obj.name}: no value for {relation}")
    return attribute


def _first(values: dict[str, list[str]], relation: str) -> str | None:
    found = values.get(relation)
    return found[0] if found else None


# -- export --------------------------------------------------------------------------------


def _selector_parts(sel: SharedSelector) -> tuple[str, list[tuple[str, str]]]:
    """The MISP object name of a selector and its (relation, value) attributes."""
    if sel.type is T.PHONE:
        return "phone-number", [("phone-number", sel.value)]
    if sel.type is T.TELEGRAM:
        return "telegram-account", [("username", sel.value)]
    if sel.type in _APPS:
        return "user-account", [("username", sel.value), ("account-type", sel.type.value)]
    if sel.type is T.CRYPTO:
        relation = "address" if sel.chain == "btc" else "address-crypto"
        attributes = [(relation, sel.value)]
        symbol = (sel.token or "").upper() or _SYMBOL.get(sel.chain or "")
        if symbol:
            attributes.append(("symbol", symbol))
        return "coin-address", attributes
    if sel.type is T.IBAN:
        return "bank-account", [("iban", sel.value)]
    if sel.type is T.BANK_ACCOUNT:
        return "bank-account", [("account", sel.value)]
    if sel.type is T.URL:
        return "url", [("url", sel.value)]
    return "domain-ip", [("domain", sel.value)]


def _selector_tags(marking: str, networks: list[str]) -> list[str]:
    return [misp_tag(marking)] + [f'{_NETWORK_TAG}="{n}"' for n in networks]


def _email_attribute(uid: str, value: str, comment: str) -> MISPAttribute:
    attribute = MISPAttribute()
    attribute.from_dict(
        uuid=uid, type="email", value=value, category="Social network", to_ids=False,
        comment=comment,
    )  # fmt: skip
    return attribute


def _selector_object(
    sel: SharedSelector, marking: str, networks: list[str]
) -> MISPObject | MISPAttribute:
    """The selector built by ``pymisp`` (`_Shapes.selector` writes the same bytes faster)."""
    tags = _selector_tags(marking, networks)
    if sel.type is T.EMAIL:
        attribute = _email_attribute(
            _uid("attribute", sel.key), sel.value, f"Tocsin selector {sel.key}"
        )
        for tag in tags:
            attribute.add_tag(tag)
        return attribute
    name, attributes = _selector_parts(sel)
    obj = MISPObject(name, standalone=False)
    obj.uuid = _uid("object", sel.key)
    obj.comment = f"Tocsin selector {sel.key}"
    for relation, value in attributes:
        attribute = _add(obj, relation, value, _uid("attribute", sel.key, relation))
        for tag in tags:
            attribute.add_tag(tag)
    return obj


def _report_parts(doc: SharedDocument) -> list[tuple[str, str]]:
    values = [("summary", doc.text), ("type", _REPORT_TYPE.get(doc.kind, "Document"))]
    if doc.title:
        values.append(("title", doc.title))
    if doc.source_url:
        values.append(("link", doc.source_url))
    return values


def _report_tags(doc: SharedDocument, relation: str) -> list[str]:
    tags = [misp_tag(doc.marking)]
    if relation == "summary":
        tags.append(f'{_KIND_TAG}="{doc.kind}"')
    return tags


def _report_object(doc: SharedDocument, refs: list[str]) -> MISPObject:
    """The document built by ``pymisp`` (`_Shapes.report` writes the same bytes faster)."""
    obj = MISPObject("report", standalone=False)
    obj.uuid = _uid("report", doc.id)
    obj.comment = f"Tocsin document {doc.id}"
    obj.first_seen = doc.first_seen
    obj.last_seen = doc.last_seen
    for relation, value in _report_parts(doc):
        attribute = _add(obj, relation, value, _uid("attribute", doc.id, relation))
        for tag in _report_tags(doc, relation):
            attribute.add_tag(tag)
    for ref in refs:
        reference = obj.add_reference(ref, "mentions")
        reference.uuid = _uid("reference", doc.id, ref)
    return obj


_PLACEHOLDER: Final = "00000000-0000-5000-8000-000000000000"


class _Shapes:
    """The JSON of MISP objects without building a ``pymisp`` object for each one.

    ``pymisp`` builds and checks an object against its template in ~0.5 ms, most of an export's
    time at a million selectors. What the template decides (type, category, to_ids,
    disable_correlation, template uuid and version, description, meta-category, distribution)
    depends only on the object name and the attribute relations, so ``pymisp`` builds one
    object of each shape, once, with placeholder values; each selector or document then gets a
    copy with its own uuids, values, tags, times and references, serialised the way ``pymisp``
    serialises (orjson, sorted keys). tests/share/test_misp.py checks that every shape we emit
    gives the same bytes as the object ``pymisp`` builds.
    """

    def __init__(self) -> None:
        self._objects: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
        self._email: dict[str, Any] | None = None

    def _proto(self, name: str, relations: tuple[str, ...]) -> dict[str, Any]:
        proto = self._objects.get((name, relations))
        if proto is None:
            obj = MISPObject(name, standalone=False)
            obj.uuid = _PLACEHOLDER
            obj.comment = ""
            for relation in relations:
                _add(obj, relation, "x", _PLACEHOLDER)
            proto = json.loads(obj.to_json())
            for attribute in proto["Attribute"]:
                attribute.pop("Tag", None)
            self._objects[(name, relations)] = proto
        return proto

    def _object(
        self,
        name: str,
        uid: str,
        comment: str,
        attributes: list[tuple[str, str, str, list[str]]],
    ) -> dict[str, Any]:
        """(relation, value, uuid, tags) for each attribute, in order."""
        proto = self._proto(name, tuple(a[0] for a in attributes))
        data = dict(proto)
        data["uuid"] = uid
        data["comment"] = comment
        rows = []
        for shape, (_relation, value, attribute_uid, tags) in zip(
            proto["Attribute"], attributes, strict=True
        ):
            row = dict(shape)
            row["value"] = value
            row["uuid"] = attribute_uid
            row["Tag"] = [{"name": t} for t in tags]
            rows.append(row)
        data["Attribute"] = rows
        return data

    def selector(self, sel: SharedSelector, marking: str, networks: list[str]) -> bytes:
        tags = _selector_tags(marking, networks)
        comment = f"Tocsin selector {sel.key}"
        if sel.type is T.EMAIL:
            if self._email is None:
                self._email = json.loads(_email_attribute(_PLACEHOLDER, "x", "").to_json())
            data = dict(self._email)
            data["uuid"] = _uid("attribute", sel.key)
            data["value"] = sel.value
            data["comment"] = comment
            data["Tag"] = [{"name": t} for t in tags]
            return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
        name, attributes = _selector_parts(sel)
        rows = [(r, v, _uid("attribute", sel.key, r), tags) for r, v in attributes]
        data = self._object(name, _uid("object", sel.key), comment, rows)
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)

    def report(self, doc: SharedDocument, refs: list[str]) -> bytes:
        uid = _uid("report", doc.id)
        rows = [
            (r, v, _uid("attribute", doc.id, r), _report_tags(doc, r))
            for r, v in _report_parts(doc)
        ]
        data = self._object("report", uid, f"Tocsin document {doc.id}", rows)
        data["first_seen"] = doc.first_seen.isoformat()  # as pymisp writes an aware datetime
        data["last_seen"] = doc.last_seen.isoformat()
        if refs:
            data["ObjectReference"] = [
                {"object_uuid": uid, "referenced_uuid": ref, "relationship_type": "mentions",
                 "uuid": _uid("reference", doc.id, ref)}
                for ref in refs
            ]  # fmt: skip
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def _compound_object(compound: SharedCompound) -> MISPObject | None:
    if not compound.country:
        return None
    obj = MISPObject("geolocation", standalone=False)
    obj.uuid = _uid("compound", compound.id)
    obj.comment = f"Scam compound (Tocsin compound {compound.id})"
    obj.first_seen = compound.first_seen
    obj.last_seen = compound.last_seen
    values = [("text", compound.name), ("countrycode", compound.country.upper())]
    if compound.address:
        values.append(("address", compound.address))
    if compound.latitude is not None and compound.longitude is not None:
        values += [("latitude", str(compound.latitude)), ("longitude", str(compound.longitude))]
    for relation, value in values:
        attribute = _add(obj, relation, value, _uid("attribute", compound.id, relation))
        attribute.add_tag(misp_tag(compound.marking))
    return obj


def _event_header(package: Package) -> dict[str, Any]:
    digest = hashlib.sha256(package.organisation.encode("utf-8"))
    for doc in package.documents:
        digest.update(f"{doc.id}|{doc.marking}|{doc.last_seen.isoformat()}".encode())
    marking = most_restrictive(package.markings) if package.markings else "clear"
    levels = {d.level for d in package.documents}
    first = min((d.first_seen for d in package.documents), default=datetime(1970, 1, 1, tzinfo=UTC))
    last = max((d.last_seen for d in package.documents), default=first)
    event = MISPEvent()
    event.uuid = _uid("event", digest.hexdigest())
    event.info = (
        f"Tocsin export from {package.organisation}: {len(package.documents)} documents, "
        f"{len(package.selectors)} selectors"
    )
    event.set_date(first.date())
    event.distribution = MISP_DISTRIBUTION.get(marking, 0)
    event.threat_level_id = 1 if levels & {"high", "critical"} else 2 if "medium" in levels else 3
    event.analysis = 1
    event.add_tag(misp_tag(marking))
    org = MISPOrganisation()
    org.name = package.organisation
    org.uuid = _uid("organisation", package.organisation)
    event.Orgc = org
    header: dict[str, Any] = json.loads(event.to_json())
    header["timestamp"] = str(int(last.timestamp()))
    header["publish_timestamp"] = "0"
    header["published"] = False
    return header


def _objects(package: Package) -> Iterator[tuple[str, bytes]]:
    """(object name, or "email attribute"; its JSON) of each selector, document and compound."""
    shapes = _Shapes()
    sel_marking = package.selector_marking()
    networks: dict[str, list[str]] = {}
    for cluster in package.clusters:
        for key in cluster.selectors:
            networks.setdefault(key, []).append(cluster.id)
    refs: dict[str, str] = {}
    for key in sorted(sel_marking):
        sel = package.selectors[key]
        email = sel.type is T.EMAIL
        refs[key] = _uid("attribute", key) if email else _uid("object", key)
        name = "email attribute" if email else _selector_parts(sel)[0]
        yield name, shapes.selector(sel, sel_marking[key], networks.get(key, []))
    for doc in package.documents:
        yield "report", shapes.report(doc, [refs[k] for k in doc.selectors])
    for compound in package.compounds:
        found = _compound_object(compound)
        if found is not None:
            yield found.name, found.to_json(sort_keys=True).encode("utf-8")


def write_event(package: Package, out: IO[bytes]) -> dict[str, int]:
    """Write the package as one MISP event; returns counts of objects by name."""
    header = _event_header(package)
    counts: dict[str, int] = {}
    attributes: list[bytes] = []
    head = json.dumps(header, ensure_ascii=False, sort_keys=True)[:-1]
    out.write(b'{"Event": ' + head.encode("utf-8"))
    out.write(b', "Object": [')
    first = True
    for name, data in _objects(package):
        counts[name] = counts.get(name, 0) + 1
        if name == "email attribute":
            attributes.append(data)
            continue
        out.write((b"\n" if first else b",\n") + data)
        first = False
    out.write(b'\n], "Attribute": [')
    out.write(b",\n".join(attributes))
    out.write(b"]}}\n")
    return counts


# -- import --------------------------------------------------------------------------------

_ATTRIBUTE_TYPES: Final = {
    "phone-number": T.PHONE,
    "whois-registrant-phone": T.PHONE,
    "email": T.EMAIL,
    "email-src": T.EMAIL,
    "email-dst": T.EMAIL,
    "whois-registrant-email": T.EMAIL,
    "url": T.URL,
    "link": T.URL,
    "uri": T.URL,
    "domain": T.DOMAIN,
    "hostname": T.DOMAIN,
    "btc": T.CRYPTO,
    "iban": T.IBAN,
    "bank-account-nr": T.BANK_ACCOUNT,
}
_MESSAGE_OBJECTS: Final = {
    "instant-message": ("body", "message"),
    "chat-message": ("content", "message"),
    "short-message-service": ("body", "message"),
}
_TEXT_TYPES: Final = ("text", "comment")


@dataclass
class _EventState:
    where: str
    marking: str | None
    first: datetime
    last: datetime
    declared: dict[str, SharedSelector] = field(default_factory=dict)
    by_uuid: dict[str, list[str]] = field(default_factory=dict)  # object/attribute → keys
    documents: list[tuple[dict[str, Any], str, list[str], str | None]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    compounds: list[tuple[SharedCompound, str]] = field(default_factory=list)


def _events(data: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(data, list):
        for i, item in enumerate(data):
            yield from ((f"event {i}" if w == "event" else w, e) for w, e in _events(item))
        return
    if isinstance(data, dict) and isinstance(data.get("response"), list):
        yield from _events(data["response"])
        return
    if isinstance(data, dict) and "Event" in data:
        yield "event", data["Event"]
        return
    if isinstance(data, dict) and ("info" in data or "Attribute" in data or "Object" in data):
        yield "event", data
        return
    yield "event", None


def _tags(item: dict[str, Any]) -> list[str]:
    out = []
    for tag in item.get("Tag") or ():
        if isinstance(tag, dict) and isinstance(tag.get("name"), str):
            out.append(tag["name"])
    for tag in item.get("EventTag") or ():
        if isinstance(tag, dict) and isinstance(tag.get("Tag"), dict):
            out.append(str(tag["Tag"].get("name", "")))
    return out


def _time(value: Any) -> datetime | None:
    if isinstance(value, str) and value.isdigit():
        return utc(datetime.fromtimestamp(int(value), UTC))
    if isinstance(value, int | float):
        return utc(datetime.fromtimestamp(value, UTC))
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return utc(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
    return None


def _check_attribute(attr: Any) -> dict[str, Any]:
    """The attribute as pymisp reads it (raises on an unknown type or a broken value)."""
    if not isinstance(attr, dict):
        raise ValueError("not an attribute object")
    checked = MISPAttribute()
    checked.from_dict(**{k: v for k, v in attr.items() if k not in ("Event", "Object")})
    if not isinstance(attr.get("value"), str) or not attr["value"].strip():
        raise ValueError("no value")
    return attr


def _selector(
    sel_type: SelectorType, value: str, token: str | None = None
) -> SharedSelector | None:
    found = canonical_selector(sel_type, value, token=token)
    return SharedSelector.of(found) if found is not None else None


def _object_selectors(obj: dict[str, Any], attrs: list[dict[str, Any]]) -> list[SharedSelector]:
    name = obj.get("name")
    values: dict[str, list[str]] = {}
    for attr in attrs:
        values.setdefault(str(attr.get("object_relation")), []).append(attr["value"])
    found: list[SharedSelector | None] = []
    if name in ("phone-number", "phone"):
        for relation in ("phone-number", "msisdn"):
            found += [_selector(T.PHONE, v) for v in values.get(relation, [])]
    elif name == "telegram-account":
        found += [_selector(T.TELEGRAM, v) for v in values.get("username", [])]
        found += [_selector(T.PHONE, v) for v in values.get("phone", [])]
    elif name == "user-account":
        account = (values.get("account-type") or [""])[0].lower()
        app = next(
            (t for t in _APPS if t.value == account), T.TELEGRAM if account == "telegram" else None
        )
        if app is not None:
            found += [
                _selector(app, v) for v in values.get("username", []) + values.get("user-id", [])
            ]
        found += [_selector(T.EMAIL, v) for v in values.get("email", [])]
    elif name == "coin-address":
        symbol = (values.get("symbol") or [""])[0].lower() or None
        for relation in ("address", "address-crypto"):
            found += [
                _selector(T.CRYPTO, v, symbol if symbol == "usdt" else None)
                for v in values.get(relation, [])
            ]
    elif name == "bank-account":
        found += [_selector(T.IBAN, v) for v in values.get("iban", [])]
        found += [_selector(T.BANK_ACCOUNT, v) for v in values.get("account", [])]
    elif name == "url":
        found += [_selector(T.URL, v) for v in values.get("url", [])]
    elif name == "domain-ip":
        found += [
            _selector(T.DOMAIN, v) for v in values.get("domain", []) + values.get("hostname", [])
        ]
    elif name in _MESSAGE_OBJECTS:
        for relation in ("from-number", "to-number"):
            found += [_selector(T.PHONE, v) for v in values.get(relation, [])]
    elif name == "email":
        for relation in ("from", "to", "reply-to"):
            found += [_selector(T.EMAIL, v) for v in values.get(relation, [])]
    return [s for s in found if s is not None]


def import_events(stream: IO[bytes], writer: ImportWriter, *, max_bytes: int) -> None:
    """Read MISP events into ``writer``'s dataset (see the module docs)."""
    report = writer.report
    data_bytes = stream.read(max_bytes + 1)
    if len(data_bytes) > max_bytes:
        raise InputError(
            f"a MISP file larger than {max_bytes:,} bytes is not read (it is one JSON "
            "object, read whole)",
            source=report.source,
            hint="raise TOCSIN_IMPORT_MAX_BYTES, or split the events",
        )
    try:
        data = json.loads(data_bytes.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a MISP JSON file: {exc}", source=report.source) from None
    for where, event in _events(data):
        if not isinstance(event, dict):
            report.problem("not a MISP event", where=where)
            continue
        _import_event(event, where, writer)


def _import_event(event: dict[str, Any], where: str, writer: ImportWriter) -> None:
    report = writer.report
    uid = str(event.get("uuid", ""))
    where = f"{where} ({uid})" if uid else where
    try:
        header = MISPEvent()
        header.from_dict(**{k: v for k, v in event.items() if k not in ("Attribute", "Object")})
    except (PyMISPError, ValueError, TypeError, KeyError) as exc:
        report.problem(f"invalid MISP event: {exc}; skipped", where=where)
        return
    now = utc(datetime.now(UTC))
    first = _time(event.get("date")) or now
    last = _time(event.get("timestamp")) or first
    state = _EventState(
        where=where,
        marking=marking_from_misp_tags(_tags(event)),
        first=first,
        last=max(first, last),
    )
    if event.get("info"):
        state.texts.append(str(event["info"]))
    for i, attr in enumerate(event.get("Attribute") or ()):
        _event_attribute(attr, f"{where} Attribute[{i}]", state, report)
    for i, obj in enumerate(event.get("Object") or ()):
        _event_object(obj, f"{where} Object[{i}]", state, writer)
    _write_event(state, writer, uid or "event")


def _event_attribute(attr: Any, where: str, state: _EventState, report: Any) -> None:
    try:
        attr = _check_attribute(attr)
    except (PyMISPError, ValueError, TypeError) as exc:
        report.problem(f"invalid attribute: {exc}; skipped", where=where)
        return
    kind = str(attr.get("type"))
    if kind in _ATTRIBUTE_TYPES:
        sel = _selector(_ATTRIBUTE_TYPES[kind], attr["value"])
        if sel is None:
            report.problem(
                f"{attr['value'][:80]!r} is not a {kind} Tocsin recognises; skipped", where=where
            )
            return
        state.declared.setdefault(sel.key, sel)
        state.by_uuid[str(attr.get("uuid"))] = [sel.key]
    elif kind in _TEXT_TYPES:
        state.texts.append(attr["value"])
    else:
        report.skip(f"attribute ({kind})")


def _event_object(obj: Any, where: str, state: _EventState, writer: ImportWriter) -> None:
    report = writer.report
    if not isinstance(obj, dict) or not obj.get("name"):
        report.problem("not a MISP object; skipped", where=where)
        return
    name = str(obj["name"])
    if name == "person":
        report.skip("person (personal data: not imported)")
        return
    attrs = []
    for i, attr in enumerate(obj.get("Attribute") or ()):
        try:
            attrs.append(_check_attribute(attr))
        except (PyMISPError, ValueError, TypeError) as exc:
            report.problem(f"invalid attribute: {exc}; skipped", where=f"{where} Attribute[{i}]")
    markings = [m for a in attrs if (m := marking_from_misp_tags(_tags(a))) is not None]
    marking = most_restrictive(markings) if markings else state.marking
    sels = _object_selectors(obj, attrs)
    for sel in sels:
        state.declared.setdefault(sel.key, sel)
    state.by_uuid[str(obj.get("uuid"))] = [s.key for s in sels]
    refs = [
        str(r.get("referenced_uuid"))
        for r in obj.get("ObjectReference") or ()
        if isinstance(r, dict) and r.get("referenced_uuid")
    ]
    if name == "report" or name in _MESSAGE_OBJECTS:
        state.documents.append((obj, where, refs, marking))
        obj["_attrs"] = attrs
    elif name == "geolocation":
        _geolocation(obj, attrs, where, state, marking, report)
    elif not sels:
        report.skip(f"object ({name})")


def _geolocation(
    obj: dict[str, Any], attrs: list[dict[str, Any]], where: str, state: _EventState,
    marking: str | None, report: Any,
) -> None:  # fmt: skip
    comment = str(obj.get("comment", ""))
    prefix = "Scam compound (Tocsin compound "
    values = {str(a.get("object_relation")): a["value"] for a in attrs}
    if not comment.startswith(prefix) or not values.get("text"):
        report.skip("object (geolocation: not a scam compound)")
        return
    first = _time(obj.get("first_seen")) or state.first
    state.compounds.append(
        (
            SharedCompound(
                id=comment[len(prefix) :].rstrip(")"),
                name=values["text"],
                marking=marking or "clear",
                first_seen=first,
                last_seen=_time(obj.get("last_seen")) or first,
                country=(values.get("countrycode") or "").lower() or None,
                address=values.get("address"),
                latitude=_float(values.get("latitude")),
                longitude=_float(values.get("longitude")),
            ),
            where,
        )
    )


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _write_event(state: _EventState, writer: ImportWriter, uid: str) -> None:
    default = writer.marking
    used: set[str] = set()
    batch: list[tuple[SharedDocument, str]] = []
    for obj, where, refs, marking in state.documents:
        values: dict[str, list[str]] = {}
        kind = None
        for attr in obj["_attrs"]:
            relation = str(attr.get("object_relation"))
            values.setdefault(relation, []).append(attr["value"])
            for tag in _tags(attr):
                if tag.startswith(_KIND_TAG + "="):
                    kind = tag.partition("=")[2].strip('"')
        text_relation, doc_kind = _MESSAGE_OBJECTS.get(str(obj["name"]), ("summary", "report"))
        text = "\n\n".join(values.get(text_relation, [])) or "\n\n".join(values.get("title", []))
        if not text.strip():
            writer.report.problem("no text (summary, body or title); skipped", where=where)
            continue
        keys = set(state.by_uuid.get(str(obj.get("uuid")), ()))
        for ref in refs:
            keys.update(state.by_uuid.get(ref, ()))
        used |= keys
        document = Document(text)
        first = _time(obj.get("first_seen")) or state.first
        batch.append(
            (
                SharedDocument(
                    id=document.content_hash,
                    text=document.text,
                    kind=kind or doc_kind,
                    marking=marking or default,
                    first_seen=first,
                    last_seen=max(_time(obj.get("last_seen")) or state.last, first),
                    selectors=tuple(sorted(keys)),
                    title=_first(values, "title") if text_relation != "title" else None,
                    source_url=_first(values, "link"),
                ),
                where,
            )
        )
        if len(batch) >= BATCH:
            writer.write(batch, state.declared)
            batch = []
    loose = sorted(k for k in state.declared if k not in used)
    for start in range(0, len(loose), 1000):
        chunk = loose[start : start + 1000]
        lines = [f"{k.partition(':')[0]}: {k.partition(':')[2]}" for k in chunk]
        text = Document("\n\n".join([*state.texts, "Selectors:\n" + "\n".join(lines)])).text
        batch.append(
            (
                SharedDocument(
                    id=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    text=text,
                    kind="report",
                    marking=state.marking or default,
                    first_seen=state.first,
                    last_seen=state.last,
                    selectors=tuple(chunk),
                    title=(state.texts[0] if state.texts else f"MISP event {uid}")[:300],
                ),
                state.where,
            )
        )
    if batch:
        writer.write(batch, state.declared)
    if state.compounds:
        writer.write_compounds(state.compounds)
