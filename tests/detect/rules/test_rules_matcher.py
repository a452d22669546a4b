"""Matching semantics: boundaries, folding, spans, co-occurrence, kinds, language hints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.detect.rules import MAX_EVIDENCE, RuleSet, load_packs
from tocsin.model.document import DocumentKind

PackWriter = Callable[[str, str], Path]  # the write_pack fixture of conftest.py

PACK = """\
terms:
  money:
    description: Money.
    patterns:
      en: [salary, pay]
      zh: [月薪]
indicators:
  - id: t.phrase
    category: payment
    title: Phrase
    description: A phrase.
    weight: 1.0
    weight_note: Test.
    patterns:
      en: [pay tax]
      zh-hans: [交税]
      zh-hant: [交稅]
      und: [usdt]
    examples:
      match: ["pay tax"]
    sources: [F1 test]
  - id: t.combo
    category: recruitment_lure
    title: Combo
    description: A combination.
    weight: 2.0
    weight_note: Test.
    window: 40
    all_of:
      - term: money
      - patterns: {en: [no experience], zh: [无需经验]}
    examples:
      match: ["salary 3000, no experience"]
    sources: [A3 test]
  - id: t.messages_only
    category: pig_butchering
    title: Messages only
    description: Only in messages.
    weight: 1.0
    weight_note: Test.
    kinds: [message]
    patterns:
      en: [wrong number]
    examples:
      match: ["wrong number"]
    sources: [D1 test]
  - id: t.regex
    category: forced_criminality
    title: Regex
    description: A regex.
    weight: 1.0
    weight_note: Test.
    patterns:
      en:
        - regex: '\\b1[4-8] hours a day\\b'
          keys: [hours]
    examples:
      match: ["16 hours a day"]
    sources: [B4 test]
