"""Reading a STIX 2.x bundle into the store (the mapping in reverse; docs/sharing.md).

The bundle is streamed object by object (`tocsin.share.jsonstream`), each object checked with
the ``stix2`` library (``stix2.parse``) before anything is taken from it, and reduced to what
Tocsin keeps: selectors from observables (``domain-name``, ``url``, ``email-addr``,
``user-account`` by ``account_type``, OpenCTI-style ``phone-number`` and
``cryptocurrency-wallet``) and from indicator patterns that name one observable; documents from
``report`` objects (the description is the text) and from intrusion sets, threat actors and
campaigns of other producers (their name and description, linked to the selectors that
*indicate* them); scam compounds from Tocsin ``location`` objects. Observables no report names
are kept in one document per bundle ("observables without a report"), so nothing is dropped
silently. Tocsin's own networks (``intrusion-set`` with the ``tocsin-network`` extension) are
not imported: link analysis finds them again from the documents.

Every object that cannot be used is reported by position and id; the others are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, Final

import stix2
from stix2.exceptions import STIXError

from tocsin.errors import InputError
from tocsin.model import Document, SelectorType
from tocsin.share.canonical import canonical_selector
from tocsin.share.ingest import ImportReport, ImportWriter
from tocsin.share.jsonstream import ArrayItem, Oversized, iter_array
from tocsin.share.markings import marking_from_stix, marking_of_ref
from tocsin.share.model import (
    SharedCompound,
    SharedDocument,
    SharedSelector,
    most_restrictive,
    utc,
)
from tocsin.share.stix import ACCOUNT_TYPES, EXTENSIONS

__all__ = ["import_bundle", "parse_pattern"]

T = SelectorType
BATCH: Final = 500
LOOSE_PER_DOCUMENT: Final = 1000
_ACCOUNT_OF: Final = {v: k for k, v in ACCOUNT_TYPES.items() if k is not T.BANK_ACCOUNT}
_ACCOUNT_OF.update({"bank-account": T.IBAN, "mobile": T.PHONE, "phone-number": T.PHONE})
_VALUE_TYPES: Final = {
    "domain-name": T.DOMAIN,
    "url": T.URL,
    "email-addr": T.EMAIL,
    "phone-number": T.PHONE,  # OpenCTI's custom observable
    "cryptocurrency-wallet": T.CRYPTO,  # OpenCTI's custom observable
}
_GROUPS: Final = ("intrusion-set", "threat-actor", "campaign")
_READ: Final = frozenset(
    {"identity", "domain-name", "url", "email-addr", "user-account", *_VALUE_TYPES,
     "observed-data", "report", *_GROUPS, "relationship", "location"}
)  # fmt: skip
"""The object types Tocsin takes something from (others are counted, not read)."""
_OBSERVABLES: Final = frozenset({"domain-name", "url", "email-addr", "user-account", *_VALUE_TYPES})
_ID = re.compile(
    r"[a-z0-9][a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
_COMPARISON = re.compile(
    r"\s*(?P<type>[a-z0-9-]+):(?P<path>[a-z0-9_]+)\s*=\s*'(?P<value>(?:[^'\\]|\\.)*)'\s*"
)
_JOIN = re.compile(r"\s*(AND|OR)\s*")
_DOC_EXT: Final = EXTENSIONS["document"].id
_NETWORK_EXT: Final = EXTENSIONS["network"].id
_PHONE_EXT: Final = EXTENSIONS["phone"].id
_WALLET_EXT: Final = EXTENSIONS["wallet"].id
_BANK_EXT: Final = EXTENSIONS["bank"].id


def parse_pattern(pattern: str) -> list[dict[str, dict[str, str]]] | None:
    """The comparison groups of a plain STIX pattern — ``[a:b = 'v' AND …] OR [ …]`` with
    equality only, no qualifiers — as ``[{object type: {property: value}}]``, one group per
    observable; None for anything more (it cannot name one selector)."""
    groups: list[dict[str, dict[str, str]]] = []
    rest = pattern.strip()
    while rest:
        if not rest.startswith("["):
            return None
        end = _observation_end(rest)
        if end is None:
            return None
        inner, rest = rest[1:end], rest[end + 1 :].strip()
        current: dict[str, dict[str, str]] = {}
        pos = 0
        while pos < len(inner):
            m = _COMPARISON.match(inner, pos)
            if m is None:
                return None
            value = re.sub(r"\\(.)", r"\1", m.group("value"))
            props = current.setdefault(m.group("type"), {})
            if m.group("path") in props:
                return None
            props[m.group("path")] = value
            pos = m.end()
            if pos < len(inner):
                j = _JOIN.match(inner, pos)
                if j is None:
                    return None
                if j.group(1) == "OR":
                    groups.append(current)
                    current = {}
                pos = j.end()
        if current:
            groups.append(current)
        if rest:
            j = _JOIN.match(rest)
            if j is None:
                return None
            rest = rest[j.end() :]
    return groups or None


def _observation_end(text: str) -> int | None:
    """Index of the ``]`` closing the observation that ``text`` starts with."""
    in_string = False
    escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == "'":
                in_string = False
        elif ch == "'":
            in_string = True
        elif ch == "]":
            return i
    return None


def _selector_of(
    obj_type: str, props: dict[str, Any], extensions: dict[str, Any] | None = None
) -> SharedSelector | str | None:
    """The selector an observable names; a string says why not (None: not a selector type)."""
    ext = extensions or {}
    if obj_type in _VALUE_TYPES:
        sel_type = _VALUE_TYPES[obj_type]
        raw = props.get("value")
        token = None
    elif obj_type == "user-account":
        account = str(props.get("account_type", "")).lower()
        if account not in _ACCOUNT_OF:
            return None
        sel_type = _ACCOUNT_OF[account]
        raw = props.get("user_id") or props.get("account_login")
        token = None
        if sel_type is T.CRYPTO and isinstance(ext.get(_WALLET_EXT), dict):
            token = ext[_WALLET_EXT].get("token")
        if sel_type is T.IBAN and isinstance(ext.get(_BANK_EXT), dict):
            if "account_number" in ext[_BANK_EXT]:
                sel_type = T.BANK_ACCOUNT
        elif sel_type is T.IBAN and isinstance(raw, str) and raw.strip()[:2].isdigit():
            sel_type = T.BANK_ACCOUNT
    else:
        return None
    if not isinstance(raw, str) or not raw.strip():
        return f"no value for a {obj_type}"
    country = None
    for key in (_PHONE_EXT, _BANK_EXT):
        if isinstance(ext.get(key), dict) and isinstance(ext[key].get("country"), str):
            country = ext[key]["country"]
    shared = _canonical(sel_type, raw, token if isinstance(token, str) else None)
    if shared is None:
        return f"{raw!r} is not a {sel_type.value} selector Tocsin recognises"
    if country and shared.country is None:
        shared = SharedSelector(
            shared.key, shared.type, shared.value, shared.chain, shared.token, country,
            shared.validated,
        )  # fmt: skip
    return shared


_CACHE: dict[tuple[SelectorType, str, str | None], SharedSelector | None] = {}
"""Canonical selectors of the import running (an observable and its indicator name the same
value), kept as the `SharedSelector` that `_State.declared` holds too (not the larger
`Selector`); emptied by `import_bundle` when it ends."""


def _canonical(sel_type: SelectorType, raw: str, token: str | None) -> SharedSelector | None:
    key = (sel_type, raw, token)
    if key not in _CACHE:
        sel = canonical_selector(sel_type, raw, token=token)
        _CACHE[key] = SharedSelector.of(sel) if sel is not None else None
    return _CACHE[key]


Ref = int | str
"""An object id as `_State.cid` keeps it."""


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return utc(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


@dataclass
class _Container:
    """A report, or another producer's intrusion set / threat actor / campaign."""

    where: str
    text: str
    title: str | None
    kind: str
    language: str | None
    source_url: str | None
    first: datetime
    last: datetime
    markings: list[str]
    refs: tuple[Ref, ...]
    selectors: set[str] = field(default_factory=set)


