"""Imports of foreign files: FtM streams, STIX bundles from other tools, malformed, huge and
hostile files — clear errors naming the object, the good objects kept."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tocsin.access import Principal
from tocsin.errors import InputError
from tocsin.model import Document
from tocsin.share.exchange import detect_format, import_file
from tocsin.store import Store
from tocsin.store.schema import documents, statements

from .world import ENGINE, reader

SYSTEM = Principal.system()
T0 = "2026-10-01T00:00:00.000Z"
GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"  # TLP 1.0 GREEN


def _sdo(kind: str, digit: str, **props: Any) -> dict[str, Any]:
    uid = f"{digit * 8}-{digit * 4}-4{digit * 3}-8{digit * 3}-{digit * 12}"
    return {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uid}", "created": T0,
            "modified": T0, **props}  # fmt: skip


IDENTITY = _sdo("identity", "1", name="Partner CERT (synthetic)", identity_class="organization")


def _import(store: Store, data: bytes, **kw: Any) -> Any:
    kw.setdefault("marking", "amber")
    return import_file(
        store, reader(data), dataset="partner", source="in.file", principal=SYSTEM,
        scanner=ENGINE, **kw,
    )  # fmt: skip


def _texts(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(documents.select().with_only_columns(documents.c.text))]


def _bundle(*objects: Any) -> bytes:
    return json.dumps({"type": "bundle", "id": "bundle--22222222-2222-4222-8222-222222222222",
                       "objects": list(objects)}, indent=2).encode()  # fmt: skip


def _sco(kind: str, **props: Any) -> dict[str, Any]:
    n = abs(hash((kind, tuple(sorted(props.items()))))) % 10**12
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--33333333-3333-4333-8333-{n:012d}",
        **props,
    }


def test_foreign_stix_bundle(store: Store) -> None:
    phone = _sco("phone-number", value="+855 12 555 010")  # OpenCTI's custom observable
    handle = _sco("user-account", account_type="telegram", user_id="@Partner_Seen_Desk")
    domain = _sco("domain-name", value="FastJobs-KH.top")
    indicator = _sdo(
        "indicator", "4", valid_from=T0, pattern_type="stix", object_marking_refs=[GREEN],
        pattern="[email-addr:value = 'Jobs@FastJobs-KH.top'] OR "
        "[url:value = 'https://t.me/partner_two']",
    )  # fmt: skip
    complex_pattern = _sdo(
        "indicator", "5", valid_from=T0, pattern_type="stix",
        pattern="[domain-name:value MATCHES '^x'] WITHIN 5 SECONDS",
    )  # fmt: skip
    actor = _sdo(
        "intrusion-set", "6", name="Golden Phoenix recruiters (synthetic)",
        description="Recruits typists for compounds in Myawaddy.",
    )  # fmt: skip
    indicates = _sdo(
        "relationship", "7", relationship_type="indicates", source_ref=indicator["id"],
        target_ref=actor["id"],
    )  # fmt: skip
    report = _sdo(
        "report", "8", published=T0, name="Weekly notes",
        description="SYNTHETIC: the desk @partner_seen_desk also posts on FastJobs-KH.top.",
        object_refs=[handle["id"], domain["id"]],
        object_marking_refs=["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
    )  # fmt: skip
    malware = _sdo("malware", "9", name="x", is_family=False)
    bad = {
        **_sco("user-account", account_type="telegram", user_id="x y"),
        "id": "user-account--bad",
    }
    report_ = _import(
        store, _bundle(IDENTITY, phone, handle, domain, indicator, complex_pattern, actor,
                       indicates, report, malware, bad),
    )  # fmt: skip
    problems = [str(p) for p in report_.problems]
    assert len(problems) == 1 and "object 10 (user-account--bad)" in problems[0], problems
    assert report_.not_imported["indicator (pattern with more than equality tests)"] == 1
    assert report_.not_imported["malware"] == 1
    texts = _texts(store)
    source = store.link_source()
    by_start = {t.split(":")[0]: set(source.selectors_of(Document(t).content_hash)) for t in texts}
    assert by_start["SYNTHETIC"] == {"telegram:partner_seen_desk", "domain:fastjobs-kh.top"}
    group = next(t for t in texts if t.startswith("Intrusion set"))
    assert "Golden Phoenix" in group and "Myawaddy" in group
    assert set(source.selectors_of(Document(group).content_hash)) >= {
        "email:jobs@fastjobs-kh.top", "telegram:partner_two",
    }  # fmt: skip
    loose = next(t for t in texts if t.startswith("Observables without a report"))
    assert "phone: +85512555010" in loose  # an observable no report names is kept


def test_malformed_json_keeps_the_objects_before_it(store: Store) -> None:
    report = _sdo(
        "report", "8", published=T0, name="r", object_refs=[IDENTITY["id"]],
        description="SYNTHETIC: Telegram @kept_desk_one",
    )  # fmt: skip
    good = _bundle(IDENTITY, report).decode()
    broken = good[: good.rindex("]")] + ', {"type": "report", "id": oops}]}'
    result = _import(store, broken.encode(), fmt="stix")
    (problem,) = result.problems
    assert re.search(
        r"in\.file: invalid JSON: .* \(character \d+\); the objects after", str(problem)
    )
    assert result.documents_new == 1  # the report before the break is kept
    truncated = good[: good.index("SYNTHETIC")].encode()
    result = _import(store, truncated, fmt="stix")
    assert "truncated" in str(result.problems[0]) or "ends" in str(result.problems[0])


def test_huge_object_is_skipped_by_position(store: Store) -> None:
    from tocsin.settings import get_settings

    huge = _sdo(
        "report", "a", published=T0, name="big", description="x" * 5000,
        object_refs=[IDENTITY["id"]],
    )  # fmt: skip
    small = _sdo(
        "report", "b", published=T0, name="small", object_refs=[IDENTITY["id"]],
        description="SYNTHETIC small report, Telegram @small_desk_kept",
    )  # fmt: skip
    settings = get_settings().model_copy(update={"import_max_object_bytes": 2000})
    report = _import(store, _bundle(IDENTITY, huge, small), settings=settings)
    (problem,) = report.problems
    assert "object 1" in str(problem) and "2,000 bytes" in str(problem)
    assert report.documents_new == 1


def test_hostile_content_is_data(store: Store) -> None:
    hostile = _sdo(
        "report", "c", published=T0, name="<img src=x onerror=alert(1)>",
        description="SYNTHETIC <script>fetch('//evil')</script> '; DROP TABLE documents; --",
        object_refs=[IDENTITY["id"]],
    )  # fmt: skip
    traversal = _sdo(
        "report", "d", published=T0, name="x", description="x", object_refs=["../../etc/passwd"]
    )
    nested = {"type": "note", "id": "note--1", "content": [[[[[[[[[[[]]]]]]]]]]]}
    report = _import(
        store, _bundle(IDENTITY, hostile, traversal, nested, "not an object", {"no": "type"})
    )
    problems = [str(p) for p in report.problems]
    assert any(
        "object 2 (report--dddd" in p and "not a valid STIX identifier" in p for p in problems
    )
    assert report.not_imported["note"] == 1  # not read: deep nesting is harmless
    assert any("object 4" in p and "not a STIX object" in p for p in problems)
    assert any("object 5" in p for p in problems)
    assert any("DROP TABLE documents" in t for t in _texts(store))  # stored as text, table intact


def test_ftm_stream(store: Store) -> None:
    text = "SYNTHETIC leaked roster. Contact WhatsApp +855 12 444 555."
    doc = {"id": "aleph-doc-1", "schema": "Document", "first_seen": "2026-09-01T10:00:00",
           "properties": {"bodyText": [text], "title": ["Roster"]}}  # fmt: skip
    account = {"id": "acct-1", "schema": "UserAccount",
               "properties": {"service": ["telegram"], "username": ["Roster_Admin"],
                              "proof": ["aleph-doc-1"]}}  # fmt: skip
    company = {"id": "co-1", "schema": "Company", "properties": {"name": ["Synthetic Holdings"]}}
    lines = [
        json.dumps(doc),
        "not json",
        json.dumps({"id": "x", "schema": "Nope", "properties": {}}),
        json.dumps({"id": "y", "schema": "Person", "properties": {"birthDate": ["not a date"]}}),
        json.dumps({"id": "z", "schema": "Person", "properties": {"bogus": ["1"]}}),
        json.dumps(account),
        "",
        json.dumps(company),
    ]
    report = _import(store, "\n".join(lines).encode() + b"\n", fmt=None)
    assert report.format == "ftm"
    assert sorted(p.line for p in report.problems) == [2, 3, 4, 5]
    assert "unknown schema 'Nope'" in str(report.problems[1])
    doc_id = Document(text).content_hash
    assert set(store.link_source().selectors_of(doc_id)) >= {
        "whatsapp:+85512444555", "phone:+85512444555", "telegram:roster_admin",
    }  # fmt: skip
    with store.engine.connect() as conn:
        rows = conn.execute(statements.select().where(statements.c.entity_id == "acct-1")).all()
    proofs = [r.value for r in rows if r.prop == "proof"]
    assert proofs == [f"tocsin-doc-{doc_id}"]  # the reference follows the document
    assert all(r.origin == "imported" and r.dataset == "partner" for r in rows)


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b'{"type": "bundle", "id": "bundle--1", "objects": []}', "stix"),
        (b'{\n  "objects": [],\n  "type": "bundle"\n}', "stix"),
        (b'{"Event": {"info": "x"}}', "misp"),
        (b'[{"Event": {"info": "x"}}]', "misp"),
        (b'{"response": [{"Event": {}}]}', "misp"),
        (b'{"id": "a", "schema": "Person", "properties": {}}\n{"id": "b"', "ftm"),
        (b"\xef\xbb\xbf" + b'{"type":"bundle","objects":[]}', "stix"),
        (b"id,text\n1,hello", None),
        (b"", None),
    ],
)
def test_format_detection(head: bytes, fmt: str | None) -> None:
    assert detect_format(head) == fmt


def test_unknown_format_is_a_clear_error(store: Store) -> None:
    with pytest.raises(InputError, match=r"cannot tell the format.*give the format"):
        _import(store, b"id,text\n1,hello\n", fmt=None)


def test_references_resolve_in_any_order(store: Store) -> None:
    """A report may name objects before or after it; ids are kept compactly until the end."""
    amber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    domain = _sco("domain-name", value="late-desk.top")
    email = _sco("email-addr", value="desk@late-desk.top")
    phone = {**_sco("phone-number", value="+855 12 555 020"), "object_marking_refs": [GREEN]}
    indicator = _sdo(
        "indicator", "4", valid_from=T0, pattern_type="stix",
        pattern="[url:value = 'https://t.me/order_one'] OR [url:value = 'https://t.me/order_two']",
    )  # fmt: skip
    phone_indicator = _sdo(
        "indicator", "5", valid_from=T0, pattern_type="stix", object_marking_refs=[amber],
        pattern="[phone-number:value = '+855 12 555 020']",
    )  # fmt: skip
    observed = _sdo(
        "observed-data", "6", first_observed=T0, last_observed=T0, number_observed=1,
        object_refs=[email["id"]],
    )  # fmt: skip
    report = _sdo(
        "report", "8", published=T0, name="Order notes",
        description="SYNTHETIC: notes naming objects that come later in the bundle.",
        object_refs=[domain["id"], observed["id"], indicator["id"]],
    )  # fmt: skip
    result = _import(
        store, _bundle(report, IDENTITY, observed, indicator, phone, domain, email,
                       phone_indicator),
    )  # fmt: skip
    assert not result.problems, [str(p) for p in result.problems]
    source = store.link_source()
    texts = _texts(store)
    notes = next(t for t in texts if t.startswith("SYNTHETIC"))
    assert set(source.selectors_of(Document(notes).content_hash)) == {
        "domain:late-desk.top", "email:desk@late-desk.top",
        "telegram:order_one", "telegram:order_two",
    }  # fmt: skip
    loose = next(t for t in texts if t.startswith("Observables without a report"))
    assert "phone: +85512555020" in loose and "late-desk" not in loose
    with store.engine.connect() as conn:
        marking = conn.execute(
            documents.select()
            .with_only_columns(documents.c.marking)
            .where(documents.c.id == Document(loose).content_hash)
        ).scalar_one()
    assert marking == "amber"  # the most restrictive of the observable's and the indicator's
    again = _import(
        store, _bundle(report, IDENTITY, observed, indicator, phone, domain, email,
                       phone_indicator),
    )  # fmt: skip
    assert again.documents_new == 0 and again.documents_known == 2
