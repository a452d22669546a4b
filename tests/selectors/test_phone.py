"""Phone numbers: written forms, region inference, and the shapes that are not phones."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selector_helpers import found, values

from tocsin.model.selector import SelectorType

P = SelectorType.PHONE


@pytest.mark.parametrize(
    ("text", "hints", "expected"),
    [
        ("Call +84 912 345 678 now", {}, "+84912345678"),
        ("Liên hệ ĐT: 0912.345.678 gặp chị Lan", {"language": "vi"}, "+84912345678"),
        ("联系电话：138 1234 5678", {"language": "zh"}, "+8613812345678"),
        ("โทร 081-234-5678 ได้ตลอด", {"language": "th"}, "+66812345678"),
        ("Hubungi 0812-3456-7890 segera", {"language": "id"}, "+6281234567890"),
        ("Appelez le 06 12 34 56 78 !", {"language": "fr"}, "+33612345678"),
        ("phone 0091 98765 43210 (India)", {}, "+919876543210"),
        ("＋８５５ １２ ３４５ ６７８", {}, "+85512345678"),
        ("(+84) 912 345 678", {}, "+84912345678"),
        ("+44 (0)20 7946 0958", {}, "+442079460958"),
        ("office (028) 3822 1234", {"country": "VN"}, "+842838221234"),
        ("số ở Campuchia: 012 345 678", {}, "+85512345678"),
        ("柬埔寨电话 012 345 678", {}, "+85512345678"),
        ("Cambodia number 012 345 678", {"language": "en"}, "+85512345678"),
    ],
)
def test_written_forms(text: str, hints: dict[str, str], expected: str) -> None:
    assert values(text, P, **hints) == [expected]


def test_vietnamese_mobile_next_to_cambodia_stays_vietnamese() -> None:
    text = "liên hệ 0912345678 ở Campuchia 012 345 678"
    assert values(text, P, language="vi") == ["+84912345678", "+85512345678"]


def test_national_number_without_any_region_is_not_reported() -> None:
    assert values("call 0912 345 678", P) == []


def test_two_numbers_side_by_side_are_split() -> None:
    text = "Tel 0912 345 678 0987 654 321"
    assert values(text, P, language="vi") == ["+84912345678", "+84987654321"]


def test_number_followed_by_a_date() -> None:
    text = "WA 06-12-53-07-06. 13/4/2019 10:00"
    assert found(text, language="fr") == [("whatsapp", "+33612530706", "06-12-53-07-06")]


@pytest.mark.parametrize(
    "text",
    [
        "Ngày 12.05.2024 và 2024-05-12, năm 2019-2024",
        "Lương 15.000.000 VND, thưởng 2 000 000 đ",
        "Salary $1,200,000 or 1500000 USD",
        "Order #20240512001, Mã đơn hàng: 0912345678, 订单号：2024051200012",
        "Số tài khoản: 0912345678",
        "GPS 11.908378, 102.114118",
        "IP 192.168.100.200",
        "version 10.4.2.1 and v2.3.1",
        "ISBN 978-3-161-48410-0",
        "hash A0912345678B and 0912345678@example.com",
        "IBAN DE89 3704 0044 0532 0130 00",
        "ETH 0x52908400098527886E0F7030069857D2E4169EE7",
    ],
)
def test_not_phones(text: str) -> None:
    assert values(text, P, language="vi") == []


def test_value_is_valid_and_validated() -> None:
    sels = [s for s in found("WhatsApp +84 912 345 678; Tel +84 912 345 679")]
    assert sels
    for _, value, _ in sels:
        assert phonenumbers.is_valid_number(phonenumbers.parse(value))


REGIONS = ["VN", "TH", "KH", "MM", "LA", "ID", "PH", "MY", "CN", "IN", "FR", "GB", "NG", "BR"]


def _valid(region: str, seed: int) -> phonenumbers.PhoneNumber:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None
    nsn = str(example.national_number)
    for i in range(200):
        tail = str((seed * 7919 + i * 104729) % 10**4).zfill(4)
        number = phonenumbers.parse(f"+{example.country_code}{nsn[:-4]}{tail}")
        if phonenumbers.is_valid_number(number):
            return number
    return example


@settings(max_examples=150, deadline=None)
@given(
    region=st.sampled_from(REGIONS),
    seed=st.integers(0, 10**6),
    style=st.sampled_from(["e164", "intl", "dash", "dot", "00", "fullwidth", "national"]),
    before=st.sampled_from(["", "Tel: ", "Liên hệ ", "电话：", "โทร ", "(", "call "]),
    after=st.sampled_from(["", ".", " ok", "，谢谢", ")", "\n"]),
)
def test_generated_numbers_are_found(
    region: str, seed: int, style: str, before: str, after: str
) -> None:
    number = _valid(region, seed)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    intl = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    written = {
        "e164": e164,
        "intl": intl,
        "dash": intl.replace(" ", "-"),
        "dot": intl.replace(" ", "."),
        "00": "00" + intl[1:],
        "fullwidth": intl.translate(str.maketrans("0123456789+", "０１２３４５６７８９＋")),
        "national": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
    }[style]
    text = f"{before}{written}{after}"
    got = found(text, P, country=region)
    assert [value for _, value, _ in got] == [e164]
    assert got[0][2] == written