@dataclass
class _State:
    """What is kept until the end of the bundle, when references are resolved (a report may
    name objects anywhere in the file, before or after it). Grows with the bundle, so kept
    compact: ids as `cid` ints, one string per selector key (the one in ``declared``),
    tuples, and for loose observables the most restrictive marking and whole seconds."""

    markings: dict[str, str] = field(default_factory=dict)
    identities: dict[str, str] = field(default_factory=dict)
    observables: dict[Ref, str] = field(default_factory=dict)  # SCO id → selector key
    observed: dict[Ref, tuple[Ref, ...]] = field(default_factory=dict)  # observed-data → refs
    indicators: dict[Ref, str | tuple[str, ...]] = field(default_factory=dict)  # → key(s)
    containers: dict[Ref, _Container] = field(default_factory=dict)
    indicates: dict[Ref, list[Ref]] = field(default_factory=dict)  # group id → indicator ids
    declared: dict[str, SharedSelector] = field(default_factory=dict)
    loose: dict[str, tuple[str | None, int, int]] = field(default_factory=dict)
    """Selector key → (most restrictive marking or None, first and last seen, epoch seconds)."""
    compounds: list[tuple[SharedCompound, str]] = field(default_factory=list)

    type_codes: dict[str, int] = field(default_factory=dict)  # object types seen in ids

    def cid(self, oid: str) -> Ref:
        """A STIX id as one int (its type's number and its UUID): under half the memory of
        the string, for the ids kept until the end of the bundle to resolve references.
        Anything that is not a well-formed id stays a string (compared as it is, as before)."""
        if len(oid) < 38 or not _ID.fullmatch(oid):
            return oid
        code = self.type_codes.setdefault(oid[:-38], len(self.type_codes))
        return (code << 128) | int(oid[-36:].replace("-", ""), 16)

    def declare(self, sel: SharedSelector) -> str:
        """Note a selector; its key, the one string kept for it."""
        return self.declared.setdefault(sel.key, sel).key


