"""Near-duplicates: reused templates link documents even when every contact changed."""

from __future__ import annotations

import pytest
from datasketch import MinHash

from tocsin.graph import MemoryLinkSource
from tocsin.graph.clusters import ClusterOptions, find_clusters
from tocsin.graph.neardup import (
    NUM_PERM,
    SCHEME,
    SEED,
    SHINGLE,
    near_duplicate_pairs,
    normalise,
    signature,
)

EN = (
    "Urgent hiring! Customer service in Sihanoukville, salary {s} USD per month, free flight "
    "and visa, food and dormitory provided, no experience needed, only basic English and typing. "
    "Contact our HR manager {c} today, places are limited."
)
ZH = (
    "高薪招聘：西港客服专员，月薪{s}美元，包机票包签证包吃住，无需经验，会打字即可，名额有限，"
    "速来联系人事经理{c}，每月奖金丰厚，工作轻松环境好，欢迎你加入我们的团队。"
)
TH = (
    "รับสมัครด่วน งานแอดมินออนไลน์ที่สีหนุวิลล์ เงินเดือน {s} ดอลลาร์ ฟรีตั๋วเครื่องบินและวีซ่า "
    "มีที่พักและอาหาร ไม่ต้องมีประสบการณ์ พิมพ์ดีดได้ก็พอ ติดต่อฝ่ายบุคคล {c} ทันที รับจำนวนจำกัด"
)
OTHER = (
    "Bakery in Lyon looking for a morning shift assistant, French required, two years of "
    "experience with bread and pastries, apply with references at the shop counter."
)


def test_normalise_folds_case_space_and_digits() -> None:
    assert normalise("Call  +855 12\n345 or t.me/hr_9, 2 days") == "call # or # , 0 days"


def test_short_texts_get_no_signature() -> None:
    assert signature("hi, call me") is None


def _source() -> MemoryLinkSource:
    src = MemoryLinkSource()
    for lang, template in (("en", EN), ("zh", ZH), ("th", TH)):
        src.add(f"{lang}1", [f"telegram:{lang}_one"], text=template.format(s=1500, c="@hr_one"))
        src.add(
            f"{lang}2",
            [f"phone:+66{lang}"],
            text=template.format(s=2200, c="+66 81 234 5678 t.me/new_recruiter_2024"),
        )
    src.add("other", ["email:shop@bakery.example"], text=OTHER)
    return src


def test_templates_link_across_changed_contacts_in_english_chinese_and_thai() -> None:
    src = _source()
    pairs = near_duplicate_pairs(src.iter_signatures(), 0.7)
    assert [(a, b) for a, b, _ in pairs] == [("en1", "en2"), ("th1", "th2"), ("zh1", "zh2")]
    assert all(0.7 <= sim <= 1.0 for *_, sim in pairs)


def test_near_duplicates_join_clusters_as_a_visible_edge_type() -> None:
    result = find_clusters(_source(), ClusterOptions(hub_min_degree=10, hub_threshold=10))
    by_docs = {c.documents: c for c in result.clusters()}
    assert set(by_docs) == {("en1", "en2"), ("th1", "th2"), ("zh1", "zh2"), ("other",)}
    assert by_docs[("zh1", "zh2")].near_duplicates[0][:2] == ("zh1", "zh2")
    assert by_docs[("zh1", "zh2")].selectors == ("phone:+66zh", "telegram:zh_one")
    off = ClusterOptions(hub_min_degree=10, hub_threshold=10, near_duplicates=False)
    assert len(list(find_clusters(_source(), off).clusters())) == 7


def test_unrelated_texts_are_not_linked() -> None:
    src = MemoryLinkSource()
    src.add("a", text=EN.format(s=1, c="x"))
    src.add("b", text=OTHER)
    assert near_duplicate_pairs(src.iter_signatures(), 0.5) == []


@pytest.mark.parametrize(
    "text",
    [
        "We are hiring customer service staff in Sihanoukville, salary 1500 USD, visa paid. " * 3,
        "招聘客服 柬埔寨西哈努克 月薪1500美元 包吃包住 联系 @abc 工作轻松 " * 3,
        "ได้เงินเดือนดี ทำงานที่กัมพูชา ติดต่อไลน์ 😀 " * 4,
    ],
)
def test_signature_matches_datasketch(text: str) -> None:
    """The fast signature is exactly datasketch's MinHash (stored signatures stay comparable)."""
    norm = normalise(text)
    shingles = {norm[i : i + SHINGLE].encode("utf-8") for i in range(len(norm) - SHINGLE + 1)}
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch(list(shingles))
    assert signature(text) == minhash.hashvalues.astype("<u4").tobytes()
