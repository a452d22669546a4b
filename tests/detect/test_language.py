"""Language detection covers the languages of victims and recruiters, with sane short answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.detect.language import detect_language

SAMPLES = [
    ("en", "We are hiring customer service staff, no experience needed, apply today."),
    ("fr", "Nous recrutons des agents du service client, aucune expérience requise."),
    ("vi", "Tuyển nhân viên chăm sóc khách hàng, việc nhẹ lương cao, bao ăn ở."),
    ("th", "รับสมัครพนักงานบริการลูกค้า ไม่ต้องมีประสบการณ์ รายได้ดี"),
    (
        "id",
        "Lowongan kerja admin di luar negeri, gaji tinggi, tiket pesawat ditanggung perusahaan.",
    ),
    ("zh", "高薪招聘客服，包吃包住，月薪3万包机票，无需经验"),
    ("km", "ជ្រើសរើសបុគ្គលិកផ្នែកសេវាកម្មអតិថិជន ប្រាក់ខែខ្ពស់"),
    ("my", "ဖောက်သည်ဝန်ဆောင်မှု ဝန်ထမ်းများ ခေါ်ယူနေပါသည်"),
    ("lo", "ຮັບສະໝັກພະນັກງານບໍລິການລູກຄ້າ ເງິນເດືອນສູງ"),
]


@pytest.mark.parametrize(("expected", "text"), SAMPLES)
def test_detects_languages_of_the_region(expected: str, text: str) -> None:
    guess = detect_language(text)
    assert guess.code == expected
    assert guess.confidence > 0.3


def test_traditional_and_simplified_chinese_are_told_apart() -> None:
    assert detect_language("誠徵客服人員，高薪，包機票，聯絡電話").script == "Hant"
    assert detect_language("诚征客服人员，高薪，包机票，联络电话").script == "Hans"


def test_short_texts_are_undetermined_unless_hinted() -> None:
    assert detect_language("ok 👍").code == "und"
    assert detect_language("+855 12 345 678").code == "und"
    assert detect_language("ok", hint="vi").code == "vi"


@given(st.text(max_size=300))
def test_never_raises_and_confidence_is_a_probability(text: str) -> None:
    guess = detect_language(text)
    assert 0.0 <= guess.confidence <= 1.0
    assert guess.code
