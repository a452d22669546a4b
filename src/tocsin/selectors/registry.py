"""Which extractor finds which selector type, and which type wins an overlap.

The registry is data so that the precedence is written once, read by :func:`extract` and
by the documentation test, and so a new selector type is one line here plus its module.

Precedence, highest first (see ``docs/selectors.md`` for why):

1. messaging accounts — a ``wa.me`` link or "WhatsApp: +84…" is reported as WhatsApp only;
2. crypto addresses, 3. IBANs — checksummed, so the strongest evidence for a span;
4. URLs (an e-mail address in a query string stays part of its URL), 5. e-mail addresses;
6. bank account numbers — a keyword-anchored digit run, stronger than a bare phone shape;
7. phone numbers; 8. bare domains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tocsin.model.selector import Selector, SelectorType
from tocsin.selectors import bank, crypto, email, messaging, phone, url
from tocsin.selectors.context import Context

__all__ = ["EXTRACTORS", "PRECEDENCE", "Extractor", "extractors_for"]

Extractor = Callable[[Context], list[Selector]]

T = SelectorType


@dataclass(frozen=True, slots=True)
class _Entry:
    extract: Extractor
    types: frozenset[SelectorType]


#: Extractors in precedence order; each yields the types listed with it.
EXTRACTORS: tuple[_Entry, ...] = (
    _Entry(
        messaging.extract,
        frozenset({T.TELEGRAM, T.WHATSAPP, T.LINE, T.WECHAT, T.QQ, T.SIGNAL, T.SKYPE, T.ZALO}),
    ),
    _Entry(crypto.extract, frozenset({T.CRYPTO})),
    _Entry(bank.extract_ibans, frozenset({T.IBAN})),
    _Entry(url.extract, frozenset({T.URL, T.DOMAIN})),
    _Entry(email.extract, frozenset({T.EMAIL})),
    _Entry(bank.extract_accounts, frozenset({T.BANK_ACCOUNT})),
    _Entry(phone.extract, frozenset({T.PHONE})),
)

#: Rank of each type in an overlap: lower wins.
PRECEDENCE: dict[SelectorType, int] = {
    T.TELEGRAM: 0,
    T.WHATSAPP: 0,
    T.LINE: 0,
    T.WECHAT: 0,
    T.QQ: 0,
    T.SIGNAL: 0,
    T.SKYPE: 0,
    T.ZALO: 0,
    T.CRYPTO: 1,
    T.IBAN: 2,
    T.URL: 3,
    T.EMAIL: 4,
    T.BANK_ACCOUNT: 5,
    T.PHONE: 6,
    T.DOMAIN: 7,
}


def extractors_for(types: frozenset[SelectorType]) -> list[Extractor]:
    """The extractors needed to report ``types`` faithfully.

    That is the ones yielding those types *and* every extractor of a higher precedence,
    because a higher-ranked selector can claim a span ("WhatsApp: +84…" is not a phone):
    asking for fewer types filters the answer, it never changes it.
    """
    worst = max(PRECEDENCE[t] for t in types)
    return [
        entry.extract
        for entry in EXTRACTORS
        if entry.types & types or min(PRECEDENCE[t] for t in entry.types) < worst
    ]
