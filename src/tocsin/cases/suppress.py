"""Small-count suppression for published tables: no figure may identify a person.

A table is a list of *entries* (cells, margins, the total) and *lines*: a line says that some
entries add up to another (the cells of a row add up to the row's margin). Releasing it:

1. **Primary suppression**: every entry with ``0 < count < k`` is withheld. Zeros are shown (a
   structural zero identifies no one), so an attacker knows every withheld entry is at least 1.
2. **Complementary suppression**: a withheld entry must not be recoverable from the rest. For
   each primary entry we compute, by linear programming over the line equations, the largest
   value it could take given everything released (`upper_bounds`). The entry is protected when
   that bound is at least ``k`` — the released table is then consistent with the entry not being
   a small count at all, so it cannot be recovered, nor even shown to be small. While some
   entry is unprotected, the smallest released non-zero entry of one of its lines is withheld
   too (the line's total only when no cell is left), and the check runs again.

Withholding more only widens what an attacker must consider, so protection, once reached, is
kept; the loop ends because each round withholds at least one more entry. Two-way tables with
margins give totally unimodular constraints, so the linear bounds are the integer ones.

Limits (docs/cases.md): tables released at different times from changing data can be
differenced; only the tables of one release are protected together, and only through the
equations declared here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

__all__ = [
    "Line",
    "Released1D",
    "Released2D",
    "Unprotectable",
    "suppress",
    "table_1d",
    "table_2d",
    "upper_bounds",
]


@dataclass(frozen=True, slots=True)
class Line:
    """``sum(entries[m] for m in members) == entries[total]``."""

    members: tuple[int, ...]
    total: int


def _closed_form_upper(values: Sequence[int], line: Line, withheld: Sequence[bool]) -> float:
    """Upper bound of a withheld member of a single line whose total is released."""
    unknown = [m for m in line.members if withheld[m]]
    known = sum(values[m] for m in line.members if not withheld[m])
    return values[line.total] - known - (len(unknown) - 1)


def upper_bounds(
    values: Sequence[int], lines: Sequence[Line], withheld: Sequence[bool], targets: Sequence[int]
) -> dict[int, float]:
    """For each target (a withheld entry), the largest value consistent with the released
    entries and the lines, every withheld entry being at least 1 (``inf``: unbounded)."""
    unknown = [i for i, w in enumerate(withheld) if w]
    if len(lines) == 1 and not withheld[lines[0].total]:
        return {t: float(_closed_form_upper(values, lines[0], withheld)) for t in targets}
    column = {entry: j for j, entry in enumerate(unknown)}
    rows: list[list[float]] = []
    rhs: list[float] = []
    for line in lines:
        coeffs = [0.0] * len(unknown)
        constant = 0.0
        for m in line.members:
            if withheld[m]:
                coeffs[column[m]] += 1.0
            else:
                constant += values[m]
        if withheld[line.total]:
            coeffs[column[line.total]] -= 1.0
            right = -constant
        else:
            right = values[line.total] - constant
        if any(coeffs):
            rows.append(coeffs)
            rhs.append(right)
    found: dict[int, float] = {}
    a_eq = np.asarray(rows, dtype=float) if rows else None
    b_eq = np.asarray(rhs, dtype=float) if rows else None
    for target in targets:
        objective = np.zeros(len(unknown))
        objective[column[target]] = -1.0
        result = linprog(
            objective, A_eq=a_eq, b_eq=b_eq, bounds=[(1, None)] * len(unknown), method="highs"
        )
        if result.status == 3:  # unbounded
            found[target] = math.inf
        elif result.status == 0:
            found[target] = float(-result.fun)
        else:  # infeasible cannot happen for a table that adds up
            raise ValueError(f"suppression check failed: {result.message}")
    return found


class Unprotectable(ValueError):
    """The table cannot be protected without withholding an entry it was told to publish."""


def suppress(
    values: Sequence[int], lines: Sequence[Line], k: int, *, public: Collection[int] = ()
) -> list[bool]:
    """Which entries to withhold so that no count below ``k`` can be recovered.

    ``public`` entries (e.g. a total published elsewhere in the same release) are never
    withheld as complements; when that makes protection impossible, `Unprotectable` is raised.
    """
    if k < 2:
        return [False] * len(values)
    withheld = [0 < v < k for v in values]
    if any(withheld[i] for i in public):
        raise Unprotectable("an entry to publish is itself a small count")
    primary = [i for i, w in enumerate(withheld) if w]
    lines_of: dict[int, list[Line]] = {}
    for line in lines:
        for entry in (*line.members, line.total):
            lines_of.setdefault(entry, []).append(line)

    def complement(line: Line) -> bool:
        """Withhold the smallest released non-zero member of ``line`` (else its total)."""
        choices = [m for m in line.members if not withheld[m] and values[m] > 0 and m not in public]
        total = line.total
        if not choices and not withheld[total] and values[total] > 0 and total not in public:
            choices = [total]
        if not choices:
            return False
        withheld[min(choices, key=lambda m: (values[m], m))] = True
        return True

    # A line with exactly one withheld entry gives it away by subtraction: the cheap first pass.
    changed = True
    while changed:
        changed = False
        for line in lines:
            entries = (*line.members, line.total)
            if sum(withheld[e] for e in entries) == 1:
                changed = complement(line) or changed
    pending = list(primary)
    while pending:
        bounds = upper_bounds(values, lines, withheld, pending)
        pending = [t for t in pending if bounds[t] < k]
        done: set[int] = set()  # one complement per line and round: the next check may pass
        for target in pending:
            if not _complement_near(target, lines_of, complement, done):
                # everything reachable is withheld or public: only a public entry bounds it
                raise Unprotectable("a small count cannot be protected while its totals are public")
    return withheld


def _complement_near(
    target: int,
    lines_of: dict[int, list[Line]],
    complement: Callable[[Line], bool],
    done: set[int],
) -> bool:
    """Withhold one more entry on the line nearest to ``target``: its own lines first, then
    lines through their (withheld) entries — a margin withheld leads to the line of margins."""
    seen_entries = {target}
    frontier = [target]
    seen_lines: set[int] = set()
    while frontier:
        next_frontier: list[int] = []
        for entry in frontier:
            for line in lines_of.get(entry, []):
                if id(line) in seen_lines:
                    continue
                seen_lines.add(id(line))
                if id(line) in done or complement(line):
                    done.add(id(line))
                    return True
                for other in (*line.members, line.total):
                    if other not in seen_entries:
                        seen_entries.add(other)
                        next_frontier.append(other)
        frontier = next_frontier
    return False


@dataclass(frozen=True, slots=True)
class Released1D:
    """A one-way table as released: ``None`` marks a withheld count."""

    labels: tuple[str, ...]
    counts: tuple[int | None, ...]
    total: int | None
    k: int

    @property
    def withheld(self) -> int:
        return sum(c is None for c in self.counts) + (self.total is None)

    def to_dict(self) -> dict[str, object]:
        return {
            "rows": [
                {"label": lbl, "count": c} for lbl, c in zip(self.labels, self.counts, strict=True)
            ],
            "total": self.total,
            "k": self.k,
        }


def table_1d(counts: Mapping[str, int], k: int, *, public_total: bool = False) -> Released1D:
    """Release counts per category with their total; labels sorted by count, then name.

    ``public_total``: the total is published elsewhere in the same release (other tables of
    the same population), so it may not be withheld as a complement (`Unprotectable` if that
    leaves a small count exposed)."""
    labels = sorted((lbl for lbl, c in counts.items() if c > 0), key=lambda x: (-counts[x], x))
    values = [counts[lbl] for lbl in labels]
    values.append(sum(values))
    line = Line(tuple(range(len(labels))), len(labels))
    withheld = suppress(values, [line], k, public=[len(labels)] if public_total else [])
    shown = tuple(None if w else v for v, w in zip(values, withheld, strict=True))
    return Released1D(tuple(labels), shown[:-1], shown[-1], k)


@dataclass(frozen=True, slots=True)
class Released2D:
    """A two-way table with margins as released (``None``: withheld)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None
    k: int

    def to_dict(self) -> dict[str, object]:
        return {
            "rows": list(self.rows),
            "columns": list(self.columns),
            "cells": [list(r) for r in self.cells],
            "row_totals": list(self.row_totals),
            "column_totals": list(self.column_totals),
            "total": self.total,
            "k": self.k,
        }


