"""Short texts as the public check page gets them: kind ``unknown``, one line, few words.

A recruiter's one-line lure must not come back "low"; a short ordinary text must not be raised
by a model that learnt from whole job adverts.
"""

from __future__ import annotations

import pytest

from tocsin.detect.engine import Engine
from tocsin.detect.kind import effective_kind
from tocsin.detect.models import FULL_COVERAGE_TERMS, ModelSet, ModelVerdict, coverage
from tocsin.model import Document, DocumentKind, LanguageGuess, ModelScore, RiskLevel
from tocsin.settings import Settings

LURE = "Customer service in Sihanoukville, USD 1500, flight paid, Telegram @hr_x"
LURE_HANDLE = "Customer service in Sihanoukville, USD 1500, flight paid, Telegram @hr_support88"


@pytest.fixture(scope="module")
def with_models() -> Engine:
    return Engine(settings=Settings(use_models=True))


@pytest.fixture(scope="module")
def rules_only() -> Engine:
    return Engine(settings=Settings(use_models=False))


def _ids(engine: Engine, text: str, kind: DocumentKind = DocumentKind.UNKNOWN) -> set[str]:
    return {s.indicator for s in engine.scan(Document(text, kind)).signals}


def test_the_one_line_lure_is_high(with_models: Engine, rules_only: Engine) -> None:
    verdict = with_models.scan(Document(LURE))
    assert verdict.level.rank >= RiskLevel.HIGH.rank
    fired = {s.indicator for s in verdict.signals}
    assert {"place.compound_hub_job", "lure.usd_pay_cover_job", "lure.flight_visa_paid"} <= fired
    assert [m.model for m in verdict.model_scores] == ["job_ad"]  # read as a job ad
    assert verdict.kind == "unknown"  # the verdict still says what the caller declared
    # the packs alone already say "high": the model is not what carries it
    assert rules_only.scan(Document(LURE)).level.rank >= RiskLevel.HIGH.rank


def test_a_job_like_unknown_text_gets_the_job_only_contact_indicator(rules_only: Engine) -> None:
    assert "contact.messaging_only" in _ids(rules_only, LURE_HANDLE)
    # a chat that names a Telegram handle is not a job offer
    assert "contact.messaging_only" not in _ids(rules_only, "Hi, it's Mai, my Telegram @mai_pham88")


@pytest.mark.parametrize(
    "text",
    [
        "Good job on the presentation today! Lunch tomorrow?",
        "Please call customer service about your refund.",
        "Just landed in Sihanoukville, the beach is lovely.",
    ],
)
def test_one_job_cue_is_not_a_job_offer(with_models: Engine, text: str) -> None:
    verdict = with_models.scan(Document(text))
    assert verdict.model_scores == ()
    assert verdict.level is RiskLevel.LOW


def test_a_salary_notice_stays_low(with_models: Engine) -> None:
    """ "Salary" is a job word of the packs, so this notice is read as a job ad; the job model
    can read too little of it to matter."""
    verdict = with_models.scan(Document("Your salary of USD 1,500 was credited to account 2210."))
    assert verdict.level is RiskLevel.LOW
    assert all(abs(m.contribution) < 0.5 for m in verdict.model_scores)


def test_effective_kind_keeps_a_declared_kind() -> None:
    cues = {"cover_job", "usd_pay", "job_offer"}
    assert effective_kind(DocumentKind.MESSAGE, cues) is DocumentKind.MESSAGE
    assert effective_kind(DocumentKind.UNKNOWN, cues) is DocumentKind.JOB_AD
    assert effective_kind(DocumentKind.UNKNOWN, {"cover_job", "compound_place"}) is (
        DocumentKind.UNKNOWN
    )
    assert effective_kind(DocumentKind.UNKNOWN, {"salary", "usd_pay"}) is DocumentKind.UNKNOWN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Typist, 1800 USD, contact Telegram only", {"lure.usd_pay_cover_job"}),
        (
            "Service client, 2000 USD par mois, contact WhatsApp uniquement",
            {"lure.messaging_app_only"},
        ),
        ("Tuyển CSKH làm việc tại Lào, lương 1000 đô", {"lure.cover_job_abroad"}),
        ("รับสมัครแอดมิน ทำงานที่ปอยเปต เงินเดือน 1500 USD", {"place.compound_hub_job"}),
    ],
)
def test_short_lure_wordings(rules_only: Engine, text: str, expected: set[str]) -> None:
    assert expected <= _ids(rules_only, text)


@pytest.mark.parametrize(
    "text",
    [
        "Customer service representative, $18 per hour, Denver office.",
        "Customer success manager, USD 95k a year, five years of SaaS experience.",
        "Remote senior Python developer, USD 120,000/year, apply at jobs.example.org",
    ],
)
def test_dollar_pay_that_is_not_a_lure_figure(rules_only: Engine, text: str) -> None:
    assert "lure.usd_pay_cover_job" not in _ids(rules_only, text)


def test_coverage_is_a_share_of_the_known_terms_needed() -> None:
    full = FULL_COVERAGE_TERMS[DocumentKind.JOB_AD]
    assert coverage(DocumentKind.JOB_AD, 0) == 0.0
    assert coverage(DocumentKind.JOB_AD, full // 4) == pytest.approx((full // 4) / full)
    assert coverage(DocumentKind.JOB_AD, 10 * full) == 1.0
    assert coverage(DocumentKind.MESSAGE, 3) == 1.0


class _Covered(ModelSet):
    """Every document gets P = 0.99 from a model that could read a given share of it."""

    def __init__(self, share: float) -> None:
        super().__init__({})
        self.share = share

    def score(self, items: object) -> list[ModelVerdict | None]:
        assert isinstance(items, list)
        verdicts: list[ModelVerdict | None] = []
        for _, language in items:
            assert isinstance(language, LanguageGuess)
            verdicts.append(ModelVerdict(ModelScore("fixed", 0.99), 0.5, True, self.share))
        return verdicts


def test_model_evidence_scales_with_coverage_and_adds_up() -> None:
    s = Settings(use_models=False)
    doc = Document("Meeting moved to 3pm, room 4B. Bring the slides.", DocumentKind.MESSAGE)
    full = Engine(models=_Covered(1.0), settings=s).scan(doc)
    quarter = Engine(models=_Covered(0.25), settings=s).scan(doc)
    assert full.model_scores[0].contribution == pytest.approx(s.model_max_increase)
    assert quarter.model_scores[0].contribution == pytest.approx(0.25 * s.model_max_increase)
    assert quarter.risk < full.risk


def test_the_job_model_says_little_about_a_one_line_text(with_models: Engine) -> None:
    """The EMSCAD model answers P ≈ 0.8 for almost any one-liner (its intercept); that must
    not turn an ordinary short post or chat into an alert."""
    for text in (
        "Hiring: junior accountant, Leeds, £26k, apply with CV.",
        "Good job on the presentation today! Lunch tomorrow?",
        "Kitchen porter job, £11/hour, start Monday, call Tom.",
    ):
        verdict = with_models.scan(Document(text, DocumentKind.JOB_AD))
        (model,) = verdict.model_scores
        assert abs(model.contribution) < 1.0, text
        assert verdict.level is RiskLevel.LOW, text
