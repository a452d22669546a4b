"""Selectors: strong identifiers found in text (phones, accounts, wallets, domains…)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Selector", "SelectorType"]


class SelectorType(StrEnum):
    """The kinds of selector Tocsin extracts. Values are stable: they are stored and shared."""

    PHONE = "phone"
    EMAIL = "email"
    URL = "url"
    DOMAIN = "domain"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    LINE = "line"
    WECHAT = "wechat"
    QQ = "qq"
    SIGNAL = "signal"
    SKYPE = "skype"
    ZALO = "zalo"
    CRYPTO = "crypto"
    IBAN = "iban"
    BANK_ACCOUNT = "bank_account"


MESSAGING_TYPES = frozenset(
    {
        SelectorType.TELEGRAM,
        SelectorType.WHATSAPP,
        SelectorType.LINE,
        SelectorType.WECHAT,
        SelectorType.QQ,
        SelectorType.SIGNAL,
        SelectorType.SKYPE,
        SelectorType.ZALO,
    }
)


_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


@dataclass(frozen=True, slots=True)
class Selector:
    """One selector occurrence in a text.

    ``value`` is the normalised form used for matching and linking (E.164 for phones, lower-case
    handle without ``@`` for Telegram, checksummed address for Ethereum…); ``start``/``end`` are
    the exact character span of ``raw`` in the analysed text.

    Optional attributes depend on the type:

    - ``chain`` / ``token``: crypto addresses (``btc``, ``eth``, ``tron``; ``usdt`` when the
      context names the token, with its standard, e.g. ``trc20``, in ``network``);
    - ``domain``: registrable domain of a URL, email or domain selector;
    - ``country``: ISO 3166 region of a phone number or IBAN;
    - ``validated``: true when a checksum or a numbering plan confirmed the value.
    """

    type: SelectorType
    value: str
    start: int
    end: int
    raw: str
    chain: str | None = None
    token: str | None = None
    network: str | None = None
    domain: str | None = None
    country: str | None = None
    validated: bool = False

    @property
    def key(self) -> str:
        """``type:value``, the identity of a selector across documents."""
        return f"{self.type.value}:{self.value}"

    @property
    def link_keys(self) -> tuple[str, ...]:
        """The keys under which this selector links documents.

        A messaging account that *is* a phone number (WhatsApp, Signal, Zalo, Line or WeChat
        registered to ``+855…``) is the same identifier as that phone written plainly in
        another ad, so it links under both its own key and ``phone:<E.164>``. Everything else
        links under its own key only.
        """
        if self.type in MESSAGING_TYPES and _E164.fullmatch(self.value):
            return (self.key, f"{SelectorType.PHONE.value}:{self.value}")
        return (self.key,)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.type.value,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "raw": self.raw,
            "validated": self.validated,
        }
        for name in ("chain", "token", "network", "domain", "country"):
            attr = getattr(self, name)
            if attr is not None:
                data[name] = attr
        return data