def table_2d(
    counts: Mapping[tuple[str, str], int],
    k: int,
    rows: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
) -> Released2D:
    """Release a two-way table of counts with row, column and grand totals."""
    row_sum: dict[str, int] = {}
    col_sum: dict[str, int] = {}
    for (r, c), n in counts.items():
        row_sum[r] = row_sum.get(r, 0) + n
        col_sum[c] = col_sum.get(c, 0) + n
    rows = list(rows) if rows is not None else sorted(row_sum, key=lambda x: (-row_sum[x], x))
    columns = list(columns) if columns is not None else sorted(col_sum)
    n_r, n_c = len(rows), len(columns)
    values = [counts.get((r, c), 0) for r in rows for c in columns]
    values += [sum(values[i * n_c : (i + 1) * n_c]) for i in range(n_r)]
    values += [sum(values[i * n_c + j] for i in range(n_r)) for j in range(n_c)]
    values.append(sum(values[: n_r * n_c]))
    row_margin = n_r * n_c
    col_margin = row_margin + n_r
    grand = col_margin + n_c
    lines = [Line(tuple(i * n_c + j for j in range(n_c)), row_margin + i) for i in range(n_r)]
    lines += [Line(tuple(i * n_c + j for i in range(n_r)), col_margin + j) for j in range(n_c)]
    lines.append(Line(tuple(range(row_margin, row_margin + n_r)), grand))
    lines.append(Line(tuple(range(col_margin, col_margin + n_c)), grand))
    withheld = suppress(values, lines, k)
    shown = [None if w else v for v, w in zip(values, withheld, strict=True)]
    return Released2D(
        rows=tuple(rows),
        columns=tuple(columns),
        cells=tuple(tuple(shown[i * n_c : (i + 1) * n_c]) for i in range(n_r)),
        row_totals=tuple(shown[row_margin:col_margin]),
        column_totals=tuple(shown[col_margin:grand]),
        total=shown[grand],
        k=k,
    )