def import_bundle(stream: IO[bytes], writer: ImportWriter, *, max_object_bytes: int) -> None:
    """Read a STIX bundle from ``stream`` into ``writer``'s dataset (see the module docs)."""
    report = writer.report
    header: dict[str, Any] = {}
    state = _State()
    objects = iter_array(
        stream, "objects", source=report.source, max_item_bytes=max_object_bytes, header=header
    )
    try:
        _read_all(objects, state, report, max_object_bytes)
    except InputError as exc:  # broken JSON: what was read before the break is still written
        report.problem(f"{exc.message}; the objects after it are not read")
    finally:
        _CACHE.clear()
    if header.get("type") not in (None, "bundle"):
        report.problem(f"the top-level object is a {header.get('type')!r}, not a bundle")
    _write(state, writer, str(header.get("id", "bundle")))


def _read_all(
    objects: Iterator[ArrayItem | Oversized], state: _State, report: ImportReport, limit: int
) -> None:
    for item in objects:
        if isinstance(item, Oversized):
            report.problem(
                f"larger than the {limit:,} bytes allowed for one object "
                f"({item.size:,} bytes); skipped",
                where=f"object {item.index}",
            )
            continue
        obj = item.value
        oid = obj.get("id") if isinstance(obj, dict) else None
        where = f"object {item.index}" + (f" ({oid})" if isinstance(oid, str) else "")
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
            report.problem("not a STIX object (no type); skipped", where=where)
            continue
        try:
            _read(obj, where, state, report)
        except (STIXError, ValueError, TypeError, KeyError) as exc:
            report.problem(f"invalid {obj['type']}: {_short(exc)}; skipped", where=where)


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 300 else text[:297] + "…"


def _markings(obj: dict[str, Any], state: _State) -> list[str]:
    out = []
    for ref in obj.get("object_marking_refs") or ():
        level = state.markings.get(ref) or marking_of_ref(str(ref))
        if level is not None:
            out.append(level)
    return out


