"""The estimator follows the scikit-learn contract and is deterministic."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from tocsin.detect.ml import TextClassifier


def _xy(rows: list[tuple[str, int]]) -> tuple[list[str], np.ndarray]:
    return [t for t, _ in rows], np.array([y for _, y in rows])


def test_init_stores_parameters_only() -> None:
    est = TextClassifier(C=3.0, calibration="isotonic")
    assert est.get_params()["C"] == 3.0
    assert not [k for k in vars(est) if k.endswith("_")]
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert copy.set_params(C=1.0) is copy and copy.C == 1.0


def test_fit_returns_self_and_learned_state_ends_in_underscore(synthetic_rows) -> None:
    X, y = _xy(synthetic_rows)
    est = TextClassifier(min_df=1)
    assert est.fit(X, y) is est
    learned = [k for k in vars(est) if k not in est.get_params()]
    assert learned and all(k.endswith("_") for k in learned)
    assert est.predict_proba(X).shape == (len(X), 2)
    assert np.allclose(est.predict_proba(X).sum(axis=1), 1.0)
    assert set(est.predict(X)) <= {0, 1}


def test_unfitted_estimator_refuses_to_predict() -> None:
    with pytest.raises(NotFittedError):
        TextClassifier().predict_proba(["hello"])


@pytest.mark.parametrize("calibration", ["sigmoid", "isotonic"])
def test_deterministic(synthetic_rows, calibration: str) -> None:
    X, y = _xy(synthetic_rows)
    a = TextClassifier(calibration=calibration).fit(X, y).predict_proba(X)
    b = TextClassifier(calibration=calibration).fit(X, y).predict_proba(X)
    assert np.array_equal(a, b)


def test_fit_rejects_one_class_and_bad_options(synthetic_rows) -> None:
    X, _ = _xy(synthetic_rows)
    with pytest.raises(ValueError, match="both classes"):
        TextClassifier().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="calibration"):
        TextClassifier(calibration="magic").fit(X, np.arange(len(X)) % 2)


def test_sigmoid_contributions_add_up_to_logit(synthetic_rows) -> None:
    X, y = _xy(synthetic_rows)
    est = TextClassifier(min_df=1).fit(X, y)
    matrix = est.transform_texts(X[:3])
    p = est.predict_proba(X[:3])[:, 1]
    total = (matrix @ est.coef_) * est.term_scale + (
        est.intercept_ * est.calibration_slope_ + est.calibration_offset_
    )
    assert np.allclose(total, np.log(p / (1 - p)))


def test_fast_transform_equals_scikit_learn(synthetic_rows) -> None:
    from tocsin.detect.ml.scoring import shipped_model

    model = shipped_model("message")
    assert model is not None
    est = model.estimator
    texts = [t for t, _ in synthetic_rows] + ["", "!!", "WIN a prize now now now"]
    ours = est.transform_texts(texts)
    theirs = est.vectorizer_.transform(est._normalise(texts))
    assert abs(ours - theirs).max() < 1e-12
