"""Phone numbers, normalised to E.164 with ``phonenumbers``.

Why not ``phonenumbers.PhoneNumberMatcher``: it walks the whole text with a leniency state
machine and is an order of magnitude too slow for the scan budget. Instead a compiled regex
finds *candidates* (a digit run of 7–15 digits with the separators people type: spaces,
dots, dashes, brackets, full-width digits and ``＋``), cheap checks throw away the shapes
that are almost never phones, and only the survivors reach ``phonenumbers.parse``.

Rules, and why:

- **Only valid numbers are kept** (``is_valid_number``; ``validated`` is always true).
  "Possible" numbers (right length, unassigned range) are mostly amounts, ids and dates that
  happen to have the right length; an analyst pivoting on a phone wants real numbers.
- ``+`` or full-width ``＋`` → international; a leading ``00`` is read as the international
  prefix (true in most of the world; ``011`` from North America is not recognised).
- A national number (leading trunk ``0`` or no prefix) needs a region: see
  :mod:`tocsin.selectors.context` (country hint, country named nearby, language hint).
- Rejected before parsing: dates (``2024-05-12``, ``12.05.2024``), thousand-grouped amounts
  not starting with ``0`` (``1.500.000``, ``2 000 000``), numbers next to a currency word or
  symbol, digits glued to letters (crypto addresses, IBANs, hashes, order codes such as
  ``A12345678``), and national numbers right after words such as "order", "invoice",
  "account", "订单", "số tài khoản" (ids, not phones; an explicit ``+`` overrides).
- A candidate with more than 15 digits is usually two numbers written side by side: it is
  split at its spaces and the longest valid pieces are kept, left to right.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from tocsin.model.selector import Selector, SelectorType
from tocsin.selectors.context import CaselessPattern, Context, fold_digits, is_ascii_alnum

__all__ = ["PhoneMatch", "extract", "match_phone_at", "parse_phone"]

_D = "[0-9\uff10-\uff19]"
_SEP = "[ \u00a0.\\-\u2010-\u2013()\uff08\uff09]"
#: A phone-shaped run: at least 7 digits with separators (at most three in a row) between
#: them, ending on a digit. Requiring 7 digits in the pattern itself keeps the many short
#: numbers of a text ("18-35", "24h") out of Python. A leading "+" or "(" is taken by
#: ``_extend_back``: an optional prefix in the pattern would make it four times slower.
_CANDIDATE = re.compile(rf"{_D}(?:{_SEP}{{0,3}}{_D}){{6,}}")

#: A whole candidate that is a date (and maybe a time): "12.05.2024", "2024-05-12 10 30".
#: Matched in full, so French numbers written "06.12.64.47.30" are not dates.
_DATE = re.compile(
    r"(?:(?:19|20)\d\d[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:19|20)?\d\d"
    r"|(?:19|20)\d\d ?[-\u2013] ?(?:19|20)\d\d)"
    r"(?:[ T]\d{1,2}(?:[ .]\d\d){0,2})?"
)
_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(?P<sep>[ .,\u00a0])\d{3}(?:(?P=sep)\d{3})+\Z")
#: "102.114118", "3.14159265": one dot, the usual shape of a decimal, never of a phone.
_DECIMAL = re.compile(r"\d{1,3}\.\d{4,}")
_IPV4 = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\Z")
_CURRENCY_AFTER = re.compile(
    r"[ \u00a0]?(?:vnd|vnđ|usd|usdt|đ|đồng|dong|baht|บาท|元|块|万|rmb|cny|rp|idr|rm|myr|php|peso|"
    r"thb|eur|euro|€|\$|¥|₫|฿|k\b|tr\b|triệu|riel|kyat|円|%)(?![0-9A-Za-z\u00c0-\u1ef9])",
    re.IGNORECASE,
)
_CURRENCY_BEFORE = re.compile(
    r"(?:\$|€|£|¥|₫|฿|usd|usdt|vnd|rp|rm|php|thb|idr|eur|rmb|cny|salary|lương)\s?\Z",
    re.IGNORECASE,
)
#: Words after which a digit run is an identifier of something else.
_NOT_A_PHONE_BEFORE = CaselessPattern(
    r"(?:order|invoice|ref(?:erence)?|tracking|commande|facture|pesanan|no\.|n°|#|"
    r"mã đơn|mã số|đơn hàng|订单|单号|编号|เลขที่|passport|hộ chiếu|护照|paspor|"
    r"account|acct|a/c|tài khoản|stk|账号|账户|卡号|rekening|เลขบัญชี|compte|iban|"
    r"otp|code|mã|tx|hash|qq|q群|id)\s*(?:number|no\.?|num|#)?\s*[:：#]?\s*\Z"
)
_BAD_BEFORE = frozenset("+\uff0b@#$€£¥/\\_=&%")
_BAD_AFTER = frozenset("@/_%\\=&")

PhoneMatch = tuple[int, int, str, str]
"""``(start, end, e164, region)`` of a phone number found in a text."""


_NON_DIGIT = re.compile(r"\D")


def _digits(raw: str) -> str:
    return _NON_DIGIT.sub("", fold_digits(raw))


@lru_cache(maxsize=8192)
def parse_phone(raw: str, region: str | None) -> tuple[str, str] | None:
    """Parse one candidate: ``(e164, region)`` when it is a valid number, else ``None``.

    Cached: ``phonenumbers.parse`` is the most expensive step of extraction, a number in a
    "WhatsApp: +84…" mention is read by two extractors, and recruiters repeat their numbers
    across thousands of ads.
    """
    folded = fold_digits(raw).strip()
    if folded.startswith("(+"):  # "(+84) 912…": the bracket only groups the country code
        folded = folded[1:].replace(")", "", 1)
    if folded.startswith("00") and not folded.startswith("000"):
        folded = "+" + folded[2:].lstrip(" .-")
    if folded.startswith("+"):
        region = None
    elif region is None:
        return None
    try:
        number = phonenumbers.parse(folded, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.region_code_for_number(number) or ""


def _start_ok(text: str, start: int) -> bool:
    """Digits glued to letters are ids, addresses or hashes, not phone numbers."""
    if start == 0:
        return True
    before = text[start - 1]
    if is_ascii_alnum(before) or before in _BAD_BEFORE:
        return False
    return not (before in ".,-:" and start > 1 and text[start - 2].isdigit())


def _end_ok(text: str, end: int) -> bool:
    if end >= len(text):
        return True
    after = text[end]
    if is_ascii_alnum(after) or after in _BAD_AFTER:
        return False
    return not (after in ".,-" and end + 1 < len(text) and text[end + 1].isdigit())


def _fit(text: str, start: int, end: int) -> int | None:
    """End of the candidate once glued-on trailing groups are dropped, or ``None``.

    "06-12-53-07-06. 13/4/2019" is a number followed by a date: when the run's end is not
    a boundary, it is cut back at its last space until it is.
    """
    if not _start_ok(text, start):
        return None
    while not _end_ok(text, end):
        cut = text.rfind(" ", start, end)
        if cut <= start:
            return None
        end = cut
        while end > start and not text[end - 1].isdigit():
            end -= 1
    return end


def _shape_ok(text: str, start: int, end: int, raw: str, explicit: bool) -> bool:
    """Throw away dates, amounts and prices before paying for a parse."""
    digits = _digits(raw)
    if not 7 <= len(digits) <= 15 or (explicit and len(digits) < 8):
        return False
    if explicit:
        return True
    folded = fold_digits(raw)
    if _DATE.fullmatch(folded) or _THOUSANDS.match(folded) or _IPV4.match(folded):
        return False
    if _DECIMAL.fullmatch(folded):
        return False
    # Amounts do not start with a trunk "0"; "091 487 674 USDT (TRC20): T…" is a phone.
    if folded[0] != "0" and _CURRENCY_AFTER.match(text, end, min(len(text), end + 8)):
        return False
    return not _CURRENCY_BEFORE.search(text, max(0, start - 8), start)


def _cuts(raw: str) -> list[int]:
    """Offsets where an over-long run may be split: after each space."""
    return [0] + [i + 1 for i, ch in enumerate(raw) if ch in " \u00a0"] + [len(raw) + 1]


def _opened(raw: str) -> int:
    """Brackets opened and not closed: a leading one then belongs to the sentence."""
    return raw.count("(") + raw.count("\uff08") - raw.count(")") - raw.count("\uff09")


def _resolve(
    ctx: Context,
    start: int,
    end: int,
    default_region: str | None,
    check_words: bool,
    allow_split: bool = True,
) -> list[PhoneMatch]:
    """Valid numbers in the candidate ``text[start:end]``.

    When the whole run is not a valid number, its longest valid prefix ending at a space is
    tried ("081 210 7358 2026年" is a number followed by a year); a run of more than 15
    digits is split into several numbers (see ``_split``).
    """
    text = ctx.text
    raw = text[start:end].rstrip(" .-\u00a0")
    end = start + len(raw)
    stripped = raw.lstrip(" .-\u00a0")
    start, raw = start + len(raw) - len(stripped), stripped
    while raw and raw[0] in "(\uff08" and _opened(raw) > 0:
        start += 1
        raw = raw[1:]
    if not raw:
        return []
    explicit = raw.lstrip("(\uff08")[:1] in ("+", "\uff0b") or raw.startswith("00")
    if len(_digits(raw)) > 15:
        return _split(ctx, start, raw, default_region, check_words) if allow_split else []
    if not _shape_ok(text, start, end, raw, explicit):
        return []
    if not explicit and check_words and _NOT_A_PHONE_BEFORE.search(ctx, max(0, start - 24), start):
        return []
    parsed = _parse_in_context(ctx, start, end, raw, explicit, default_region)
    if parsed is not None:
        return [(start, end, parsed[0], parsed[1])]
    if allow_split and " " in raw:
        for cut in range(len(raw) - 1, 0, -1):
            if raw[cut] == " " and len(_digits(raw[:cut])) >= 7:
                piece = raw[:cut].rstrip(" .-")
                parsed = _parse_in_context(
                    ctx, start, start + len(piece), piece, explicit, default_region
                )
                if parsed is not None:
                    return [(start, start + len(piece), parsed[0], parsed[1])]
        # "17.4 131-2390-5206": a short number written just before the phone number
        for cut in range(1, len(raw)):
            if raw[cut - 1] == " " and raw[cut] != " " and len(_digits(raw[cut:])) >= 7:
                return _resolve(ctx, start + cut, end, default_region, check_words, False)
    return []


def _parse_in_context(
    ctx: Context, start: int, end: int, raw: str, explicit: bool, default_region: str | None
) -> tuple[str, str] | None:
    if explicit:
        return parse_phone(raw, None)
    for region in ctx.regions_for(start, end, default_region):
        parsed = parse_phone(raw, region)
        if parsed is not None:
            return parsed
    return None


def _split(
    ctx: Context, start: int, raw: str, default_region: str | None, check_words: bool
) -> list[PhoneMatch]:
    """Longest valid numbers, left to right, in a run too long to be one number."""
    cuts = _cuts(raw)
    found: list[PhoneMatch] = []
    i = 0
    while i < len(cuts) - 1:
        for j in range(len(cuts) - 1, i, -1):
            a, b = cuts[i], cuts[j] - 1
            if len(_digits(raw[a:b])) > 15:
                continue
            hit = _resolve(ctx, start + a, start + b, default_region, check_words, False)
            if hit:
                found.extend(hit)
                i = j
                break
        else:
            i += 1
    return found


def _extend_back(text: str, start: int) -> int:
    """Take a "+", "(" or "(+" written just before the first digit."""
    plus = False
    for _ in range(2):
        if start == 0:
            break
        before = text[start - 1]
        if before in "(\uff08" or (before in "+\uff0b" and not plus):
            plus = plus or before in "+\uff0b"
            start -= 1
        else:
            break
    return start


def match_phone_at(ctx: Context, pos: int, default_region: str | None = None) -> PhoneMatch | None:
    """The phone number starting exactly at ``pos``, used after "WhatsApp:", "Zalo:"….

    ``default_region`` is the region to assume when the context gives none (VN for Zalo).
    """
    text = ctx.text
    digit = pos
    while digit < len(text) and digit - pos < 2 and text[digit] in "+\uff0b(\uff08":
        digit += 1
    m = _CANDIDATE.match(text, digit)
    if m is None or _extend_back(text, digit) != pos:
        return None
    end = _fit(text, pos, m.end())
    if end is None:
        return None
    found = _resolve(ctx, pos, end, default_region, check_words=False)
    return found[0] if found and found[0][0] == pos else None


def extract(ctx: Context) -> list[Selector]:
    """Every valid phone number in the text (see the module docstring for the rules)."""
    text = ctx.text
    out: list[Selector] = []
    for m in _CANDIDATE.finditer(text):
        start = _extend_back(text, m.start())
        while not _start_ok(text, start):
            # "DE16…1534 06 12 91 52 70": skip the group glued to letters
            space = text.find(" ", start, m.end())
            if space == -1:
                break
            start = space + 1
            while start < m.end() and not (text[start].isdigit() or text[start] in "+(\uff0b"):
                start += 1
        end = _fit(text, start, m.end())
        if end is None or len(_digits(text[start:end])) < 7:
            continue
        for s, e, e164, region in _resolve(ctx, start, end, None, check_words=True):
            out.append(
                Selector(
                    SelectorType.PHONE,
                    e164,
                    s,
                    e,
                    text[s:e],
                    country=region or None,
                    validated=True,
                )
            )
    return out