def _read(obj: dict[str, Any], where: str, state: _State, report: ImportReport) -> None:
    kind = obj["type"]
    if kind == "marking-definition":
        level = marking_from_stix(obj)
        if level is not None:
            state.markings[str(obj.get("id"))] = level
        return
    if kind == "indicator":
        _indicator(obj, where, state, report)
        return
    if kind not in _READ:
        report.skip(kind)
        return
    oid = obj.get("id")
    if not isinstance(oid, str) or not _ID.fullmatch(oid) or not oid.startswith(kind + "--"):
        raise ValueError(f"id {oid!r} is not a {kind} id")
    if kind not in _OBSERVABLES:
        # stix2 checks every property of the objects Tocsin reads, but for indicators (it
        # re-parses their pattern with an ANTLR grammar, 0.7 ms each; _indicator reads the
        # subset Tocsin uses) and observables (0.13 ms each; the selector they name is checked
        # by Tocsin's extractors, which is stricter than the STIX property types)
        stix2.parse(obj, allow_custom=True, version=str(obj.get("spec_version", "2.1")))
    if kind == "identity":
        state.identities[oid] = str(obj.get("name", ""))
    elif kind in _OBSERVABLES:
        sel = _selector_of(kind, dict(obj), obj.get("extensions"))
        if isinstance(sel, str):
            report.problem(sel + "; skipped", where=where)
        elif sel is None:
            report.skip(f"{kind} ({obj.get('account_type', 'other')})")
        else:
            key = state.declare(sel)
            state.observables[state.cid(oid)] = key
            _note_loose(state, key, obj)
    elif kind == "observed-data":
        refs: list[Ref] = [state.cid(str(r)) for r in obj.get("object_refs") or ()]
        for key, value in (obj.get("objects") or {}).items():  # STIX 2.0 embedded observables
            if isinstance(value, dict):
                sel = _selector_of(str(value.get("type")), value, value.get("extensions"))
                if isinstance(sel, SharedSelector):
                    refs.append("key:" + state.declare(sel))
                elif isinstance(sel, str):
                    report.problem(f"{sel}; skipped", where=f"{where} objects[{key}]")
        state.observed[state.cid(oid)] = tuple(refs)
    elif kind == "report":
        state.containers[state.cid(oid)] = _report(obj, where, state)
    elif kind in _GROUPS:
        extensions = obj.get("extensions") or {}
        if _NETWORK_EXT in extensions:
            report.skip(f"{kind} (Tocsin network: found again by link analysis)")
            return
        state.containers[state.cid(oid)] = _group(obj, where, state)
    elif kind == "relationship":
        if obj.get("relationship_type") == "indicates":
            target, source = state.cid(str(obj["target_ref"])), state.cid(str(obj["source_ref"]))
            state.indicates.setdefault(target, []).append(source)
        else:
            report.skip(f"relationship ({obj.get('relationship_type')})")
    elif kind == "location":
        _location(obj, where, state, report)
    else:
        report.skip(kind)


def _note_loose(state: _State, key: str, obj: dict[str, Any]) -> None:
    markings = _markings(obj, state)
    seen_first = _time(obj.get("created")) or _time(obj.get("valid_from"))
    seen_last = _time(obj.get("modified")) or seen_first
    current = state.loose.get(key)
    now = int(utc(datetime.now(UTC)).timestamp())
    first = int(seen_first.timestamp()) if seen_first else (current[1] if current else now)
    last = int(seen_last.timestamp()) if seen_last else (current[2] if current else now)
    if current is not None:
        if current[0] is not None:
            markings.append(current[0])
        first, last = min(first, current[1]), max(last, current[2])
    marking = most_restrictive(markings, default=markings[0]) if markings else None
    state.loose[key] = (marking, first, last)


