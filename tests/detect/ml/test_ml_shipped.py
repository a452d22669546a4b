"""The shipped models load, score the obvious cases the right way round, and explain."""

from __future__ import annotations

import numpy as np
import pytest

from tocsin.detect.ml import score, shipped_model
from tocsin.model import DocumentKind, ModelScore

FRAUD_AD = (
    "Work from home data entry clerk. Earn $500 per week, no experience needed, flexible "
    "hours. Send your full name, address and bank account details to get started today!"
)
LEGIT_AD = (
    "Acme Health is a fast-growing healthcare software company based in Austin, Texas. "
    "Founded in 2009, we build clinical scheduling products used by 300 hospitals. "
    "We are looking for a Senior Backend Engineer to join our platform team in Austin. You "
    "will design and maintain distributed services in Go and PostgreSQL, review code and "
    "mentor engineers. Requirements: 5+ years of experience, BS in Computer Science. "
    "Benefits: health insurance, 401(k) matching, 20 days PTO."
)
FRAUD_SMS = "URGENT! You have won a £1000 prize. Claim now at http://bit.ly/xyz or call 09061701461"
LEGIT_SMS = "Hey, are we still on for dinner tonight? I'll pick you up at 7"


@pytest.mark.parametrize(
    ("kind", "fraud", "legit"),
    [
        (DocumentKind.JOB_AD, FRAUD_AD, LEGIT_AD),
        (DocumentKind.MESSAGE, FRAUD_SMS, LEGIT_SMS),
    ],
)
def test_obvious_fraud_scores_higher(kind: DocumentKind, fraud: str, legit: str) -> None:
    model = shipped_model(kind)
    assert model is not None
    p_fraud, p_legit = model.predict_proba([fraud, legit])
    assert p_fraud > 0.7 > 0.3 > p_legit


def test_kinds_map_to_models() -> None:
    assert shipped_model(DocumentKind.CONVERSATION) is shipped_model(DocumentKind.MESSAGE)
    assert shipped_model(DocumentKind.WEB_PAGE) is None
    assert shipped_model("job_ad") is shipped_model(DocumentKind.JOB_AD)


def test_metadata_for_the_engine() -> None:
    model = shipped_model(DocumentKind.JOB_AD)
    assert model is not None
    assert model.languages == frozenset({"en"})
    assert model.knows_language("en") and not model.knows_language("vi")
    assert 0.3 < model.train_prior < 0.6
    assert 0.0 < model.threshold < 1.0


def test_score_batches_and_explains() -> None:
    model = shipped_model(DocumentKind.MESSAGE)
    assert model is not None
    scores = score(model, [FRAUD_SMS, LEGIT_SMS, ""], top_k=3)
    assert all(isinstance(s, ModelScore) for s in scores)
    assert np.allclose(
        [s.probability for s in scores[:2]], model.predict_proba([FRAUD_SMS, LEGIT_SMS])
    )
    top = scores[0].top_terms
    assert 0 < len(top) <= 3 and all(isinstance(t, str) for t, _ in top)
    assert top[0][1] > 0  # the strongest term of an obvious spam pushes towards spam
    assert abs(top[0][1]) >= abs(top[-1][1])
    assert scores[2].top_terms == () and scores[0].contribution == 0.0
    assert score(model, []) == []
