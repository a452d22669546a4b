"""Indicators derived from the selectors of a document rather than from its wording.

They are few and simple, so they are code; they carry ids, titles, explanations and sources
like the YAML indicators, and docs/indicators.md lists them after the packs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tocsin.model import (
    MESSAGING_TYPES,
    Category,
    DocumentKind,
    Evidence,
    Selector,
    SelectorType,
)

__all__ = ["DERIVED", "DerivedIndicator", "derive"]

_WEB_CONTACT = frozenset({SelectorType.EMAIL, SelectorType.URL, SelectorType.DOMAIN})
_JOB_KINDS = frozenset({DocumentKind.JOB_AD, DocumentKind.WEB_PAGE})
_CHAT_KINDS = frozenset({DocumentKind.MESSAGE, DocumentKind.CONVERSATION})


@dataclass(frozen=True, slots=True)
class DerivedIndicator:
    id: str
    category: Category
    title: str
    description: str
    weight: float
    sources: tuple[str, ...]


MESSAGING_ONLY = DerivedIndicator(
    id="contact.messaging_only",
    category=Category.RECRUITMENT_LURE,
    title="Only a messaging-app contact",
    description=(
        "The job offer gives no company e-mail or web site, only a Telegram, WhatsApp, Line, "
        "WeChat or similar account. Genuine employers can be checked; recruiters for scam "
        "compounds keep the conversation on apps where they can disappear."
    ),
    weight=1.0,
    sources=("FACTS A7 (recruiters on Facebook, QQ, Telegram)", "FACTS D2 (FBI red flag)"),
)

WALLET_IN_TEXT = DerivedIndicator(
    id="payment.wallet_address",
    category=Category.PAYMENT,
    title="A crypto wallet address",
    description=(
        "The text gives a cryptocurrency address to pay into. Job offers never need one; in "
        "chats it is how pig-butchering victims are told to send money (USDT on TRON most often)."
    ),
    weight=1.2,
    sources=("FACTS F1 (USDT on TRON)", "FACTS D9 (FinCEN: deposit to a given address)"),
)

DERIVED: tuple[DerivedIndicator, ...] = (MESSAGING_ONLY, WALLET_IN_TEXT)


def _evidence(selectors: Sequence[Selector]) -> tuple[Evidence, ...]:
    return tuple(Evidence(s.start, s.end, s.raw) for s in selectors)


def derive(
    kind: DocumentKind, selectors: Sequence[Selector]
) -> list[tuple[DerivedIndicator, tuple[Evidence, ...]]]:
    """The derived indicators that fire for a document of ``kind`` with ``selectors``."""
    fired: list[tuple[DerivedIndicator, tuple[Evidence, ...]]] = []
    messaging = [s for s in selectors if s.type in MESSAGING_TYPES]
    if kind in _JOB_KINDS and messaging and not any(s.type in _WEB_CONTACT for s in selectors):
        fired.append((MESSAGING_ONLY, _evidence(messaging)))
    wallets = [s for s in selectors if s.type is SelectorType.CRYPTO]
    if wallets and (kind in _JOB_KINDS or kind in _CHAT_KINDS or kind is DocumentKind.UNKNOWN):
        fired.append((WALLET_IN_TEXT, _evidence(wallets)))
    return fired
