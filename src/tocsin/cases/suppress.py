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

`joint_release` protects the tables of one release *together*: a cross table (nationality ×
status) whose margins are two one-way tables, and further one-way tables of the same
population, all sharing one grand total. One system of lines, one suppression: a count cannot
be recovered by combining tables either.

Limits (docs/cases.md): tables released at different times from changing data can be
differenced; only the tables of one release are protected together, and only through the
equations declared here. `rounded` (random rounding to a base, keyed so that the same true
count always gives the same published figure) blurs such differences; it does not make them
impossible to estimate from many overlapping releases.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

__all__ = [
    "JointRelease",
    "Line",
    "Released1D",
    "Released2D",
    "Unprotectable",
    "joint_release",
    "round_count",
    "rounded",
    "rounded_2d",
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
    return {t: bound for t, (bound, _) in _solve(values, lines, withheld, targets).items()}


Point = dict[int, float] | None
"""Where a bound is reached: the value of every withheld entry (None: unbounded or closed form)."""


def _equalities(
    values: Sequence[int],
    lines: Sequence[Line],
    withheld: Sequence[bool],
    column: Mapping[int, int],
    width: int,
) -> tuple[list[list[float]], list[float]]:
    """Each line (members sum to the total) as an equation over the withheld entries, their
    variables at ``column`` in rows ``width`` wide; lines with nothing withheld are left out."""
    rows: list[list[float]] = []
    rhs: list[float] = []
    for line in lines:
        coeffs = [0.0] * width
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
    return rows, rhs


def _solve(
    values: Sequence[int],
    lines: Sequence[Line],
    withheld: Sequence[bool],
    targets: Sequence[int],
    *,
    stop_below: float | None = None,
) -> dict[int, tuple[float, Point]]:
    """`upper_bounds` with the point reaching each bound; ``stop_below``: return as soon as one
    bound is below it (the caller only wants to know whether all are protected)."""
    unknown = [i for i, w in enumerate(withheld) if w]
    if len(lines) == 1 and not withheld[lines[0].total]:
        return {t: (float(_closed_form_upper(values, lines[0], withheld)), None) for t in targets}
    column = {entry: j for j, entry in enumerate(unknown)}
    rows, rhs = _equalities(values, lines, withheld, column, len(unknown))
    found: dict[int, tuple[float, Point]] = {}
    a_eq = np.asarray(rows, dtype=float) if rows else None
    b_eq = np.asarray(rhs, dtype=float) if rows else None
    for target in targets:
        objective = np.zeros(len(unknown))
        objective[column[target]] = -1.0
        result = linprog(
            objective, A_eq=a_eq, b_eq=b_eq, bounds=[(1, None)] * len(unknown), method="highs"
        )
        if result.status == 3:  # unbounded
            found[target] = (math.inf, None)
        elif result.status == 0:
            point = {entry: float(result.x[j]) for entry, j in column.items()}
            found[target] = (float(-result.fun), point)
        else:  # infeasible cannot happen for a table that adds up
            raise ValueError(f"suppression check failed: {result.message}")
        if stop_below is not None and found[target][0] < stop_below:
            break
    return found


class Unprotectable(ValueError):
    """The table cannot be protected without withholding an entry it was told to publish."""


def suppress(
    values: Sequence[int],
    lines: Sequence[Line],
    k: int,
    *,
    public: Collection[int] = (),
    latent: Collection[int] = (),
) -> list[bool]:
    """Which entries to withhold so that no count below ``k`` can be recovered.

    ``public`` entries (e.g. a total published elsewhere in the same release) are never
    withheld as complements; when that makes protection impossible, `Unprotectable` is raised.
    ``latent`` entries are never published (counts that tie tables together, such as persons
    per compound *and* country): always withheld, never needing protection themselves, and
    taken to be at least 1, as a reader who knows which combinations occur would.
    """
    if k < 2:
        return [False] * len(values)
    hidden = frozenset(latent)
    withheld = [0 < v < k or i in hidden for i, v in enumerate(values)]
    if any(withheld[i] for i in public):
        raise Unprotectable("an entry to publish is itself a small count")
    primary = [i for i, w in enumerate(withheld) if w and i not in hidden]
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
            alone = [e for e in entries if withheld[e]]
            if len(alone) == 1 and alone[0] not in hidden:
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
    _release_back(values, lines, k, withheld, primary, hidden)
    return withheld


def _witness(
    values: Sequence[int], lines: Sequence[Line], withheld: Sequence[bool], target: int, k: int
) -> dict[int, float] | None:
    """A point showing that ``target`` may be k or more — every line holds, every withheld
    entry at least 1, ``target`` at least k — as close to the true values as possible (least
    total deviation), so that it stays valid when other entries are released; None when there
    is none (the target is not protected). Feasibility of this linear program is the test of
    `upper_bounds` (largest value at least k), so both say the same."""
    unknown = [i for i, w in enumerate(withheld) if w]
    n = len(unknown)
    column = {entry: j for j, entry in enumerate(unknown)}
    rows, rhs = _equalities(values, lines, withheld, column, 2 * n)
    # deviations d_j >= |x_j - v_j|: x_j - d_j <= v_j and -x_j - d_j <= -v_j
    upper = np.zeros((2 * n, 2 * n))
    upper_rhs = np.zeros(2 * n)
    for j, entry in enumerate(unknown):
        upper[2 * j, j], upper[2 * j, n + j] = 1.0, -1.0
        upper[2 * j + 1, j], upper[2 * j + 1, n + j] = -1.0, -1.0
        upper_rhs[2 * j], upper_rhs[2 * j + 1] = values[entry], -values[entry]
    bounds = [(float(k) if entry == target else 1.0, None) for entry in unknown]
    bounds += [(0.0, None)] * n
    result = linprog(
        np.concatenate([np.zeros(n), np.ones(n)]),
        A_ub=upper,
        b_ub=upper_rhs,
        A_eq=np.asarray(rows, dtype=float) if rows else None,
        b_eq=np.asarray(rhs, dtype=float) if rows else None,
        bounds=bounds,
        method="highs",
    )
    if result.status == 2:  # infeasible: the target cannot reach k
        return None
    if result.status != 0:
        raise ValueError(f"suppression check failed: {result.message}")
    return {entry: float(result.x[j]) for entry, j in column.items()}


def _release_back(
    values: Sequence[int],
    lines: Sequence[Line],
    k: int,
    withheld: list[bool],
    primary: Sequence[int],
    hidden: frozenset[int],
) -> None:
    """Undo needless complements: the greedy rounds withhold more than needed (a margin, then
    the line of margins...). Each complement, largest first, is released again when every small
    count stays protected without it, so the result is exactly as safe, and the largest
    figures (a big nationality, a common status) come back.

    Each small count keeps a witness (`_witness`): a consistent table where it is k or more,
    as close to the truth as possible. Releasing an entry whose witness value is its true value
    leaves the witness valid, so only the counts whose witness moved that entry are solved
    again — a few linear programs per candidate instead of one per small count."""
    if not primary:
        return
    candidates = [
        i for i, w in enumerate(withheld) if w and i not in hidden and not 0 < values[i] < k
    ]
    witnesses: dict[int, dict[int, float]] = {}
    for t in primary:
        found = _witness(values, lines, withheld, t, k)
        if found is None:  # cannot happen after the protection loop
            raise ValueError(f"suppression check failed: entry {t} is not protected")
        witnesses[t] = found
    for entry in sorted(candidates, key=lambda i: (-values[i], i)):
        withheld[entry] = False
        fresh: dict[int, dict[int, float]] = {}
        kept = True
        for t in primary:
            if abs(witnesses[t].get(entry, values[entry]) - values[entry]) <= 1e-7:
                continue
            found = _witness(values, lines, withheld, t, k)
            if found is None:
                kept = False
                break
            fresh[t] = found
        if kept:
            witnesses.update(fresh)
            for point in witnesses.values():
                point.pop(entry, None)
        else:
            withheld[entry] = True


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


@dataclass(frozen=True, slots=True)
class JointRelease:
    """A cross table and the one-way tables released with it (``None``: withheld).

    ``margins`` are the cross table's row and column totals as one-way tables (the same
    figures); ``tables`` the other one-way tables, all sharing the cross table's total."""

    cross: Released2D
    row_margin: Released1D
    column_margin: Released1D
    tables: dict[str, Released1D]


def _order(counts: Mapping[str, int]) -> list[str]:
    return sorted((lbl for lbl, c in counts.items() if c > 0), key=lambda x: (-counts[x], x))


def joint_release(
    cross: Mapping[tuple[str, str], int],
    tables: Mapping[str, Mapping[str, int]],
    k: int,
    *,
    columns: Sequence[str] | None = None,
    nested: tuple[str, str, Mapping[tuple[str, str], int]] | None = None,
) -> JointRelease:
    """Release a two-way table with its margins and other one-way tables of the same population
    (each adding up to the same total), protected together as one system of lines.

    ``nested``: (table A, table B, counts per pair of their labels) — two of the one-way tables
    that a reader can relate (a compound lies in a country), tied by the pairs that occur as
    latent, never published counts (`suppress`), so that no count can be bounded through
    the other table either.

    Raises ValueError when a one-way table does not add up to the cross table's total: such
    tables describe another population and must be released on their own."""
    row_sum: dict[str, int] = {}
    col_sum: dict[str, int] = {}
    for (r, c), n in cross.items():
        row_sum[r] = row_sum.get(r, 0) + n
        col_sum[c] = col_sum.get(c, 0) + n
    total = sum(row_sum.values())
    for name, counts in tables.items():
        if sum(counts.values()) != total:
            raise ValueError(
                f"table {name!r} adds up to {sum(counts.values())}, the cross table to {total}"
            )
    rows = _order(row_sum)
    cols = [c for c in columns if col_sum.get(c, 0) > 0] if columns is not None else None
    cols = cols if cols is not None else sorted(c for c in col_sum if col_sum[c] > 0)
    n_r, n_c = len(rows), len(cols)
    values = [cross.get((r, c), 0) for r in rows for c in cols]
    row_margin = len(values)
    values += [row_sum[r] for r in rows]
    col_margin = len(values)
    values += [col_sum[c] for c in cols]
    grand = len(values)
    values.append(total)
    lines = [Line(tuple(i * n_c + j for j in range(n_c)), row_margin + i) for i in range(n_r)]
    lines += [Line(tuple(i * n_c + j for i in range(n_r)), col_margin + j) for j in range(n_c)]
    lines.append(Line(tuple(range(row_margin, row_margin + n_r)), grand))
    lines.append(Line(tuple(range(col_margin, col_margin + n_c)), grand))
    spans: dict[str, tuple[list[str], int]] = {}
    for name, counts in tables.items():
        labels = _order(counts)
        start = len(values)
        values += [counts[lbl] for lbl in labels]
        lines.append(Line(tuple(range(start, start + len(labels))), grand))
        spans[name] = (labels, start)
    latent: list[int] = []
    if nested is not None:
        first, second, pairs = nested
        index = {
            name: {lbl: spans[name][1] + i for i, lbl in enumerate(spans[name][0])}
            for name in (first, second)
        }
        members: dict[tuple[str, int], list[int]] = {}
        for (a, b), n in sorted(pairs.items()):
            if n <= 0:
                continue
            if a not in index[first] or b not in index[second]:
                raise ValueError(f"the pair {(a, b)!r} is not in tables {first!r} and {second!r}")
            latent.append(len(values))
            members.setdefault((first, index[first][a]), []).append(len(values))
            members.setdefault((second, index[second][b]), []).append(len(values))
            values.append(n)
        for (_table, entry), parts in members.items():
            lines.append(Line(tuple(parts), entry))
        for name in (first, second):
            if sum(values[e] for e in index[name].values()) != sum(values[e] for e in latent):
                raise ValueError(f"the pairs do not add up to table {name!r}")
    withheld = suppress(values, lines, k, latent=latent)
    shown = [None if w else v for v, w in zip(values, withheld, strict=True)]
    released_cross = Released2D(
        rows=tuple(rows),
        columns=tuple(cols),
        cells=tuple(tuple(shown[i * n_c : (i + 1) * n_c]) for i in range(n_r)),
        row_totals=tuple(shown[row_margin:col_margin]),
        column_totals=tuple(shown[col_margin:grand]),
        total=shown[grand],
        k=k,
    )
    one_way = {
        name: Released1D(tuple(labels), tuple(shown[start : start + len(labels)]), shown[grand], k)
        for name, (labels, start) in spans.items()
    }
    return JointRelease(
        cross=released_cross,
        row_margin=Released1D(tuple(rows), released_cross.row_totals, shown[grand], k),
        column_margin=Released1D(tuple(cols), released_cross.column_totals, shown[grand], k),
        tables=one_way,
    )


def round_count(value: int | None, base: int, key: bytes, place: str) -> int | None:
    """``value`` randomly rounded to a multiple of ``base`` (at least ``base``; zero and
    ``None`` stay as they are), unbiased: up with probability (value mod base) / base.

    The draw is an HMAC of the place (table and category) and the true value under the
    deployment's key: the same count in the same place always gives the same figure, so asking
    again averages nothing away, while a count that changed by one gets a fresh draw — and its
    difference from an earlier release is blurred by up to ``base - 1`` either way."""
    if value is None or value == 0 or base < 2:
        return value
    low, rest = divmod(value, base)
    if rest == 0:
        return value
    digest = hmac.new(key, f"{place}={value}".encode(), hashlib.sha256).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return max(base, (low + (1 if draw < rest / base else 0)) * base)


def rounded(table: Released1D, base: int, key: bytes, name: str) -> Released1D:
    """A released one-way table with every figure rounded (`round_count`); the total under the
    place ``total``, so that every table of a release shows the same rounded total."""
    return Released1D(
        table.labels,
        tuple(
            round_count(c, base, key, f"{name}|{lbl}")
            for lbl, c in zip(table.labels, table.counts, strict=True)
        ),
        round_count(table.total, base, key, "total"),
        table.k,
    )


def rounded_2d(table: Released2D, base: int, key: bytes, rows: str, columns: str) -> Released2D:
    """A released cross table rounded like `rounded` (margins under the one-way tables' names,
    so a margin and its one-way table show the same figure)."""
    return Released2D(
        rows=table.rows,
        columns=table.columns,
        cells=tuple(
            tuple(
                round_count(v, base, key, f"{rows}×{columns}|{r}|{c}")
                for c, v in zip(table.columns, cells, strict=True)
            )
            for r, cells in zip(table.rows, table.cells, strict=True)
        ),
        row_totals=tuple(
            round_count(v, base, key, f"{rows}|{r}")
            for r, v in zip(table.rows, table.row_totals, strict=True)
        ),
        column_totals=tuple(
            round_count(v, base, key, f"{columns}|{c}")
            for c, v in zip(table.columns, table.column_totals, strict=True)
        ),
        total=round_count(table.total, base, key, "total"),
        k=table.k,
    )
