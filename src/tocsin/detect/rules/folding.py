"""Length-preserving text folding, so that matches on the folded text are spans of the original.

Folding lower-cases, maps full-width Latin to ASCII, curly quotes to straight ones, and every
kind of space to a plain space. It never changes the number of characters: the rare characters
whose lower case is longer (``İ`` → ``i̇``) are left as they are, so an evidence span found in
the folded text is exactly ``text[start:end]`` of the text the caller gave.
"""

from __future__ import annotations

import re

__all__ = ["fold", "is_spaced_word_char"]

_ASCII_SPACES = {c: " " for c in (0x09, 0x0A, 0x0B, 0x0C, 0x0D)}
_TABLE: dict[int, str] = dict(_ASCII_SPACES)
# Full-width letters, digits and the symbols that occur in phrases; not full-width
# punctuation such as the comma U+FF0C or colon U+FF1A: Chinese text is full of it and no
# phrase needs it folded.
for _start, _end in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)):
    _TABLE.update({c: chr(c - 0xFEE0).lower() for c in range(_start, _end)})
_TABLE.update({c: chr(c - 0xFEE0) for c in (0xFF04, 0xFF05, 0xFF07, 0xFF0D, 0xFF0E, 0xFF20)})
_TABLE.update({c: " " for c in (0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000)})
_TABLE.update({c: " " for c in range(0x2000, 0x200B)})
_TABLE.update({0x2018: "'", 0x2019: "'", 0x02BC: "'", 0x2032: "'"})
_TABLE.update({0x201C: '"', 0x201D: '"'})
_TABLE.update({c: "-" for c in range(0x2010, 0x2016)})

_RARE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_TABLE) if c > 0x7F) + "]")


def _rare(match: re.Match[str]) -> str:
    return _TABLE[ord(match.group())]


def fold(text: str) -> str:
    """Lower-case and normalise ``text`` without changing its length."""
    folded = text.lower()
    if len(folded) != len(text):
        folded = "".join(c if len(low := c.lower()) != 1 else low for c in text)
    if folded.isascii():
        return folded.translate(_ASCII_SPACES)  # CPython's fast ASCII-to-ASCII path
    for space in "\n\t\r":
        if space in folded:
            folded = folded.replace(space, " ")
    if _RARE.search(folded) is not None:
        folded = _RARE.sub(_rare, folded)
    return folded


def is_spaced_word_char(char: str) -> bool:
    """A letter or digit of a script that separates words with spaces.

    Phrases in Latin, Cyrillic, Vietnamese, ... match on word boundaries; Chinese, Japanese,
    Thai, Lao, Khmer and Burmese are written without spaces, so their letters never make a
    boundary fail (``在KK园区`` contains ``kk园区``).
    """
    if not (char.isalnum() or char == "_"):
        return False
    code = ord(char)
    return not (
        0x0E00 <= code <= 0x0EFF  # Thai, Lao
        or 0x1000 <= code <= 0x109F  # Burmese
        or 0x1780 <= code <= 0x17FF  # Khmer
        or code >= 0x2E80  # CJK, kana, full-width forms
    )
