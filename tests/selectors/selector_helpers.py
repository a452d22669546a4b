"""Helpers shared by the selector tests (imported by name: pytest puts this directory on
sys.path, and a package here would shadow the standard library's ``selectors``)."""

from __future__ import annotations

from tocsin.model.selector import Selector, SelectorType
from tocsin.selectors import extract


def found(text: str, kind: SelectorType | None = None, **hints: str) -> list[tuple[str, str, str]]:
    """``(type, value, raw)`` of every selector found, optionally of one type only."""
    result: list[Selector] = extract(text, **hints)  # type: ignore[arg-type]
    for s in result:
        assert text[s.start : s.end] == s.raw
    return [(s.type.value, s.value, s.raw) for s in result if kind is None or s.type == kind]


def values(text: str, kind: SelectorType, **hints: str) -> list[str]:
    return [value for _, value, _ in found(text, kind, **hints)]