def _seconds(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _indicator(obj: dict[str, Any], where: str, state: _State, report: ImportReport) -> None:
    for prop in ("id", "pattern", "pattern_type", "valid_from", "created", "modified"):
        if prop not in obj:
            raise ValueError(f"no {prop}")
    if obj.get("spec_version", "2.1") not in ("2.0", "2.1"):
        raise ValueError(f"spec_version {obj.get('spec_version')!r}")
    if _time(obj["valid_from"]) is None or _time(obj["modified"]) is None:
        raise ValueError("a timestamp is not in ISO 8601 form")
    if obj["pattern_type"] != "stix":
        report.skip(f"indicator ({obj['pattern_type']} pattern)")
        return
    groups = parse_pattern(str(obj["pattern"]))
    if groups is None:
        report.skip("indicator (pattern with more than equality tests)")
        return
    keys = []
    for group in groups:
        for obj_type, props in group.items():
            sel = _selector_of(obj_type, props)
            if isinstance(sel, str):
                report.problem(f"pattern: {sel}; skipped", where=where)
            elif sel is not None:
                key = state.declare(sel)
                keys.append(key)
                _note_loose(state, key, obj)
    if not keys:
        report.skip("indicator (no selector in its pattern)")
    state.indicators[state.cid(str(obj["id"]))] = keys[0] if len(keys) == 1 else tuple(keys)


def _report(obj: dict[str, Any], where: str, state: _State) -> _Container:
    ext = (obj.get("extensions") or {}).get(_DOC_EXT) or {}
    description = obj.get("description")
    name = str(obj.get("name", "")).strip()
    if ext:
        text = str(description or name)
        title = ext.get("title")
    else:
        text = str(description or name)
        title = name or None
    source = ext.get("source_url")
    if source is None:
        for ref in obj.get("external_references") or ():
            if isinstance(ref, dict) and ref.get("source_name") == "source" and ref.get("url"):
                source = ref["url"]
                break
    first = _time(obj.get("created")) or utc(datetime.now(UTC))
    return _Container(
        where=where,
        text=text,
        title=str(title) if title else None,
        kind=str(ext.get("kind", "report")),
        language=ext.get("language") or obj.get("lang"),
        source_url=str(source) if source else None,
        first=first,
        last=_time(obj.get("modified")) or first,
        markings=_markings(obj, state),
        refs=tuple(state.cid(str(r)) for r in obj.get("object_refs") or ()),
    )


def _group(obj: dict[str, Any], where: str, state: _State) -> _Container:
    name = str(obj.get("name", "")).strip()
    parts = [f"{obj['type'].replace('-', ' ').capitalize()}: {name}"]
    aliases = [str(a) for a in obj.get("aliases") or ()]
    if aliases:
        parts.append("Also known as: " + ", ".join(aliases))
    if obj.get("description"):
        parts.append(str(obj["description"]))
    first = _time(obj.get("first_seen")) or _time(obj.get("created")) or utc(datetime.now(UTC))
    return _Container(
        where=where,
        text="\n\n".join(parts),
        title=name or None,
        kind="report",
        language=obj.get("lang"),
        source_url=None,
        first=first,
        last=_time(obj.get("last_seen")) or _time(obj.get("modified")) or first,
        markings=_markings(obj, state),
        refs=(),
    )


def _location(obj: dict[str, Any], where: str, state: _State, report: ImportReport) -> None:
    description = str(obj.get("description", ""))
    match = re.match(r"Scam compound \(Tocsin compound (.+?)\)\.(?:\n\n|$)", description)
    if match is None or not obj.get("name"):
        report.skip("location (not a scam compound)")
        return
    first = _time(obj.get("created")) or utc(datetime.now(UTC))
    country = obj.get("country")
    state.compounds.append(
        (
            SharedCompound(
                id=match.group(1),
                name=str(obj["name"]),
                marking=most_restrictive(_markings(obj, state), default="clear"),
                first_seen=first,
                last_seen=_time(obj.get("modified")) or first,
                country=str(country).lower() if country else None,
                address=obj.get("street_address"),
                latitude=_number(obj.get("latitude")),
                longitude=_number(obj.get("longitude")),
                precision=_precision(obj.get("precision")),
                description=description.partition("\n\n")[2] or None,
            ),
            where,
        )
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _precision(value: Any) -> str | None:
    """STIX precision (metres) as the case register's classes."""
    number = _number(value)
    if number is None:
        return None
    return "site" if number <= 1000 else "town"


def _indicated(ref: Ref, state: _State) -> tuple[str, ...]:
    keys = state.indicators.get(ref, ())
    return (keys,) if isinstance(keys, str) else keys


def _resolve(ref: Ref, state: _State, depth: int = 0) -> Sequence[str]:
    """Selector keys an object reference leads to (observables, observed data, indicators)."""
    if isinstance(ref, str) and ref.startswith("key:"):
        return [ref[4:]]
    if ref in state.observables:
        return [state.observables[ref]]
    if ref in state.indicators:
        return _indicated(ref, state)
    if ref in state.observed and depth == 0:
        return [k for r in state.observed[ref] for k in _resolve(r, state, 1)]
    return []


def _write(state: _State, writer: ImportWriter, bundle_id: str) -> None:
    report = writer.report
    used: set[str] = set()
    for cid, container in state.containers.items():
        for ref in container.refs:
            container.selectors.update(_resolve(ref, state))
        for indicator in state.indicates.get(cid, ()):
            container.selectors.update(_indicated(indicator, state))
        container.refs = ()
        used.update(container.selectors)
    for refs in state.observed.values():  # observed data no report names: loose observables
        for ref in refs:
            for key in _resolve(ref, state):
                if key not in state.loose:
                    now = int(utc(datetime.now(UTC)).timestamp())
                    state.loose[key] = (None, now, now)
    # References are resolved: the id maps are not needed while the documents are written (the
    # import's peak memory), only the declared selectors and the loose observables.
    for ids in (state.observables, state.observed, state.indicators, state.indicates):
        ids.clear()
    default = writer.marking
    batch: list[tuple[SharedDocument, str]] = []
    for container in state.containers.values():
        if not container.text.strip():
            report.problem("no text (name or description); skipped", where=container.where)
            continue
        text = Document(container.text)
        batch.append(
            (
                SharedDocument(
                    id=text.content_hash,
                    text=text.text,
                    kind=container.kind,
                    marking=most_restrictive(container.markings, default=default)
                    if container.markings
                    else default,
                    first_seen=container.first,
                    last_seen=max(container.last, container.first),
                    selectors=tuple(sorted(container.selectors)),
                    title=container.title,
                    language=container.language,
                    source_url=container.source_url,
                ),
                container.where,
            )
        )
        if len(batch) >= BATCH:
            writer.write(batch, state.declared)
            batch = []
    for doc in _loose_documents(state, used, bundle_id, default, writer.dataset):
        batch.append((doc, f"observables of {bundle_id} without a report"))
        if len(batch) >= BATCH:
            writer.write(batch, state.declared)
            batch = []
    if batch:
        writer.write(batch, state.declared)
    if state.compounds:
        writer.write_compounds(state.compounds)


def _loose_documents(
    state: _State, used: set[str], bundle_id: str, default: str, dataset: str
) -> Iterator[SharedDocument]:
    """Observables no report names, as documents listing them (one per marking, in chunks)."""
    by_marking: dict[str, list[tuple[str, int, int]]] = {}
    for key, (most, first, last) in sorted(state.loose.items()):
        if key in used:
            continue
        marking = most_restrictive((most,), default=default) if most else default
        by_marking.setdefault(marking, []).append((key, first, last))
    for marking, items in sorted(by_marking.items()):
        for start in range(0, len(items), LOOSE_PER_DOCUMENT):
            chunk = items[start : start + LOOSE_PER_DOCUMENT]
            lines = [f"{key.partition(':')[0]}: {key.partition(':')[2]}" for key, _, _ in chunk]
            text = (
                f"Observables without a report in STIX {bundle_id}"
                + (
                    f" (part {start // LOOSE_PER_DOCUMENT + 1})"
                    if len(items) > LOOSE_PER_DOCUMENT
                    else ""
                )
                + f", imported into {dataset}:\n"
                + "\n".join(lines)
            )
            doc = Document(text)
            yield SharedDocument(
                id=doc.content_hash,
                text=doc.text,
                kind="report",
                marking=marking,
                first_seen=_seconds(min(f for _, f, _ in chunk)),
                last_seen=_seconds(max(last for _, _, last in chunk)),
                selectors=tuple(key for key, _, _ in chunk),
                title=f"Observables without a report ({bundle_id})",
            )
