"""How evidence adds up to a risk score.

The combination is a naive-Bayes style sum of log-likelihood ratios, with one correction for
correlated evidence. In words:

1. Start from the prior log-odds ``logit(prior)`` (``TOCSIN_PRIOR``, 5 % by default: most
   documents a platform sees are not fraud).
2. Each indicator that fired adds its weight, a log-likelihood ratio in nats: how much more
   likely the document is fraud-related given that indicator. An indicator counts once however
   many times it matched.
3. Signals of the same category are correlated (three ways of saying "no experience needed"
   are not three independent facts), so within a category the k-th strongest signal is
   multiplied by ``damping**k`` (``TOCSIN_CATEGORY_DAMPING``, 0.7). Independent categories —
   a lure *and* a compound place *and* a move to Telegram — add up fully.
4. A learned model adds ``logit(p) - logit(prior_train)``: the evidence its probability carries
   beyond the class balance it was calibrated on — but only for documents in a language the
   model was trained on (otherwise it has no say: an English-trained model's opinion of a
   Vietnamese text is noise), and bounded to [-``TOCSIN_MODEL_MAX_DECREASE``,
   +``TOCSIN_MODEL_MAX_INCREASE``] (1 and 3 nats): on its own a model is worth at most one strong
   indicator, and since its training data lacks the lures the packs encode, its "looks
   ordinary" cannot cancel a published indicator. The bounded evidence is then multiplied by
   the model's *coverage* of the text (``tocsin.detect.models.coverage``): a one-line text
   holds a few of the terms a job-ad model learnt from whole adverts, and the model's answer
   there is mostly its intercept, not evidence about the text.
5. ``risk = round(100 * sigmoid(log_odds))``; levels are fixed thresholds on risk.

Unlike a clipped sum, this saturates smoothly, never exceeds 100, lets one strong indicator move
a document to "medium" and two independent strong ones to "high", and keeps every
contribution inspectable: each Signal and ModelScore records what it added.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tocsin.model import Category

__all__ = ["Contribution", "combine", "logit", "sigmoid"]

#: Probabilities from models are clipped to this range before taking log-odds, so that one
#: overconfident model cannot outvote every indicator (±4.6 nats at most).
MODEL_CLIP = 0.01


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass(frozen=True, slots=True)
class Contribution:
    """One piece of evidence before combination: a category and a log-likelihood ratio."""

    key: str
    category: Category | None
    weight: float


def damp(items: Sequence[Contribution], damping: float) -> dict[str, float]:
    """What each piece of evidence contributes after damping within its category."""
    out: dict[str, float] = {}
    by_category: dict[Category | None, list[Contribution]] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(item)
    for category, group in by_category.items():
        if category is None:  # evidence outside the categories (models) is not damped
            for item in group:
                out[item.key] = item.weight
            continue
        positives = sorted((i for i in group if i.weight > 0), key=lambda i: (-i.weight, i.key))
        for rank, item in enumerate(positives):
            out[item.key] = item.weight * damping**rank
        for item in group:
            if item.weight <= 0:
                out[item.key] = item.weight
    return out


def model_evidence(probability: float, train_prior: float) -> float:
    """The log-likelihood ratio a calibrated model's probability carries."""
    p = min(max(probability, MODEL_CLIP), 1.0 - MODEL_CLIP)
    return logit(p) - logit(train_prior)


def combine(prior: float, contributions: Iterable[float]) -> tuple[float, int]:
    """Prior plus evidence → (log-odds, risk 0–100)."""
    log_odds = logit(prior) + sum(contributions)
    return log_odds, round(100.0 * sigmoid(log_odds))
