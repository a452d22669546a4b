"""Bank accounts: IBANs, and national account numbers where the text says so reliably.

**IBAN**: two upper-case letters, two check digits, then the BBAN, compact or in groups of
four separated by single spaces. Validated with ``schwifty`` (ISO 13616 mod-97, the
country's length and BBAN structure); a longest-first search drops trailing groups that
belong to the next word. Value: compact, upper case; ``country`` from the first two letters.

**BANK_ACCOUNT**: most of the money in this field moves through domestic accounts that have
no checksum at all, so a digit run is reported only when *both* of these hold:

1. an account keyword comes right before it ("account number", "acc no", "A/C", "STK",
   "số tài khoản", "账号", "卡号", "เลขบัญชี", "rekening", "numéro de compte", …), with at
   most a colon and a few spaces between;
2. a bank is named within :data:`BANK_WINDOW` characters (a known bank such as Vietcombank,
   ICBC, Kasikorn, BCA, ABA, Maybank, or the word for "bank" in the text's language).

The number is 8–20 digits, possibly grouped by spaces or dashes; value = digits only;
``country`` is set when the named bank is domestic to one country. ``validated`` is false:
nothing can check a domestic account number.
"""

from __future__ import annotations

import re

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from tocsin.model.selector import Selector, SelectorType
from tocsin.selectors.context import CaselessPattern, Context

__all__ = ["BANK_WINDOW", "extract_accounts", "extract_ibans"]

BANK_WINDOW = 80

_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?")
_IBAN_PREFILTER = re.compile(r"[A-Z]{2}\d{2}")

_BANKS: dict[str, str | None] = {
    "vietcombank": "VN",
    "vcb": "VN",
    "techcombank": "VN",
    "bidv": "VN",
    "agribank": "VN",
    "vietinbank": "VN",
    "mb bank": "VN",
    "mbbank": "VN",
    "acb": "VN",
    "vpbank": "VN",
    "sacombank": "VN",
    "tpbank": "VN",
    "icbc": "CN",
    "工商银行": "CN",
    "中国银行": "CN",
    "建设银行": "CN",
    "农业银行": "CN",
    "招商银行": "CN",
    "bank of china": "CN",
    "bca": "ID",
    "bri": "ID",
    "bni": "ID",
    "mandiri": "ID",
    "kasikorn": "TH",
    "kbank": "TH",
    "กสิกร": "TH",
    "ไทยพาณิชย์": "TH",
    "scb": "TH",
    "bangkok bank": "TH",
    "กรุงเทพ": "TH",
    "krungthai": "TH",
    "กรุงไทย": "TH",
    "aba bank": "KH",
    "acleda": "KH",
    "wing bank": "KH",
    "maybank": "MY",
    "cimb": "MY",
    "public bank": "MY",
    "bdo": "PH",
    "bpi": "PH",
    "metrobank": "PH",
    "hsbc": None,
    "citibank": None,
    "bank": None,
    "ngân hàng": None,
    "银行": None,
    "銀行": None,
    "ธนาคาร": None,
    "banque": None,
    "bancaire": None,
}
_BANK_RE = re.compile("|".join(re.escape(name) for name in sorted(_BANKS, key=len, reverse=True)))
_BANK_NAMES = "|".join(re.escape(name) for name in sorted(_BANKS, key=len, reverse=True))
_ACCOUNT = CaselessPattern(
    r"(?:account\s*(?:number|no\.?|#)|acc(?:t)?\.?\s*(?:no\.?|number|#)|a/c(?:\s*no\.?)?|"
    r"bank\s*account|stk|số\s*tài\s*khoản|số\s*tk|tài\s*khoản|账号|帐号|账户|卡号|银行卡号|"
    r"收款账号|เลขบัญชี|เลขที่บัญชี|no\.?\s*rek(?:ening)?\.?|nomor\s*rekening|rekening|"
    r"numéro\s*de\s*compte|n°\s*de\s*compte|compte|account)"
    # a bank may be named between the keyword and the number ("rekening BCA 123…")
    rf"\s*(?:(?:{_BANK_NAMES})\s*)?[:：]?\s*(?P<num>\d(?:[ \-]?\d){{7,19}})(?![\da-z])"
)
_ACCOUNT_PREFILTER = re.compile(r"\d{4}")


def _bank_word(window: str, m: re.Match[str]) -> bool:
    """Latin bank names must be whole words ("bri" is not a bank inside "fabric")."""
    if not m.group()[0].isascii():
        return True
    before = window[m.start() - 1] if m.start() > 0 else " "
    after = window[m.end()] if m.end() < len(window) else " "
    return not (before.isascii() and before.isalpha()) and not (after.isascii() and after.isalpha())


def extract_ibans(ctx: Context) -> list[Selector]:
    """Every IBAN that passes mod-97 and its country's format."""
    text = ctx.text
    if _IBAN_PREFILTER.search(text) is None:
        return []
    out: list[Selector] = []
    for m in _IBAN.finditer(text):
        raw = m.group()
        while len(raw) >= 15:
            compact = raw.replace(" ", "")
            try:
                iban = IBAN(compact)
            except (SchwiftyException, ValueError):
                cut = raw.rfind(" ")
                raw = raw[:cut] if cut > 0 else ""
                continue
            end = m.start() + len(raw)
            if end < len(text) and text[end].isascii() and text[end].isalnum():
                break
            out.append(
                Selector(
                    SelectorType.IBAN,
                    str(iban.compact),
                    m.start(),
                    end,
                    raw,
                    country=iban.country_code,
                    validated=True,
                )
            )
            break
    return out


def extract_accounts(ctx: Context) -> list[Selector]:
    """Domestic account numbers after an account keyword with a bank named nearby."""
    text = ctx.text
    if _ACCOUNT_PREFILTER.search(text) is None:
        return []
    out: list[Selector] = []
    for m in _ACCOUNT.finditer(ctx):
        start, end = m.span("num")
        window = text[max(0, m.start() - BANK_WINDOW) : end + BANK_WINDOW].lower()
        banks = [b.group() for b in _BANK_RE.finditer(window) if _bank_word(window, b)]
        if not banks:
            continue
        countries = {_BANKS.get(b) for b in banks} - {None}
        country = countries.pop() if len(countries) == 1 else None
        digits = re.sub(r"\D", "", m.group("num"))
        out.append(
            Selector(
                SelectorType.BANK_ACCOUNT,
                digits,
                start,
                end,
                text[start:end],
                country=country,
            )
        )
    return out
