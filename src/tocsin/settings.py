"""One settings object for the whole of Tocsin.

Every setting can be given in the environment with the ``TOCSIN_`` prefix (e.g.
``TOCSIN_PRIOR=0.02``). Defaults work for one person on a laptop. Each setting is listed in
docs/settings.md; a test fails when one is missing there.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TOCSIN_", extra="ignore")

    prior: float = Field(
        0.05,
        gt=0.0,
        lt=1.0,
        description=(
            "Prior probability that a scanned document is fraudulent before any evidence; "
            "the starting point of the risk score (docs/scoring.md)."
        ),
    )
    category_damping: float = Field(
        0.7,
        ge=0.0,
        le=1.0,
        description=(
            "Factor applied to each further signal of the same category, because signals "
            "of one category are correlated evidence (docs/scoring.md)."
        ),
    )
    use_models: bool = Field(
        True, description="Combine the learned models' probabilities into verdicts."
    )
    model_max_increase: float = Field(
        3.0,
        ge=0.0,
        description=(
            "Most log-odds a learned model can add to a verdict: on its own a model is worth "
            "at most one strong indicator (docs/scoring.md)."
        ),
    )
    model_max_decrease: float = Field(
        1.0,
        ge=0.0,
        description=(
            "Most log-odds a learned model can take away: the models' training data does not "
            "contain the lures the indicator packs encode, so their 'looks ordinary' is weak "
            "evidence against a published indicator (docs/scoring.md)."
        ),
    )
    max_document_bytes: int = Field(
        2_000_000,
        gt=0,
        description=(
            "Largest single document (one file, JSONL line or CSV cell) read; larger "
            "records are reported and skipped, without being loaded into memory whole."
        ),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
