"""MISP: the golden event, pymisp and its templates, importing events produced by MISP."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pymisp import MISPEvent

from tocsin.access import Principal
from tocsin.model import SelectorType
from tocsin.share.exchange import import_file
from tocsin.share.misp import _APPS, _report_object, _selector_object, _Shapes, write_event
from tocsin.share.model import SharedDocument, SharedSelector
from tocsin.store import Store
from tocsin.store.schema import documents

from .world import ENGINE, FIXTURES, check_golden, reader, sample_package

FROM_MISP = FIXTURES / "misp_event_from_misp.json"
T = SelectorType


def _event() -> bytes:
    out = io.BytesIO()
    write_event(sample_package(), out)
    return out.getvalue()


def test_golden_event() -> None:
    data = _event()
    check_golden("sample.misp.json", data)
    assert _event() == data


def test_pymisp_loads_the_event_and_every_object_fits_its_template() -> None:
    event = MISPEvent()
    event.load(_event().decode("utf-8"))
    assert [t.name for t in event.tags] == ["tlp:amber"]  # its most restrictive content
    assert int(event.distribution) == 0  # AMBER: the recipient's organisation only
    assert int(event.threat_level_id) == 1
    names = sorted(o.name for o in event.objects)
    assert names == sorted(
        ["bank-account", "bank-account", "coin-address", "domain-ip", "geolocation",
         "phone-number", "report", "report", "telegram-account", "url", "user-account"]
    )  # fmt: skip
    for obj in event.objects:
        template = obj._definition  # the template pymisp ships, loaded by name
        assert template is not None and obj.template_uuid == template["uuid"], obj.name
        relations = {a.object_relation for a in obj.attributes}
        assert relations <= set(template["attributes"]), (obj.name, relations)
        one_of = template.get("requiredOneOf")
        assert not one_of or relations & set(one_of), obj.name
        assert set(template.get("required", [])) <= relations, obj.name
    (email,) = event.attributes
    assert (email.type, email.value) == ("email", "hr@luckyjob.top")


def test_markings_and_network_tags_on_attributes() -> None:
    data = json.loads(_event())["Event"]
    by_comment = {o["comment"]: o for o in data["Object"]}
    telegram = by_comment["Tocsin selector telegram:hr_mekong_desk"]
    tags = {t["name"] for t in telegram["Attribute"][0]["Tag"]}
    assert "tlp:green" in tags  # in a GREEN ad (and an AMBER chat): GREEN is its marking
    assert any(t.startswith('tocsin:network="c-') for t in tags)
    reports = [o for o in data["Object"] if o["name"] == "report"]
    kinds = {t["name"] for r in reports for a in r["Attribute"] for t in a.get("Tag", [])}
    assert {'tocsin:document-kind="job_ad"', 'tocsin:document-kind="conversation"'} <= kinds
    assert all(r["ObjectReference"] for r in reports)


def _import(store: Store, data: bytes, dataset: str = "partner", **kw: Any) -> Any:
    return import_file(
        store,
        reader(data),
        dataset=dataset,
        source="event.misp.json",
        principal=Principal.system(),
        scanner=ENGINE,
        **kw,
    )


def test_event_produced_by_misp_is_imported(store: Store) -> None:
    report = _import(store, FROM_MISP.read_bytes(), marking="amber")
    problems = [str(p) for p in report.problems]
    assert len(problems) == 2, problems
    assert any("Attribute[6]" in p and "'12'" in p for p in problems)
    assert any("Attribute[7]" in p and "nonsense-type" in p for p in problems)
    assert report.not_imported.get("person (personal data: not imported)") == 1
    with store.engine.connect() as conn:
        texts = [r[0] for r in conn.execute(documents.select().with_only_columns(documents.c.text))]
    assert any(t.startswith("SYNTHETIC report:") for t in texts)  # the report object
    assert any(t.startswith("SYNTHETIC chat:") for t in texts)  # the instant message
    (event_doc,) = [t for t in texts if t.startswith("SYNTHETIC: recruitment network")]
    assert "300 USD training deposit" in event_doc  # the event's text attributes
    report_doc = next(t for t in texts if t.startswith("SYNTHETIC report:"))
    chat = next(t for t in texts if t.startswith("SYNTHETIC chat:"))
    source = store.link_source()
    keys = {t: set(source.selectors_of(_id(t))) for t in (report_doc, chat, event_doc)}
    assert {"telegram:hr_sihanouk_desk", "whatsapp:+855975550123", "domain:luckyjob.top"} <= keys[
        report_doc
    ]
    assert {"crypto:TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", "phone:+855975550123"} <= keys[chat]
    assert {
        "phone:+85512987654",
        "email:recruit.team@luckyjob.top",
        "telegram:mekong_hr_team",
        "crypto:1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
        "iban:GB82WEST12345698765432",
    } <= keys[event_doc]
    everything = set().union(*keys.values())
    assert "phone:+66812345678" not in everything  # the victim's number stays out
    assert store.selector("phone:+66812345678") is None
    again = _import(store, FROM_MISP.read_bytes(), marking="amber")
    assert again.documents_new == 0 and again.documents_known == 3  # idempotent


def _id(text: str) -> str:
    from tocsin.model import Document

    return Document(text).content_hash


def test_markings_are_never_lowered_on_import(store: Store) -> None:
    report = _import(store, FROM_MISP.read_bytes(), dataset="green-ds", marking="green")
    refused = [str(p) for p in report.problems if "TLP:AMBER" in str(p)]
    assert refused and "more restrictive than dataset 'green-ds'" in refused[0]
    with store.engine.connect() as conn:
        texts = [r[0] for r in conn.execute(documents.select().with_only_columns(documents.c.text))]
    assert texts == [t for t in texts if t.startswith("SYNTHETIC report:")]  # tlp:green only


@pytest.mark.parametrize(
    "wrap",
    [lambda e: e, lambda e: {"response": [e]}, lambda e: [e]],
    ids=["event", "response", "list"],
)
def test_misp_envelopes(store: Store, wrap: Any) -> None:
    event = json.loads(FROM_MISP.read_bytes())
    report = _import(store, json.dumps(wrap(event)).encode(), marking="amber")
    assert report.format == "misp" and report.documents_new == 3


def test_oversized_and_broken_misp_files(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from tocsin.errors import InputError
    from tocsin.settings import get_settings

    with pytest.raises(InputError, match="not a MISP JSON file"):
        _import(store, b'{"Event": {"info": "x", ', fmt="misp")
    settings = get_settings().model_copy(update={"import_max_bytes": 100})
    with pytest.raises(InputError, match="larger than 100 bytes"):
        _import(store, FROM_MISP.read_bytes(), settings=settings)


def test_fixture_is_synthetic() -> None:
    assert "SYNTHETIC" in Path(FROM_MISP).read_text("utf-8")


# -- the fast path writes what pymisp builds ------------------------------------------------

_SELECTORS = [
    SharedSelector("phone:+85512345678", T.PHONE, "+85512345678", country="KH"),
    SharedSelector("telegram:hr_desk", T.TELEGRAM, "hr_desk"),
    *[SharedSelector(f"{t.value}:+85512000111", t, "+85512000111") for t in _APPS],
    SharedSelector("crypto:TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", T.CRYPTO,
                   "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", chain="tron", token="usdt"),
    SharedSelector("crypto:1BoatSLRHtKNngkdXEeobR76b53LETtpyT", T.CRYPTO,
                   "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", chain="btc"),
    SharedSelector("crypto:0x52908400098527886E0F7030069857D2E4169EE7", T.CRYPTO,
                   "0x52908400098527886E0F7030069857D2E4169EE7", chain="eth"),
    SharedSelector("crypto:unknownchainaddress", T.CRYPTO, "unknownchainaddress"),
    SharedSelector("iban:GB82WEST12345698765432", T.IBAN, "GB82WEST12345698765432"),
    SharedSelector("bank_account:0012345678", T.BANK_ACCOUNT, "0012345678", country="KH"),
    SharedSelector("url:https://jobs.example.org/a?b='c'&d=\"e\"", T.URL,
                   "https://jobs.example.org/a?b='c'&d=\"e\""),
    SharedSelector("domain:jobs.example.org", T.DOMAIN, "jobs.example.org"),
    SharedSelector("email:hr@jobs.example.org", T.EMAIL, "hr@jobs.example.org"),
    SharedSelector("telegram:ស្រី_ឧទាហរណ៍", T.TELEGRAM, "ស្រី_ឧទាហរណ៍"),
]  # fmt: skip


@pytest.mark.parametrize("sel", _SELECTORS, ids=lambda s: s.key[:30])
@pytest.mark.parametrize("networks", [[], ["c-0123456789ab"], ["c-0123456789ab", "c-ba98"]])
@pytest.mark.parametrize("marking", ["clear", "green", "amber"])
def test_each_selector_shape_is_what_pymisp_builds(
    sel: SharedSelector, networks: list[str], marking: str
) -> None:
    shapes = _Shapes()
    for _ in range(2):  # the first call builds the shape, the second copies it
        fast = shapes.selector(sel, marking, networks)
        built = _selector_object(sel, marking, networks).to_json(sort_keys=True).encode()
        assert fast == built


def _doc(**changes: Any) -> SharedDocument:
    base = sample_package().documents[0]
    return replace(base, **changes)


@pytest.mark.parametrize(
    "doc",
    [
        _doc(),
        _doc(title=None, source_url=None, kind="conversation", marking="amber"),
        _doc(kind="web_page", title="ត្រូវការបុគ្គលិក", source_url="https://x.example.org/?q=\"1\""),
        _doc(kind="unknown", first_seen=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
             last_seen=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)),
    ],
    ids=["ad", "bare-conversation", "khmer-title", "microseconds"],
)  # fmt: skip
@pytest.mark.parametrize("refs", [[], ["aa7a8760-522c-5bdb-98be-246611f80714"],
                                  [str(i) * 8 for i in range(5)]])  # fmt: skip
def test_each_report_shape_is_what_pymisp_builds(doc: SharedDocument, refs: list[str]) -> None:
    shapes = _Shapes()
    for _ in range(2):
        fast = shapes.report(doc, refs)
        assert fast == _report_object(doc, refs).to_json(sort_keys=True).encode()
