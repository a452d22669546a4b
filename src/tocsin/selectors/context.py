"""Context shared by the extractors: character folding, nearby words, region inference.

Many selectors are only recognisable from the words around them (a bare ``@name`` is a
Telegram handle only when the text says Telegram; ``0912 345 678`` is a phone number only
once we know which country's numbering plan to read it in). The helpers here keep that
logic in one place so every extractor reads context the same way.

Region inference for national phone numbers, in order of trust:

1. the caller's ``country`` hint (an intake source usually knows its country);
2. the region implied by the kind of account, when there is one (a Zalo number is
   Vietnamese, a WeChat number Chinese);
3. countries or well-known cities named within :data:`REGION_WINDOW` characters of the
   number ("Cambodia", "柬埔寨", "Campuchia", "Phnom Penh" → KH), nearest first;
4. the region most associated with the ``language`` hint (vi → VN, th → TH, …);
5. otherwise there is no region and a national number is not reported (precision first).

The first region in which the number is *valid* wins: a Vietnamese mobile written next to
the word "Campuchia" stays Vietnamese because it is not a valid Cambodian number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "LANGUAGE_REGIONS",
    "REGION_WINDOW",
    "CaselessPattern",
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
        "birmanie",
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
    "PH": (
        "philippines",
        "philippine",
        "filipina",
        "filipinas",
        "菲律宾",
        "ฟิลิปปินส์",
        "manila",
        "马尼拉",
    ),
    "ID": ("indonesia", "印尼", "印度尼西亚", "jakarta"),
    "MY": ("malaysia", "malaisie", "马来西亚", "kuala lumpur", "มาเลเซีย"),
    "CN": ("china", "中国", "trung quốc", "จีน", "chine"),
    "IN": ("india", "ấn độ", "印度", "อินเดีย", "inde"),
    "FR": ("france", "pháp", "法国", "ฝรั่งเศส"),
}


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and (char.isascii() or "\u00c0" <= char <= "\u1ef9")


_DIGIT = re.compile(r"[0-9\uff10-\uff19]")
_WORD_REGION = {w: region for region, words in _REGION_WORDS.items() for w in words}


def fold_digits(text: str) -> str:
    """Fold full-width digits and ``＋`` to ASCII (same length, so spans stay valid)."""
    return text.translate(_FOLD)


def is_ascii_alnum(char: str) -> bool:
    """True for ``[A-Za-z0-9]``; CJK and Thai letters are *not* word boundaries we respect,
    because those scripts write identifiers straight after words without spaces."""
    return char.isascii() and char.isalnum()


class CaselessPattern:
    """A case-insensitive regex that runs as a case-sensitive one on the lower-cased text.

    ``re.IGNORECASE`` disables the first-character skip of long keyword alternations and
    makes them ten times slower; matching lower-case literals against ``text.lower()`` is
    equivalent and fast. The pattern must be written in lower case. When lower-casing would
    change the text's length (a few characters such as "İ" do), spans would no longer line
    up, so the ``IGNORECASE`` pattern runs on the original text instead.
    """

    __slots__ = ("_fast", "_slow")

    def __init__(self, pattern: str) -> None:
        self._fast = re.compile(pattern)
        self._slow = re.compile(pattern, re.IGNORECASE)

    def finditer(
        self, ctx: Context, pos: int = 0, endpos: int | None = None
    ) -> Iterator[re.Match[str]]:
        lower = ctx.lower
        end = len(ctx.text) if endpos is None else endpos
        if lower is None:
            return self._slow.finditer(ctx.text, pos, end)
        return self._fast.finditer(lower, pos, end)

    def search(self, ctx: Context, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        lower = ctx.lower
        end = len(ctx.text) if endpos is None else endpos
        if lower is None:
            return self._slow.search(ctx.text, pos, end)
        return self._fast.search(lower, pos, end)

    def match(self, ctx: Context, pos: int = 0) -> re.Match[str] | None:
        lower = ctx.lower
        if lower is None:
            return self._slow.match(ctx.text, pos)
        return self._fast.match(lower, pos)


# No look-behind in front of the alternation: it would stop ``re`` from skipping ahead on the
# first characters, and this pattern runs on every document. Boundaries are checked after.
_REGION_RE = CaselessPattern(
    "|".join(
        re.escape(word)
        for word in sorted(
            (w for words in _REGION_WORDS.values() for w in words), key=len, reverse=True
        )
    )
)


@dataclass(slots=True)
class Context:
    """What one ``extract()`` call knows about the text beyond the text itself."""

    text: str
    country: str | None = None
    language: str | None = None
    _region_hits: dict[tuple[int, int], list[tuple[int, str]]] | None = None
    _lower: str | None = None
    _lower_done: bool = False

    @property
    def lower(self) -> str | None:
        """``text.lower()`` when it has the same length as the text (nearly always)."""
        if not self._lower_done:
            lowered = self.text.lower()
            self._lower = lowered if len(lowered) == len(self.text) else None
            self._lower_done = True
        return self._lower

    @property
    def language_region(self) -> str | None:
        if self.language is None:
            return None
        return LANGUAGE_REGIONS.get(self.language.lower().split("-")[0])

    def _hits(self, start: int, end: int) -> list[tuple[int, str]]:
        """Country names within :data:`REGION_WINDOW` of ``start:end`` (searched lazily:
        only texts with a national number candidate pay for it)."""
        lo, hi = max(0, start - REGION_WINDOW - 20), min(len(self.text), end + REGION_WINDOW)
        if self._region_hits is None:
            self._region_hits = {}
        cached = self._region_hits.get((lo, hi))
        if cached is not None:
            return cached
        # Latin-script names need word boundaries ("inde" must not fire inside
        # "independent"); CJK and Thai names are written without spaces.
        text = self.text
        hits = [
            (m.start(), _WORD_REGION[m.group().lower()])
            for m in _REGION_RE.finditer(self, lo, hi)
            if not text[m.start()].isascii()
            or (
                (m.start() == 0 or not _is_latin_letter(text[m.start() - 1]))
                and (m.end() == len(text) or not _is_latin_letter(text[m.end()]))
            )
        ]
        self._region_hits[(lo, hi)] = hits
        return hits

    def regions_near(self, start: int, end: int) -> list[str]:
        """Countries named within :data:`REGION_WINDOW` of ``text[start:end]``, nearest first."""
        near: list[tuple[int, str]] = []
        for pos, region in self._hits(start, end):
            if pos < start:
                distance = start - pos
            else:
                # A country named *after* the number labels it ("0912… (Vietnam)") unless
                # another number follows the name: then it labels that one.
                distance = pos - end
                if _DIGIT.search(self.text, pos, min(len(self.text), pos + 24)):
                    continue
            if distance <= REGION_WINDOW:
                near.append((distance, region))
        return [region for _, region in sorted(near)]

    def regions_for(self, start: int, end: int, default: str | None = None) -> list[str]:
        """Numbering plans to try, in order, for a national number at ``start:end``.

        ``default`` is the region implied by the *kind* of account (a Zalo number is
        Vietnamese whatever the text says around it), so it comes before the context.

        The first plan in which the number is *valid* wins, so a Vietnamese mobile in a
        Vietnamese text stays Vietnamese even when "Campuchia" is written next to it.
        """
        regions: list[str] = []
        for region in (
            None if self.country is None else self.country.upper(),
            default,
            *self.regions_near(start, end),
            self.language_region,
        ):
            if region is not None and region not in regions:
                regions.append(region)
        return regions
