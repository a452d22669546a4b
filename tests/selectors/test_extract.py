"""The public ``extract()``: ordering, type filter, overlap convention, robustness."""

from __future__ import annotations

import itertools

import phonenumbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tocsin.selectors
from tocsin.model.selector import SelectorType
from tocsin.selectors import extract
from tocsin.selectors.registry import EXTRACTORS, PRECEDENCE

T = SelectorType
DOC = (
    "Tuyển CSKH tại Campuchia. Zalo 0912 345 678, WhatsApp: +855 12 345 678, "
    "wa.me/84912345679, Telegram @hr_manager88, email hr [at] gmail dot com, "
    "web luckyjob.top/apply. USDT TRC20: TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre "
    "IBAN DE89 3704 0044 0532 0130 00, Vietcombank STK: 0011004123456, số Campuchia: 012 345 679."
)


def test_public_api() -> None:
    assert tocsin.selectors.__all__ == ["extract"]


def test_registry_covers_every_type() -> None:
    covered = set().union(*(entry.types for entry in EXTRACTORS))
    assert covered == set(SelectorType) == set(PRECEDENCE)


def test_sorted_by_start_and_type() -> None:
    sels = extract(DOC, language="vi")
    assert [(s.start, s.type.value) for s in sels] == sorted((s.start, s.type.value) for s in sels)
    assert {s.type for s in sels} == {
        T.ZALO,
        T.WHATSAPP,
        T.TELEGRAM,
        T.EMAIL,
        T.URL,
        T.CRYPTO,
        T.IBAN,
        T.BANK_ACCOUNT,
        T.PHONE,
    }


def test_types_filter_does_not_change_spans() -> None:
    everything = extract(DOC, language="vi")
    phones = extract(DOC, language="vi", types=[T.PHONE])
    assert phones == [s for s in everything if s.type == T.PHONE]
    assert [s.value for s in phones] == ["+85512345679"]
    assert extract(DOC, types=[]) == []


def test_no_overlaps() -> None:
    sels = extract(DOC, language="vi")
    for a, b in itertools.pairwise(sels):
        assert a.end <= b.start


def test_keyed_messaging_phone_is_not_also_a_phone() -> None:
    assert [s.type for s in extract("WhatsApp: +84 912 345 678")] == [T.WHATSAPP]


def test_empty_and_trivial() -> None:
    assert extract("") == []
    assert extract("   \n\t") == []


WEIRD = st.text(
    alphabet=st.characters(
        codec="utf-8",
        categories=("L", "M", "N", "P", "S", "Z", "Cc"),
    ),
    max_size=400,
)
PIECES = st.sampled_from(
    [
        "+84 912 345 678",
        "0912345678",
        "@hr_team",
        "Telegram",
        "t.me/",
        "wa.me/849",
        "WA:",
        "http://",
        "www.",
        ".com",
        "@",
        "[at]",
        " dot ",
        "0x",
        "bc1q",
        "TBHTJq",
        "DE89 3704",
        "STK:",
        "Zalo",
        "微信：",
        "QQ",
        "ไลน์",
        "１２３",
        "＋",
        "(",
        ")",
        " ",
        "\n",
        ".",
        "İ",
        "ß",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(WEIRD, st.lists(st.one_of(PIECES, WEIRD), max_size=30).map("".join)),
    language=st.sampled_from([None, "vi", "zh", "th", "en"]),
)
def test_spans_exact_and_never_raises(text: str, language: str | None) -> None:
    sels = extract(text, language=language)
    for s in sels:
        assert text[s.start : s.end] == s.raw
        assert s.start < s.end
        if s.type is T.PHONE:
            assert phonenumbers.is_valid_number(phonenumbers.parse(s.value))
    for a, b in itertools.pairwise(sels):
        assert a.end <= b.start


def test_huge_text() -> None:
    text = (DOC + " 1.500.000 VND ") * 300 + "x" * 100_000 + "9" * 50_000
    sels = extract(text, language="vi")
    assert len(sels) >= 300 * 9
    for s in sels[:50]:
        assert text[s.start : s.end] == s.raw
