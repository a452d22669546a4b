"""Selector extraction: the strong identifiers (phones, accounts, wallets, domains…) in a text.

``extract(text)`` runs one extractor per selector type (see :mod:`tocsin.selectors.registry`),
then resolves overlaps so that **each character of the text belongs to at most one
selector**: when two candidates overlap, the type of higher precedence wins (messaging >
crypto > IBAN > URL > e-mail > bank account > phone > domain), then the longer span, then the
earlier one. So a ``wa.me/84…`` link is one WHATSAPP selector (not also a URL nor a phone),
"WhatsApp: +84 912 345 678" is one WHATSAPP selector spanning the number, and the digits of
an IBAN are never a phone. Consumers wanting the URL of a messaging link rebuild it from the
span. ``docs/selectors.md`` documents every type.

Spans are exact: ``text[s.start:s.end] == s.raw`` for every selector returned.
"""

from __future__ import annotations

from collections.abc import Collection

from tocsin.model.selector import Selector, SelectorType
from tocsin.selectors.context import Context
from tocsin.selectors.registry import PRECEDENCE, extractors_for

__all__ = ["extract"]

_ALL_TYPES = frozenset(SelectorType)


def _resolve(found: list[Selector]) -> list[Selector]:
    """Keep non-overlapping selectors by precedence, then length, then position."""
    if len(found) < 2:
        return found
    ranked = sorted(found, key=lambda s: (PRECEDENCE[s.type], s.start - s.end, s.start))
    kept: list[Selector] = []
    for cand in ranked:
        if all(cand.end <= k.start or cand.start >= k.end for k in kept):
            kept.append(cand)
    return kept


def extract(
    text: str,
    *,
    country: str | None = None,
    language: str | None = None,
    types: Collection[SelectorType] | None = None,
) -> list[Selector]:
    """Find the selectors in ``text``, sorted by ``(start, type)``.

    ``country`` (ISO 3166-1 alpha-2) and ``language`` (ISO 639-1) are hints used to read
    national phone numbers ("0912 345 678" is Vietnamese in a Vietnamese text); countries
    named in the text near a number are used too. ``types`` restricts the answer to some
    types without changing which span each selector covers.
    """
    wanted = _ALL_TYPES if types is None else frozenset(types)
    if not text or not wanted:
        return []
    ctx = Context(text, country=country, language=language)
    found: list[Selector] = []
    for run in extractors_for(wanted):
        found.extend(run(ctx))
    kept = [s for s in _resolve(found) if s.type in wanted]
    kept.sort(key=lambda s: (s.start, s.type.value))
    return kept
