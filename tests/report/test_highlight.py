"""Highlighting cuts the text without losing or duplicating a character."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tocsin.report.highlight import Mark, segments


@st.composite
def text_and_marks(draw: st.DrawFn) -> tuple[str, list[Mark]]:
    text = draw(st.text(max_size=200))
    marks = []
    for _ in range(draw(st.integers(0, 8))):
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, len(text)))
        marks.append(Mark(a, b, "sig", "label"))
    return text, marks


@given(text_and_marks())
def test_segments_rebuild_the_text_and_carry_their_marks(case: tuple[str, list[Mark]]) -> None:
    text, marks = case
    pieces = segments(text, marks)
    assert "".join(p.text for p in pieces) == text
    position = 0
    for piece in pieces:
        end = position + len(piece.text)
        for m in marks:
            covers = m.start <= position and m.end >= end
            assert (m in piece.marks) == covers
        position = end


def test_limit_cuts_text_and_marks() -> None:
    pieces = segments("abcdefgh", [Mark(2, 6, "sig", "x")], limit=4)
    assert [(p.text, bool(p.marks)) for p in pieces] == [("ab", False), ("cd", True)]
