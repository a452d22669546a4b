"""The scoring rules documented in docs/scoring.md."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.detect.scoring import Contribution, combine, damp, logit, model_evidence
from tocsin.model import Category, RiskLevel
from tocsin.settings import Settings


def test_no_evidence_gives_the_prior() -> None:
    assert combine(0.05, []) == (logit(0.05), 5)


def test_documented_examples() -> None:
    one = damp([Contribution("a", Category.RECRUITMENT_LURE, 3.0)], 0.5)
    assert combine(0.05, one.values())[1] == 51
    two_categories = damp(
        [
            Contribution("a", Category.RECRUITMENT_LURE, 3.0),
            Contribution("b", Category.PAYMENT, 3.0),
        ],
        0.5,
    )
    assert combine(0.05, two_categories.values())[1] == 96
    same_category = damp(
        [
            Contribution("a", Category.RECRUITMENT_LURE, 3.0),
            Contribution("b", Category.RECRUITMENT_LURE, 3.0),
        ],
        Settings().category_damping,
    )
    assert sorted(same_category.values()) == [pytest.approx(2.1), 3.0]
    assert combine(0.05, same_category.values())[1] == 90


def test_levels_follow_the_documented_thresholds() -> None:
    assert [RiskLevel.from_risk(r).value for r in (0, 29, 30, 59, 60, 84, 85, 100)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
        "critical",
        "critical",
    ]


def test_model_evidence_is_relative_to_its_training_prior() -> None:
    assert model_evidence(0.5, 0.5) == 0.0
    assert math.isclose(model_evidence(0.9, 0.5), logit(0.9))
    assert model_evidence(1.0, 0.5) == model_evidence(0.99, 0.5)  # clipped, finite


@given(
    st.lists(
        st.tuples(st.sampled_from(list(Category)), st.floats(min_value=-5, max_value=5)),
        max_size=12,
    )
)
def test_risk_is_bounded_and_monotone_in_evidence(items: list[tuple[Category, float]]) -> None:
    contributions = [Contribution(f"i{n}", c, w) for n, (c, w) in enumerate(items)]
    log_odds, risk = combine(0.05, damp(contributions, 0.5).values())
    assert 0 <= risk <= 100
    more = [*contributions, Contribution("extra", None, 1.0)]
    assert combine(0.05, damp(more, 0.5).values())[0] > log_odds
