"""Cutting a text into segments so that overlapping evidence and selector spans can be marked."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from tocsin.model import Verdict

__all__ = ["Mark", "Segment", "segments"]


@dataclass(frozen=True, slots=True)
class Mark:
    start: int
    end: int
    css: str
    label: str


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    marks: tuple[Mark, ...]

    @property
    def css(self) -> str:
        return " ".join(sorted({m.css for m in self.marks}))

    @property
    def label(self) -> str:
        return "; ".join(dict.fromkeys(m.label for m in self.marks))


def marks_of(verdict: Verdict) -> list[Mark]:
    marks = [
        Mark(e.start, e.end, f"sig {s.category.value}", s.title)
        for s in verdict.signals
        for e in s.evidence
    ]
    marks += [
        Mark(s.start, s.end, "selector", f"{s.type.value}: {s.value}") for s in verdict.selectors
    ]
    return marks


def segments(text: str, marks: list[Mark], limit: int | None = None) -> list[Segment]:
    """``text`` split at every mark boundary, each piece with the marks covering it.

    With ``limit``, only the first ``limit`` characters are kept (marks clipped).
    """
    end_of_text = len(text) if limit is None else min(len(text), limit)
    cuts = {0, end_of_text}
    for m in marks:
        if m.start < end_of_text:
            cuts.add(max(0, m.start))
            cuts.add(min(end_of_text, m.end))
    points = sorted(cuts)
    out: list[Segment] = []
    for a, b in pairwise(points):
        if a == b:
            continue
        covering = tuple(m for m in marks if m.start <= a and m.end >= b)
        out.append(Segment(text[a:b], covering))
    return out
