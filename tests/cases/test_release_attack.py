"""A reader of one statistics release tries to recover the withheld counts, and must fail.

The attacker is written apart from `tocsin.cases.suppress`: it takes the published JSON (the
nationality × status cross table, its margins, the tables by month, place and compound, the
grand total), knows that all of them count the same persons, which compound lies in which
country, that withheld entries are at least 1 (zeros are shown) — and solves an integer
program (scipy's ``milp``) for the largest value every withheld entry could take. A count
from 1 to k-1 is protected only when that largest value is k or more.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from cases.world import World
from tocsin.access import tokens
from tocsin.cases import PersonInput
from tocsin.cases.suppress import joint_release, table_1d
from tocsin.web.app import create_app
from web.client import TestClient

Key = tuple[str, ...]
TABLES = ("by_month", "by_place", "by_compound")


def published(release: dict[str, Any]) -> dict[Key, int | None]:
    """Every published figure of a release (JSON as the API gives it), by a key naming it."""
    out: dict[Key, int | None] = {}
    cross = release["by_nationality_status"]
    for r, cells in zip(cross["rows"], cross["cells"], strict=True):
        for c, v in zip(cross["columns"], cells, strict=True):
            out[("cell", r, c)] = v
    for r, v in zip(cross["rows"], cross["row_totals"], strict=True):
        out[("nationality", r)] = v
    for c, v in zip(cross["columns"], cross["column_totals"], strict=True):
        out[("status", c)] = v
    out[("total",)] = cross["total"]
    # the one-way tables by nationality and status are the cross table's margins: same figures
    for name, dim in (("by_nationality", "nationality"), ("by_status", "status")):
        for row in release[name]["rows"]:
            assert out[(dim, row["label"])] == row["count"], (name, row)
        assert release[name]["total"] == out[("total",)]
    for name in TABLES:
        for row in release[name]["rows"]:
            out[(name, row["label"])] = row["count"]
        assert release[name]["total"] == out[("total",)]
    return out


def attack(release: dict[str, Any], pairs: set[tuple[str, str]]) -> dict[Key, float]:
    """The largest value of each withheld figure consistent with everything published.

    ``pairs``: the (compound, place) combinations the reader knows to occur."""
    shown = published(release)
    names = list(shown) + [("pair", a, b) for a, b in sorted(pairs)]
    at = {n: i for i, n in enumerate(names)}
    equations: list[np.ndarray] = []

    def equation(parts: list[Key], total: Key) -> None:
        row = np.zeros(len(names))
        for p in parts:
            row[at[p]] += 1
        row[at[total]] -= 1
        equations.append(row)

    cross = release["by_nationality_status"]
    for r in cross["rows"]:
        equation([("cell", r, c) for c in cross["columns"]], ("nationality", r))
    for c in cross["columns"]:
        equation([("cell", r, c) for r in cross["rows"]], ("status", c))
    equation([("nationality", r) for r in cross["rows"]], ("total",))
    equation([("status", c) for c in cross["columns"]], ("total",))
    for name in TABLES:
        equation([(name, row["label"]) for row in release[name]["rows"]], ("total",))
    for compound in {a for a, _ in pairs}:
        equation([("pair", a, b) for a, b in pairs if a == compound], ("by_compound", compound))
    for place in {b for _, b in pairs}:
        equation([("pair", a, b) for a, b in pairs if b == place], ("by_place", place))
    low = [float(shown[n]) if shown.get(n) is not None else 1.0 for n in names]
    high = [float(shown[n]) if shown.get(n) is not None else np.inf for n in names]
    constraints = LinearConstraint(np.array(equations), 0, 0)
    found: dict[Key, float] = {}
    for name in names:
        if name[0] == "pair" or shown[name] is not None:
            continue
        objective = np.zeros(len(names))
        objective[at[name]] = -1
        result = milp(
            objective,
            constraints=constraints,
            integrality=np.ones(len(names)),
            bounds=Bounds(low, high),
        )
        assert result.status in (0, 3) or "unbounded" in result.message.lower(), result.message
        found[name] = -result.fun if result.status == 0 else math.inf
    return found


def truth_of(people: list[tuple[str, str, str, str, str]]) -> dict[Key, int]:
    """The true figure behind every key, from (nationality, status, month, compound, place)."""
    out: Counter[Key] = Counter()
    for nat, status, month, compound, place in people:
        out[("cell", nat, status)] += 1
        out[("nationality", nat)] += 1
        out[("status", status)] += 1
        out[("total",)] += 1
        out[("by_month", month)] += 1
        out[("by_place", place)] += 1
        out[("by_compound", compound)] += 1
    return dict(out)


def check(
    release: dict[str, Any], truth: dict[Key, int], pairs: set[tuple[str, str]], k: int
) -> None:
    shown = published(release)
    for key, value in shown.items():
        true = truth.get(key, 0)
        assert value is None or value == true, (key, value, true)
        if 0 < true < k:
            assert value is None, f"{key}={true} published"
    for key, best in attack(release, pairs).items():
        if 0 < truth.get(key, 0) < k:
            assert best >= k, f"{key}={truth[key]} recoverable as at most {best}"


def release_of(people: list[tuple[str, str, str, str, str]], k: int) -> dict[str, Any]:
    cross = Counter((p[0], p[1]) for p in people)
    joint = joint_release(
        cross,
        {
            "month": Counter(p[2] for p in people),
            "place": Counter(p[4] for p in people),
            "compound": Counter(p[3] for p in people),
        },
        k,
        columns=["reported", "rescued", "in_shelter"],
        nested=("compound", "place", Counter((p[3], p[4]) for p in people)),
    )
    return {
        "by_nationality_status": joint.cross.to_dict(),
        "by_nationality": joint.row_margin.to_dict(),
        "by_status": joint.column_margin.to_dict(),
        "by_month": joint.tables["month"].to_dict(),
        "by_place": joint.tables["place"].to_dict(),
        "by_compound": joint.tables["compound"].to_dict(),
    }


COUNTRY = {"kh-a": "KH", "kh-b": "KH", "mm-a": "MM", "unknown": None}
person = st.tuples(
    st.sampled_from(["VN", "TH", "ID"]),
    st.sampled_from(["reported", "rescued", "in_shelter"]),
    st.sampled_from(["2024-01", "2024-02", "2024-03"]),
    st.sampled_from(list(COUNTRY)),
    st.sampled_from(["KH", "MM", "TH", "unknown"]),
).map(lambda p: (*p[:4], COUNTRY[p[3]] or p[4]))


@given(people=st.lists(person, min_size=1, max_size=30), k=st.integers(min_value=2, max_value=5))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_withheld_count_is_recovered_from_margins_or_other_tables(
    people: list[tuple[str, str, str, str, str]], k: int
) -> None:
    release = release_of(people, k)
    check(release, truth_of(people), {(p[3], p[4]) for p in people}, k)


def test_separate_protection_would_leak_and_the_joint_one_does_not() -> None:
    """kk-park 2 and shwe-kokko 5 lie in MM (7); protected on its own, the compound table
    withholds sihanoukville with kk-park — and MM minus shwe-kokko gives kk-park away."""
    k = 3
    compounds = {"sihanoukville": 3, "kk-park": 2, "shwe-kokko": 5}
    alone = table_1d(compounds, k)
    shown = dict(zip(alone.labels, alone.counts, strict=True))
    assert shown["kk-park"] is None and shown["shwe-kokko"] == 5  # MM 7 - 5 = 2: recovered
    country = {"sihanoukville": "KH", "kk-park": "MM", "shwe-kokko": "MM"}
    people = [
        ("VN", "rescued", "2024-01", c, country[c]) for c, n in compounds.items() for _ in range(n)
    ]
    release = release_of(people, k)
    check(release, truth_of(people), {(c, country[c]) for c in compounds}, k)
    leaked = {row["label"]: row["count"] for row in release["by_compound"]["rows"]}
    places = {row["label"]: row["count"] for row in release["by_place"]["rows"]}
    assert leaked["kk-park"] is None
    assert places["MM"] is None or leaked["shwe-kokko"] is None


def test_a_cross_table_margin_does_not_give_a_cell_away() -> None:
    """One Thai person in shelter among 12 Thai: the row total alone would give it away."""
    people = [("TH", "rescued", "2024-01", "kh-a", "KH")] * 11
    people += [("TH", "in_shelter", "2024-01", "kh-a", "KH")]
    people += [("VN", s, "2024-02", "kh-a", "KH") for s in ("rescued", "in_shelter") * 6]
    release = release_of(people, 5)
    cells = release["by_nationality_status"]["cells"]
    assert sum(v is None for row in cells for v in row) >= 4  # a rectangle of four at least
    check(release, truth_of(people), {("kh-a", "KH")}, 5)


@pytest.fixture
def api(world: World) -> TestClient:
    token, _ = tokens.create_token(world.store.engine, "lead", "stats")
    client = TestClient(create_app(world.store.settings, world.store))
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_the_published_release_resists_the_attack(world: World, api: TestClient) -> None:
    """Through the API: a skewed synthetic population with small cells everywhere."""
    book = world.book("lead")
    plan = {("VN", "in_shelter"): 9, ("VN", "rescued"): 4, ("TH", "in_shelter"): 6,
            ("TH", "reported"): 1, ("ID", "rescued"): 2, ("KE", "in_shelter"): 7}  # fmt: skip
    people = []
    for (nat, status), n in plan.items():
        for i in range(n):
            compound = "zq-compound" if i % 2 == 0 else None
            book.persons.add(world.case, PersonInput(nationality=nat, compound=compound), status)
            people.append((nat, status, "", compound or "unknown", "KH" if compound else "unknown"))
    with api:
        release = api.get("/api/v1/cases/statistics", params={"k": 5}).json()
    assert len(release["by_month"]["rows"]) == 1  # all recorded today
    month = release["by_month"]["rows"][0]["label"]
    people = [(a, b, month, c, d) for a, b, _, c, d in people]
    assert release["by_nationality_status"]["columns"][0] == "reported"  # workflow order
    check(release, truth_of(people), {(p[3], p[4]) for p in people}, 5)


def test_needless_complements_are_released_again() -> None:
    """Many small cells around a big row: the greedy rounds withhold the big row's total and
    a whole column; the pass that releases complements back shows them — still protected."""
    statuses = ["reported", "rescued", "in_shelter"]
    people = [("VN", s, "2024-01", "kh-a", "KH") for s in statuses for _ in range(30)]
    people += [("VN", "reported", "2024-01", "kh-a", "KH")] * 30
    for nat, n in (("TH", 3), ("ID", 4), ("PH", 2), ("KE", 6), ("ET", 3)):
        people += [(nat, statuses[i % 3], "2024-01", "kh-a", "KH") for i in range(n)]
    release = release_of(people, 5)
    check(release, truth_of(people), {("kh-a", "KH")}, 5)
    nationality = {row["label"]: row["count"] for row in release["by_nationality"]["rows"]}
    status = {row["label"]: row["count"] for row in release["by_status"]["rows"]}
    assert nationality["VN"] == 120 and status["reported"] is not None
    assert release["by_nationality_status"]["total"] == 138
