"""Small-count suppression: no released table lets anyone recover a count below k.

The attacker here is written independently of `tocsin.cases.suppress`: it knows every released
number, that the cells add up to the margins and the total, that withheld entries are at least 1
(zeros are released), and asks how large each withheld entry could be. A count below k is
protected only when the released table is consistent with it being k or more.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from tocsin.cases.suppress import Released2D, table_1d, table_2d


def attacker_max_1d(counts: list[int | None], total: int | None) -> list[float]:
    """Brute force: the largest value each withheld cell can take, over every assignment."""
    hidden = [i for i, c in enumerate(counts) if c is None]
    if total is None:
        return [math.inf] * len(hidden)
    rest = total - sum(c for c in counts if c is not None)
    best = [-1.0] * len(hidden)
    for combo in itertools.product(range(1, rest + 1), repeat=len(hidden)):
        if sum(combo) == rest:
            best = [max(b, v) for b, v in zip(best, combo, strict=True)]
    return best


def attacker_max_2d(t: Released2D) -> dict[tuple[str, int, int], float]:
    """LP over every entry of the table; released entries are fixed."""
    n_r, n_c = len(t.rows), len(t.columns)
    names = [("cell", i, j) for i in range(n_r) for j in range(n_c)]
    names += [("row", i, 0) for i in range(n_r)] + [("col", 0, j) for j in range(n_c)]
    names.append(("total", 0, 0))
    released = [t.cells[i][j] for i in range(n_r) for j in range(n_c)]
    released += list(t.row_totals) + list(t.column_totals) + [t.total]
    index = {n: k for k, n in enumerate(names)}
    equations = []
    for i in range(n_r):
        eq = np.zeros(len(names))
        for j in range(n_c):
            eq[index[("cell", i, j)]] = 1
        eq[index[("row", i, 0)]] = -1
        equations.append(eq)
    for j in range(n_c):
        eq = np.zeros(len(names))
        for i in range(n_r):
            eq[index[("cell", i, j)]] = 1
        eq[index[("col", 0, j)]] = -1
        equations.append(eq)
    for kind in ("row", "col"):
        eq = np.zeros(len(names))
        for n in names:
            if n[0] == kind:
                eq[index[n]] = 1
        eq[index[("total", 0, 0)]] = -1
        equations.append(eq)
    bounds = [(v, v) if v is not None else (1, None) for v in released]
    found = {}
    for k, name in enumerate(names):
        if released[k] is not None:
            continue
        objective = np.zeros(len(names))
        objective[k] = -1
        res = linprog(
            objective,
            A_eq=np.array(equations),
            b_eq=np.zeros(len(equations)),
            bounds=bounds,
            method="highs",
        )
        assert res.status in (0, 3), res.message  # the true table is always feasible
        found[name] = math.inf if res.status == 3 else -res.fun
    return found


counts_1d = st.dictionaries(
    st.sampled_from(["th", "vn", "id", "in", "pk", "tw", "ph", "cn"]),
    st.integers(min_value=0, max_value=14),
    max_size=6,
)


@given(counts=counts_1d, k=st.integers(min_value=2, max_value=6))
@settings(max_examples=300, deadline=None)
def test_no_count_below_k_can_be_recovered_1d(counts: dict[str, int], k: int) -> None:
    released = table_1d(counts, k)
    true = {lbl: counts[lbl] for lbl in released.labels}
    shown = dict(zip(released.labels, released.counts, strict=True))
    for lbl, value in shown.items():
        assert value is None or value == true[lbl]  # what is shown is true
        if 0 < true[lbl] < k:
            assert value is None  # small counts never shown
    total = sum(true.values())
    assert released.total in (None, total)
    if 0 < total < k:
        assert released.total is None
    hidden = [lbl for lbl, v in shown.items() if v is None]
    if sum(true[h] for h in hidden) > 40:  # keep the brute force small
        return
    for lbl, best in zip(
        hidden, attacker_max_1d(list(shown.values()), released.total), strict=True
    ):
        if 0 < true[lbl] < k:
            assert best >= k, f"{lbl}={true[lbl]} recoverable as at most {best} ({released})"


cells = st.integers(min_value=0, max_value=12)


@given(
    data=st.data(),
    n_rows=st.integers(min_value=1, max_value=4),
    n_cols=st.integers(min_value=1, max_value=4),
    k=st.integers(min_value=2, max_value=6),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_count_below_k_can_be_recovered_2d(
    data: st.DataObject, n_rows: int, n_cols: int, k: int
) -> None:
    rows = [f"r{i}" for i in range(n_rows)]
    cols = [f"c{j}" for j in range(n_cols)]
    counts = {(r, c): data.draw(cells) for r in rows for c in cols}
    released = table_2d(counts, k, rows=rows, columns=cols)
    true_cells = [[counts[(r, c)] for c in cols] for r in rows]
    truth = {("cell", i, j): true_cells[i][j] for i in range(n_rows) for j in range(n_cols)}
    truth |= {("row", i, 0): sum(true_cells[i]) for i in range(n_rows)}
    truth |= {("col", 0, j): sum(r[j] for r in true_cells) for j in range(n_cols)}
    truth[("total", 0, 0)] = sum(map(sum, true_cells))
    shown = {("cell", i, j): released.cells[i][j] for i in range(n_rows) for j in range(n_cols)}
    shown |= {("row", i, 0): v for i, v in enumerate(released.row_totals)}
    shown |= {("col", 0, j): v for j, v in enumerate(released.column_totals)}
    shown[("total", 0, 0)] = released.total
    for name, value in shown.items():
        assert value is None or value == truth[name]
        if 0 < truth[name] < k:
            assert value is None
    for name, best in attacker_max_2d(released).items():
        if 0 < truth[name] < k:
            assert best >= k, f"{name}={truth[name]} recoverable as at most {best}"


def test_published_example_keeps_big_numbers() -> None:
    # Nationalities of the 215 people freed in Poipet in February 2025 (DESIGN.md §1).
    released = table_1d({"th": 109, "pk": 50, "in": 48, "tw": 5, "id": 3}, k=5)
    assert released.counts == (109, 50, 48, None, None)
    assert released.total == 215


def test_a_lone_small_count_takes_a_second_cell_with_it() -> None:
    released = table_1d({"a": 20, "b": 12, "c": 2}, k=5)
    assert released.counts == (20, None, None)  # 2 alone would be 34 - 20 - 12


def test_all_small_counts_hide_the_total_too() -> None:
    released = table_1d({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1}, k=5)
    assert released.counts == (None,) * 6 and released.total is None


def test_k_below_2_releases_everything() -> None:
    assert table_1d({"a": 1}, k=1).counts == (1,)


@pytest.mark.parametrize("k", [5, 10])
def test_large_two_way_table_is_fast_and_protected(k: int) -> None:
    rng = np.random.default_rng(0)
    rows = [f"n{i:02d}" for i in range(40)]
    cols = ["reported", "located", "rescued", "in_shelter", "repatriated", "lost_contact"]
    counts = {(r, c): int(rng.poisson(rng.choice([0.5, 3, 40]))) for r in rows for c in cols}
    released = table_2d(counts, k, rows=rows, columns=cols)
    truth = {("cell", i, j): counts[(r, c)] for i, r in enumerate(rows) for j, c in enumerate(cols)}
    for name, best in attacker_max_2d(released).items():
        if name[0] == "cell" and 0 < truth[name] < k:
            assert best >= k
