# ruff: noqa: RUF001, RUF002 -- full-width and CJK punctuation is what this module matches
"""Context shared by the extractors: character folding, nearby words, region inference.

Many selectors are only recognisable from the words around them (a bare ``@name`` is a
Telegram handle only when the text says Telegram; ``0912 345 678`` is a phone number only
once we know which country's numbering plan to read it in). The helpers here keep that
logic in one place so every extractor reads context the same way.

Region inference for national phone numbers, in order of trust:

1. the caller's ``country`` hint (an intake source usually knows its country);
2. a country or well-known city named within :data:`REGION_WINDOW` characters of the
   number ("Cambodia", "柬埔寨", "Campuchia", "Phnom Penh" → KH), the nearest one winning;
3. the region most associated with the ``language`` hint (vi → VN, th → TH, …);
4. otherwise there is no region and a national number is not reported (precision first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "LANGUAGE_REGIONS",
    "REGION_WINDOW",
    "Context",
    "fold_digits",
    "is_ascii_alnum",
]

#: Full-width digits and plus sign, as typed by CJK input methods, folded to ASCII.
_FOLD = str.maketrans("０１２３４５６７８９＋", "0123456789+")

#: How far (characters, either side) a country name is looked for around a number.
REGION_WINDOW = 80

#: The region most likely meant by a national number in a text written in a language.
#: Only languages spoken mainly in one numbering plan are listed; English or Spanish say
#: nothing useful about a phone number's country.
LANGUAGE_REGIONS: dict[str, str] = {
    "vi": "VN",
    "th": "TH",
    "km": "KH",
    "my": "MM",
    "lo": "LA",
    "id": "ID",
    "zh": "CN",
    "fil": "PH",
    "tl": "PH",
    "ms": "MY",
    "ja": "JP",
    "ko": "KR",
    "fr": "FR",
    "de": "DE",
    "it": "IT",
    "pt": "BR",
    "ru": "RU",
    "uk": "UA",
    "tr": "TR",
    "bn": "BD",
    "ne": "NP",
    "si": "LK",
    "ur": "PK",
}

# Names of countries (and the cities where compounds are) in the languages of the region.
_REGION_WORDS: dict[str, tuple[str, ...]] = {
    "KH": (
        "cambodia",
        "campuchia",
        "kampuchea",
        "cambodge",
        "kamboja",
        "柬埔寨",
        "กัมพูชา",
        "phnom penh",
        "sihanoukville",
        "西港",
        "金边",
        "poipet",
        "bavet",
        "កម្ពុជា",
    ),
    "MM": (
        "myanmar",
        "burma",
        "miến điện",
        "缅甸",
        "เมียนมา",
        "พม่า",
        "myawaddy",
        "妙瓦底",
        "kk park",
        "shwe kokko",
        "yangon",
    ),
    "TH": (
        "thailand",
        "thái lan",
        "泰国",
        "ประเทศไทย",
        "thaïlande",
        "bangkok",
        "曼谷",
        "กรุงเทพ",
        "mae sot",
    ),
    "VN": (
        "vietnam",
        "việt nam",
        "viet nam",
        "越南",
        "เวียดนาม",
        "hà nội",
        "hồ chí minh",
        "ho chi minh",
        "saigon",
    ),
    "LA": ("laos", "lào", "老挝", "ลาว", "vientiane", "golden triangle", "金三角"),
    "PH": ("philippines", "philippine", "菲律宾", "ฟิลิปปินส์", "manila", "马尼拉"),
    "ID": ("indonesia", "印尼", "印度尼西亚", "jakarta"),
    "MY": ("malaysia", "马来西亚", "kuala lumpur", "มาเลเซีย"),
    "CN": ("china", "中国", "trung quốc", "จีน", "chine"),
    "IN": ("india", "ấn độ", "印度", "อินเดีย", "inde"),
    "FR": ("france", "pháp", "法国", "ฝรั่งเศส"),
}


def _word_pattern(word: str) -> str:
    # Latin-script names need word boundaries ("inde" must not fire inside "independent");
    # CJK and Thai names are written without spaces and cannot have them.
    if word[0].isascii():
        return rf"(?<![A-Za-z\u00c0-\u1ef9]){re.escape(word)}(?![A-Za-z\u00c0-\u1ef9])"
    return re.escape(word)


_REGION_RE = re.compile(
    "|".join(
        _word_pattern(word)
        for word in sorted(
            (w for words in _REGION_WORDS.values() for w in words), key=len, reverse=True
        )
    ),
    re.IGNORECASE,
)
_WORD_REGION = {w: region for region, words in _REGION_WORDS.items() for w in words}


def fold_digits(text: str) -> str:
    """Fold full-width digits and ``＋`` to ASCII (same length, so spans stay valid)."""
    return text.translate(_FOLD)


def is_ascii_alnum(char: str) -> bool:
    """True for ``[A-Za-z0-9]``; CJK and Thai letters are *not* word boundaries we respect,
    because those scripts write identifiers straight after words without spaces."""
    return char.isascii() and char.isalnum()


@dataclass(slots=True)
class Context:
    """What one ``extract()`` call knows about the text beyond the text itself."""

    text: str
    country: str | None = None
    language: str | None = None
    _region_hits: list[tuple[int, str]] | None = None

    @property
    def language_region(self) -> str | None:
        if self.language is None:
            return None
        return LANGUAGE_REGIONS.get(self.language.lower().split("-")[0])

    def _hits(self) -> list[tuple[int, str]]:
        if self._region_hits is None:
            self._region_hits = [
                (m.start(), _WORD_REGION[m.group().lower()]) for m in _REGION_RE.finditer(self.text)
            ]
        return self._region_hits

    def region_near(self, start: int, end: int) -> str | None:
        """The country named nearest to ``text[start:end]``, within :data:`REGION_WINDOW`."""
        best: tuple[int, str] | None = None
        for pos, region in self._hits():
            distance = start - pos if pos < start else pos - end
            if distance <= REGION_WINDOW and (best is None or distance < best[0]):
                best = (distance, region)
        return None if best is None else best[1]

    def regions_for(self, start: int, end: int, default: str | None = None) -> list[str]:
        """Numbering plans to try, in order, for a national number at ``start:end``.

        The first plan in which the number is *valid* wins, so a Vietnamese mobile in a
        Vietnamese text stays Vietnamese even when "Campuchia" is written next to it.
        """
        regions: list[str] = []
        for region in (
            None if self.country is None else self.country.upper(),
            self.region_near(start, end),
            self.language_region,
            default,
        ):
            if region is not None and region not in regions:
                regions.append(region)
        return regions