"""


def _rules(write_pack: PackWriter) -> RuleSet:
    return load_packs([write_pack("t", PACK)])


def _ids(rules: RuleSet, text: str, **kw: object) -> list[str]:
    return [h.id for h in rules.match(text, **kw)]  # type: ignore[arg-type]


def test_phrase_spans_are_exact(write_pack: PackWriter) -> None:
    text = "Please PAY TAX now"
    (hit,) = _rules(write_pack).match(text)
    assert hit.id == "t.phrase"
    assert [(e.start, e.end, e.text) for e in hit.evidence] == [(7, 14, "PAY TAX")]
    assert text[7:14] == "PAY TAX"


def test_word_boundaries_for_latin_only(write_pack: PackWriter) -> None:
    rules = _rules(write_pack)
    assert _ids(rules, "prepay taxes") == []
    assert _ids(rules, "pay tax.") == ["t.phrase"]
    assert _ids(rules, "请先交税再提现") == ["t.phrase"]
    assert _ids(rules, "请先交稅") == ["t.phrase"]


def test_full_width_and_case_folding(write_pack: PackWriter) -> None:
    text = "转\uff35\uff33\uff24\uff34给我"  # full-width USDT
    (hit,) = _rules(write_pack).match(text)
    assert hit.evidence[0].text == "\uff35\uff33\uff24\uff34"
    assert hit.language is None  # an `und` pattern has no language


def test_whitespace_and_length_changing_lower_case(write_pack: PackWriter) -> None:
    text = "İİİ pay\ntax İ"  # "İ".lower() is two characters long
    (hit,) = _rules(write_pack).match(text)
    ev = hit.evidence[0]
    assert text[ev.start : ev.end] == ev.text == "pay\ntax"


def test_combination_within_window(write_pack: PackWriter) -> None:
    rules = _rules(write_pack)
    hits = {h.id: h for h in rules.match("Salary 3000 USD, no experience needed")}
    assert "t.combo" in hits
    assert [e.text for e in hits["t.combo"].evidence] == ["Salary", "no experience"]
    far = "salary" + " filler" * 20 + " no experience"
    assert "t.combo" not in _ids(rules, far)
    assert "t.combo" in _ids(rules, far + " and our salary is fine")


def test_combination_picks_narrowest_window(write_pack: PackWriter) -> None:
    text = "salary is good. " + "x" * 60 + " pay well, no experience"
    hit = next(h for h in _rules(write_pack).match(text) if h.id == "t.combo")
    assert [e.text for e in hit.evidence] == ["pay", "no experience"]


def test_kinds(write_pack: PackWriter) -> None:
    rules = _rules(write_pack)
    assert _ids(rules, "wrong number", kind=DocumentKind.MESSAGE) == ["t.messages_only"]
    assert _ids(rules, "wrong number", kind=DocumentKind.UNKNOWN) == ["t.messages_only"]
    assert _ids(rules, "wrong number", kind=DocumentKind.JOB_AD) == []


def test_regex_runs_only_with_its_key(write_pack: PackWriter) -> None:
    rules = _rules(write_pack)
    assert _ids(rules, "we work 16 hours a day") == ["t.regex"]
    assert _ids(rules, "we work 10 hours a day") == []


def test_language_hint_only_chooses_the_reported_language(write_pack: PackWriter) -> None:
    rules = _rules(write_pack)
    text = "pay tax 交税"
    assert [h.language for h in rules.match(text)] == ["en"]
    assert [h.language for h in rules.match(text, language="zh")] == ["zh-hans"]
    assert _ids(rules, text, language="fr") == _ids(rules, text)


def test_evidence_is_capped_and_deduplicated(write_pack: PackWriter) -> None:
    (hit,) = _rules(write_pack).match("pay tax " * 50)
    assert len(hit.evidence) == MAX_EVIDENCE
    assert len({e.start for e in hit.evidence}) == MAX_EVIDENCE


def test_hits_are_ordered_by_position(write_pack: PackWriter) -> None:
    rules = _rules(write_pack)
    assert _ids(rules, "16 hours a day; pay tax") == ["t.regex", "t.phrase"]


def test_hit_to_signal(write_pack: PackWriter) -> None:
    (hit,) = _rules(write_pack).match("pay tax")
    signal = hit.to_signal()
    assert signal.indicator == "t.phrase"
    assert signal.evidence == hit.evidence
    assert signal.sources == ("FACTS F1 test",)


def test_empty_text(write_pack: PackWriter) -> None:
    assert _rules(write_pack).match("") == []


BUNDLED = load_packs()
ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(
    list("İßﬁΣς\u0130\u3000\uff21\u2019\n包吃住西港usdt ")
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=300))
def test_match_never_raises_and_spans_are_exact(text: str) -> None:
    for hit in BUNDLED.match(text):
        assert hit.evidence
        for ev in hit.evidence:
            assert 0 <= ev.start < ev.end <= len(text)
            assert text[ev.start : ev.end] == ev.text


SNIPPETS = [
    "salary 3000 USD no experience", "包吃包住", "西港招聘客服", "pay 20% tax to withdraw",
    "USDT-TRC20", "they took my passport", "việc nhẹ lương cao", "\uff2b\uff2b园区",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SNIPPETS) | st.text(alphabet=ALPHABET, max_size=20), max_size=12))
def test_spans_exact_on_mixed_indicator_text(parts: list[str]) -> None:
    text = " ".join(parts)
    for hit in BUNDLED.match(text, language="vi"):
        for ev in hit.evidence:
            assert text[ev.start : ev.end] == ev.text


def test_bundled_packs_are_cached() -> None:
    assert load_packs() is load_packs()


SEVERAL_TERMS = """\
terms:
  place:
    description: Places.
    patterns:
      und: [poipet]
  job:
    description: Job words.
    patterns:
      en: [job, hiring]
  title:
    description: Cover titles.
    patterns:
      en: [typist, customer service]
indicators:
  - id: t.place_job
    category: recruitment_lure
    title: Place and job or title
    description: A place next to a job word or a cover title.
    weight: 2.0
    weight_note: Test.
    window: 40
    all_of:
      - term: place
      - terms: [job, title]
    examples:
      match: ["typist in Poipet"]
    sources: [E test]
"""


def test_a_group_of_several_terms_matches_on_any(write_pack: PackWriter) -> None:
    rules = load_packs([write_pack("t", SEVERAL_TERMS)])
    assert _ids(rules, "Customer service in Poipet, USD 1500") == ["t.place_job"]
    assert _ids(rules, "Hiring now in Poipet") == ["t.place_job"]
    assert _ids(rules, "Just landed in Poipet, lovely weather") == []
    (hit,) = rules.match("typist in Poipet")
    assert [e.text for e in hit.evidence] == ["typist", "Poipet"]
    assert rules.languages(rules.indicator("t.place_job")) == ("en", "und")


def test_terms_found_names_the_shared_terms_in_a_text(write_pack: PackWriter) -> None:
    rules = load_packs([write_pack("t", SEVERAL_TERMS)])
    assert rules.terms_found("Typist job in Poipet") == {"place", "job", "title"}
    assert rules.terms_found("nothing here") == frozenset()
