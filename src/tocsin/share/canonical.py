"""Canonical selectors from values written by someone else (a partner's STIX, MISP or FtM file).

The store's selector keys are already canonical (``type:value``: E.164 phones, lower-case
handles, e-mails and domains, EIP-55 Ethereum addresses, compact IBANs) because the extractors
make them so. A partner's file writes the same identifier in its own way — ``+855 12 345 678``,
``@HR_Desk``, ``https://t.me/HR_desk``, an all-lower-case Ethereum address — so every value read
from a file goes through `canonical_selector`, which runs **the same extractors** on the value
(with the app keyword in front where a bare handle needs one). One code path decides what a
selector is, whether it came from an ad or from a partner; a value the extractors reject is
reported, never stored half-normalised.
"""

from __future__ import annotations

import re
from typing import Final

from tocsin.model import Selector, SelectorType
from tocsin.selectors import extract
from tocsin.selectors.phone import parse_phone

__all__ = ["canonical_selector", "selector_from_key"]

T = SelectorType
MAX_VALUE: Final = 580
"""Longest selector value the store keeps (``selectors.value``)."""

#: The keyword written in front of a bare handle so the messaging extractor reads it.
_KEYWORD: Final = {
    T.TELEGRAM: "Telegram:",
    T.WHATSAPP: "WhatsApp:",
    T.LINE: "Line ID:",
    T.WECHAT: "WeChat:",
    T.QQ: "QQ:",
    T.SIGNAL: "Signal:",
    T.SKYPE: "Skype:",
    T.ZALO: "Zalo:",
}
#: Where a national number written for these apps is from when nobody says (as in extraction).
_DEFAULT_REGION: Final = {T.ZALO: "VN", T.WECHAT: "CN"}
_PHONE_SHAPE = re.compile(r"[+(]?[0-9][0-9 ().\-]{5,22}")
_INVITE = re.compile(r"invite/[A-Za-z0-9_\-#]{5,64}")
_QQ_GROUP = re.compile(r"group:[1-9][0-9]{4,10}")
_DIGITS = re.compile(r"[0-9]{5,34}")


def _whole(
    found: list[Selector], text: str, start: int, wanted: set[SelectorType]
) -> Selector | None:
    """The one selector of a wanted type that spans ``text[start:]`` exactly."""
    for sel in found:
        if sel.type in wanted and sel.start == start and sel.end == len(text):
            return sel
    return None


def _phone(raw: str, country: str | None) -> Selector | None:
    value = raw.strip()
    if value.startswith("tel:"):
        value = value[4:]
    digits = re.sub(r"[^0-9]", "", value)
    national = value.startswith("0") and not value.startswith("00")
    if not national and not value.startswith(("+", "00", "(+")) and len(digits) >= 8:
        value = "+" + digits  # MISP and FtM often drop the plus of an international number
    parsed = parse_phone(value, country)
    if parsed is None:
        return None
    e164, region = parsed
    return Selector(T.PHONE, e164, 0, len(raw), raw, country=region or None, validated=True)


def canonical_selector(
    sel_type: SelectorType,
    raw: str,
    *,
    country: str | None = None,
    token: str | None = None,
) -> Selector | None:
    """The canonical selector for ``raw`` read as ``sel_type``, or None when it is not one.

    A messaging link given as a URL (``https://t.me/name``) becomes the messaging account, as
    it would in a text. ``country`` helps read a national phone number; ``token`` (``usdt``)
    is kept on a TRON or Ethereum address when the partner named the token.
    """
    value = raw.strip()
    if not value or len(value) > MAX_VALUE or "\n" in value:
        return None
    if sel_type is T.PHONE:
        return _phone(value, country)
    if sel_type is T.IBAN:
        value = value.upper()
        found = extract(value, types={T.IBAN})
        return _whole(found, value, 0, {T.IBAN})
    if sel_type is T.BANK_ACCOUNT:
        digits = re.sub(r"[\s\-.]", "", value)
        if not _DIGITS.fullmatch(digits):
            return None
        return Selector(T.BANK_ACCOUNT, digits, 0, len(raw), raw, country=country)
    if sel_type is T.CRYPTO:
        sel = _whole(extract(value, types={T.CRYPTO}), value, 0, {T.CRYPTO})
        if sel is None:
            return None
        if token and token.lower() == "usdt" and sel.chain in ("tron", "eth"):
            network = "trc20" if sel.chain == "tron" else "erc20"
            return Selector(
                T.CRYPTO,
                sel.value,
                0,
                len(raw),
                raw,
                chain=sel.chain,
                token="usdt",
                network=network,
                validated=sel.validated,
            )
        return sel
    if sel_type in (T.EMAIL, T.DOMAIN, T.URL):
        if sel_type is T.EMAIL and value.lower().startswith("mailto:"):
            value = value[7:]
        found = extract(value)
        wanted = {sel_type} | (set(_KEYWORD) if sel_type is T.URL else set())
        if sel_type is T.DOMAIN:
            wanted.add(T.URL)  # "example.com/" is still the domain's site
        sel = _whole(found, value, 0, wanted)
        if sel is not None and sel_type is T.DOMAIN and sel.type is T.URL:
            return None
        return sel
    if sel_type in _KEYWORD:
        return _account(sel_type, value, country)
    return None


def _account(sel_type: SelectorType, value: str, country: str | None) -> Selector | None:
    if _INVITE.fullmatch(value) or (sel_type is T.QQ and _QQ_GROUP.fullmatch(value)):
        return Selector(sel_type, value, 0, len(value), value)
    direct = _whole(extract(value), value, 0, {sel_type})  # a t.me/… or wa.me/… link
    if direct is not None:
        return direct
    if _PHONE_SHAPE.fullmatch(value) and sel_type is not T.QQ:
        phone = _phone(value, country or _DEFAULT_REGION.get(sel_type))
        if phone is None:
            return None
        return Selector(
            sel_type, phone.value, 0, len(value), value, country=phone.country, validated=True
        )
    handle = value if sel_type is not T.TELEGRAM or value.startswith("@") else "@" + value
    text = f"{_KEYWORD[sel_type]} {handle}"
    return _whole(extract(text), text, len(_KEYWORD[sel_type]) + 1, {sel_type})


def selector_from_key(key: str) -> Selector | None:
    """The selector a stored key (``type:value``) names, or None for an unknown type."""
    type_name, sep, value = key.partition(":")
    if not sep:
        return None
    try:
        sel_type = SelectorType(type_name)
    except ValueError:
        return None
    return Selector(sel_type, value, 0, len(value), value)
