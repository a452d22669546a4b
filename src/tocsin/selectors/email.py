"""E-mail addresses, plain and obfuscated.

Recruiters for scam compounds write addresses the way spam filters do not read them, so the
obfuscated forms matter as much as the plain one:

- plain: ``hr.team@mail.com``;
- bracketed "at": ``name [at] mail.com``, ``name(at)mail.com``, ``name {at} mail [dot] com``,
  ``name (@) mail.com``, ``name＠mail.com`` (full-width);
- spaced: ``name @ mail . com`` (spaces around ``@`` and dots);
- spelt out: ``name at mail dot com`` — only with *both* words ``at`` and ``dot`` and a final
  label that is a public suffix, since "meet at home" alone is prose.

The value is the de-obfuscated address, lower-cased (mailbox names are case-insensitive in
practice at every provider that matters here). ``domain`` is the registrable domain. An
address is kept only when its domain has a public suffix in the bundled list, which rejects
``user@localhost`` and ``@handles`` with a dot in prose. Local parts are ASCII only
(internationalised mailboxes are rare in this material and not recognised).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tocsin.model.selector import Selector, SelectorType
from tocsin.selectors.context import Context, is_ascii_alnum
from tocsin.selectors.url import registrable_domain

__all__ = ["extract"]

_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_\-])?"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_AT = r"(?:\s?[\[({<]\s?(?:at|@)\s?[\])}>]\s?|\s?@\s?|＠|\s(?:at|AT)\s)"
_DOT = r"(?:\s?[\[({<]\s?(?:dot|\.)\s?[\])}>]\s?|\.|\s\.\s|\s(?:dot|DOT)\s)"
# Matched at the start of the word before an "at" anchor, never searched: see ``extract``.
_EMAIL = re.compile(
    rf"(?P<local>{_LOCAL})(?P<at>{_AT})"
    rf"(?P<domain>{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[A-Za-z]{{2,24}})(?![A-Za-z0-9\-@]|\.[A-Za-z0-9])"
)
_DOT_SPLIT = re.compile(_DOT)
_ANCHOR = re.compile(r"[@＠]|[\[({<] ?(?:at|AT) ?[\])}>]|\s(?:at|AT)\s")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")


def _candidates(text: str) -> Iterator[re.Match[str]]:
    """Addresses matched from the start of the word before each "at" anchor.

    Anchoring on "@"/"(at)"/" at " and walking back to the local part is much faster than
    searching for the whole pattern, which can start at any letter of the text.
    """
    covered = 0
    for anchor in _ANCHOR.finditer(text):
        pos = anchor.start()
        if pos < covered:
            continue
        if pos > 0 and text[pos - 1] == " ":
            pos -= 1
        start = pos
        while start > 0 and text[start - 1] in _LOCAL_CHARS:
            start -= 1
        while start < pos and not is_ascii_alnum(text[start]):
            start += 1
        if start == pos or (start > 0 and text[start - 1] in "@＠"):
            continue
        m = _EMAIL.match(text, start)
        if m is not None:
            covered = m.end()
            yield m


def extract(ctx: Context) -> list[Selector]:
    """Every e-mail address, plain or obfuscated (see the module docstring)."""
    text = ctx.text
    out: list[Selector] = []
    for m in _candidates(text):
        at = m.group("at")
        raw_domain = m.group("domain")
        spelt_at = at.strip().lower() == "at"
        labels = _DOT_SPLIT.split(raw_domain)
        spelt_dot = bool(re.search(r"\b(?:dot|DOT)\b", raw_domain))
        if spelt_at and not spelt_dot:
            continue
        if spelt_at and len(labels) != 2:
            continue
        if (spelt_at or spelt_dot or " " in raw_domain) and not labels[-1].islower():
            # "I am @ home. It is…" is a sentence; written-out addresses use lower case.
            continue
        if any(not label for label in labels):
            continue
        domain_value = ".".join(labels).lower()
        registrable = registrable_domain(domain_value)
        if registrable is None:
            continue
        value = f"{m.group('local').lower()}@{domain_value}"
        out.append(
            Selector(
                SelectorType.EMAIL,
                value,
                m.start(),
                m.end(),
                m.group(),
                domain=registrable,
            )
        )
    return out
