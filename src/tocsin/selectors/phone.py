# ruff: noqa: RUF001, RUF002 -- full-width and CJK punctuation is what this module matches
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

import phonenumbers

from tocsin.model.selector import Selector, SelectorType
from tocsin.selectors.context import Context, fold_digits, is_ascii_alnum

__all__ = ["PhoneMatch", "extract", "match_phone_at", "parse_phone"]

_D = "[0-9\uff10-\uff19]"
_SEP = "[ \u00a0.\\-\u2010-\u2013()\uff08\uff09]"
#: A phone-shaped run: optional plus, optional opening bracket, digits and separators
#: (at most three in a row), ending on a digit.
_CANDIDATE = re.compile(rf"[+\uff0b]?[(\uff08]?{_D}(?:{_D}|{_SEP}{{1,3}}(?=[(\uff08]?{_D}))*{_D}")
#: Cheap prefilter: a document without 7 digits in a short window has no phone number.
_PREFILTER = re.compile(rf"{_D}(?:{_SEP}{{0,3}}{_D}){{6}}")

_DATE = re.compile(
    r"^(?:(?:19|20)\d\d[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ](?:19|20)?\d\d)"
    r"(?:\D|$)"
)
_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(?P<sep>[ .,\u00a0])\d{3}(?:(?P=sep)\d{3})+$")
_IPV4 = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
_CURRENCY_AFTER = re.compile(
    r"\s?(?:vnd|vnđ|usd|usdt|đ|đồng|dong|baht|บาท|元|块|万|rmb|cny|rp|idr|rm|myr|php|peso|"
    r"thb|eur|euro|€|\$|¥|₫|฿|k\b|tr\b|triệu|riel|kyat|円|%)",
    re.IGNORECASE,
)
_CURRENCY_BEFORE = re.compile(
    r"(?:\$|€|£|¥|₫|฿|usd|usdt|vnd|rp|rm|php|thb|idr|eur|rmb|cny|salary|lương)\s?$",
    re.IGNORECASE,
)
#: Words after which a digit run is an identifier of something else.
_NOT_A_PHONE_BEFORE = re.compile(
    r"(?:order|invoice|ref(?:erence)?|tracking|commande|facture|pesanan|no\.|n°|#|"
    r"mã đơn|mã số|đơn hàng|订单|单号|编号|เลขที่|passport|hộ chiếu|护照|paspor|"
    r"account|acct|a/c|tài khoản|stk|账号|账户|卡号|rekening|เลขบัญชี|compte|iban|"
    r"otp|code|mã|tx|hash|qq|q群|id)\s*(?:number|no\.?|num|#)?\s*[:：#]?\s*$",
    re.IGNORECASE,
)
_BAD_BEFORE = frozenset("+\uff0b@#$€£¥/\\_=&%")
_BAD_AFTER = frozenset("@/_%\\=&")

PhoneMatch = tuple[int, int, str, str]
"""``(start, end, e164, region)`` of a phone number found in a text."""


def _digits(raw: str) -> str:
    return "".join(ch for ch in fold_digits(raw) if ch.isdigit())


def parse_phone(raw: str, region: str | None) -> tuple[str, str] | None:
    """Parse one candidate: ``(e164, region)`` when it is a valid number, else ``None``."""
    folded = fold_digits(raw).strip()
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


def _boundaries_ok(text: str, start: int, end: int) -> bool:
    if start > 0:
        before = text[start - 1]
        if is_ascii_alnum(before) or before in _BAD_BEFORE:
            return False
        if before in ".,-:" and start > 1 and text[start - 2].isdigit():
            return False
    if end < len(text):
        after = text[end]
        if is_ascii_alnum(after) or after in _BAD_AFTER:
            return False
        if after in ".,-" and end + 1 < len(text) and text[end + 1].isdigit():
            return False
    return True


def _shape_ok(text: str, start: int, end: int, raw: str, explicit: bool) -> bool:
    """Throw away dates, amounts and prices before paying for a parse."""
    digits = _digits(raw)
    if not 7 <= len(digits) <= 15 or (explicit and len(digits) < 8):
        return False
    if explicit:
        return True
    folded = fold_digits(raw)
    if _DATE.match(folded) or _THOUSANDS.match(folded) or _IPV4.match(folded):
        return False
    if _CURRENCY_AFTER.match(text, end, min(len(text), end + 8)):
        return False
    return not _CURRENCY_BEFORE.search(text, max(0, start - 8), start)


def _cuts(raw: str) -> list[int]:
    """Offsets where an over-long run may be split: after each space."""
    return [0] + [i + 1 for i, ch in enumerate(raw) if ch in " \u00a0"] + [len(raw) + 1]


def _resolve(
    ctx: Context, start: int, end: int, default_region: str | None, check_words: bool
) -> list[PhoneMatch]:
    text = ctx.text
    raw = text[start:end]
    if raw[0] in "(\uff08" and not any(c in raw for c in ")\uff09"):
        start += 1
        raw = raw[1:]
    explicit = raw[0] in "+\uff0b" or raw.startswith("00")
    digits = _digits(raw)
    if len(digits) > 15:
        return _split(ctx, start, raw, default_region, check_words)
    if not _shape_ok(text, start, end, raw, explicit):
        return []
    if not explicit and check_words and _NOT_A_PHONE_BEFORE.search(text, max(0, start - 24), start):
        return []
    if explicit:
        parsed = parse_phone(raw, None)
    else:
        parsed = None
        for region in ctx.regions_for(start, end, default_region):
            parsed = parse_phone(raw, region)
            if parsed is not None:
                break
    if parsed is None:
        return []
    return [(start, end, parsed[0], parsed[1])]


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
            hit = _resolve(ctx, start + a, start + b, default_region, check_words)
            if hit:
                found.extend(hit)
                i = j
                break
        else:
            i += 1
    return found


def match_phone_at(ctx: Context, pos: int, default_region: str | None = None) -> PhoneMatch | None:
    """The phone number starting exactly at ``pos``, used after "WhatsApp:", "Zalo:"….

    ``default_region`` is the region to assume when the context gives none (VN for Zalo).
    """
    m = _CANDIDATE.match(ctx.text, pos)
    if m is None or not _boundaries_ok(ctx.text, m.start(), m.end()):
        return None
    found = _resolve(ctx, m.start(), m.end(), default_region, check_words=False)
    return found[0] if found and found[0][0] == pos else None


def extract(ctx: Context) -> list[Selector]:
    """Every valid phone number in the text (see the module docstring for the rules)."""
    text = ctx.text
    if _PREFILTER.search(text) is None:
        return []
    out: list[Selector] = []
    for m in _CANDIDATE.finditer(text):
        start, end = m.span()
        if not _boundaries_ok(text, start, end):
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
