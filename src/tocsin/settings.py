"""One settings object for the whole of Tocsin.

Every setting can be given in the environment with the ``TOCSIN_`` prefix (e.g.
``TOCSIN_PRIOR=0.02``). Defaults work for one person on a laptop. Each setting is listed in
docs/settings.md; a test fails when one is missing there.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from tocsin.errors import ConfigError

__all__ = ["DEV_SECRET_KEY", "Settings", "check_deployment", "get_settings"]

DEV_SECRET_KEY = "tocsin-development-secret-not-for-team-use"
"""The well-known default secret: fine on a laptop, refused by ``check_deployment`` in team mode."""

MIN_SECRET_LENGTH = 32


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
    graph_hub_threshold: int = Field(
        500,
        gt=0,
        description=(
            "A selector linked to more documents than this is a hub (a job board's support "
            "address): it is reported but does not merge clusters (docs/graph.md)."
        ),
    )
    graph_hub_share: float = Field(
        0.005,
        gt=0.0,
        le=1.0,
        description=(
            "In smaller corpora a selector linked to more than this share of all documents is "
            "already a hub (never below graph_hub_min_degree) (docs/graph.md)."
        ),
    )
    graph_hub_min_degree: int = Field(
        50,
        gt=0,
        description=(
            "The share rule never makes a selector with this many documents or fewer a hub."
        ),
    )
    graph_near_duplicate_threshold: float = Field(
        0.7,
        gt=0.0,
        le=1.0,
        description=(
            "Estimated Jaccard similarity of character 5-shingles at which two documents are "
            "linked as near-duplicates (a reused template or script) (docs/graph.md)."
        ),
    )
    graph_pivot_limit: int = Field(
        200,
        gt=0,
        description="Most nodes a pivot or path search visits before it stops (docs/graph.md).",
    )
    database_url: str | None = Field(
        None,
        description=(
            "SQLAlchemy URL of the store's database, e.g. postgresql+psycopg://user@host/tocsin; "
            "unset means an SQLite file under the user's data directory (docs/store.md)."
        ),
    )
    default_marking: Literal["clear", "green", "amber", "amber+strict", "red"] = Field(
        "amber",
        description=(
            "TLP 2.0 marking given to a new dataset's documents and statements when "
            "`tocsin ingest --marking` is not given (docs/store.md)."
        ),
    )
    ingest_batch_size: int = Field(
        500,
        gt=0,
        le=100_000,
        description=(
            "Documents scanned and written per database transaction by `tocsin ingest`; a "
            "killed ingest loses at most the batch in flight (docs/store.md)."
        ),
    )
    secret_key: str = Field(
        DEV_SECRET_KEY,
        min_length=1,
        description=(
            "Secret key of the deployment: keys the audit log's hash chain (HMAC-SHA256) and "
            "signs nothing else; a team deployment refuses to start with the default or with "
            "fewer than 32 characters (docs/access.md)."
        ),
    )
    deployment_mode: Literal["local", "team"] = Field(
        "local",
        description=(
            "local: one person on a laptop, the CLI sees everything; team: a shared server "
            "with users, which requires a real secret key (docs/access.md)."
        ),
    )
    organisation: str = Field(
        "local",
        min_length=1,
        max_length=200,
        description=(
            "Organisation that owns datasets created without naming one (the CLI's ingests, "
            "and datasets present before access control existed) (docs/access.md)."
        ),
    )
    session_hours: float = Field(
        12.0,
        gt=0.0,
        le=24.0 * 30,
        description="Hours a web session lasts after login (docs/access.md).",
    )
    public_rate_limit: str = Field(
        "60/minute",
        description=(
            "Requests per client address allowed on the public (not logged-in) web endpoints, "
            "in the `limits` notation, e.g. 60/minute (docs/access.md)."
        ),
    )
    login_rate_limit: str = Field(
        "10/minute",
        description=(
            "Login attempts allowed per client address and per username, in the `limits` "
            "notation (docs/access.md)."
        ),
    )
    rate_limit_storage: str = Field(
        "memory://",
        min_length=1,
        description=(
            "Where the rate limits count requests: memory:// keeps the counts in each server "
            "process; a Redis URL (redis://127.0.0.1:6379/0) shares them between every process "
            "and host, so a client blocked by one is blocked by all (docs/access.md)."
        ),
    )
    public_report_dataset: str = Field(
        "public-reports",
        min_length=1,
        max_length=200,
        description=(
            'Dataset that the public page\'s "report it" button stores texts in, owned by '
            "TOCSIN_ORGANISATION (docs/api.md)."
        ),
    )
    public_report_marking: Literal["clear", "green", "amber", "amber+strict", "red"] = Field(
        "amber+strict",
        description=(
            "TLP 2.0 marking of the public report dataset when it is created: reports can name "
            "victims and their families, so only the deployment's organisation sees them "
            "(docs/api.md)."
        ),
    )
    share_keys_dir: str | None = Field(
        None,
        description=(
            "Directory of the community key files used for hashed selector matching "
            "(`tocsin share`); unset means `community-keys` under the user's data directory. "
            "Key files must be readable by their owner only (docs/sharing.md)."
        ),
    )
    import_max_bytes: int = Field(
        512 * 1024 * 1024,
        gt=0,
        description=(
            "Largest MISP file `tocsin import` reads (a MISP event is one JSON object, read "
            "whole); STIX bundles and FtM streams are read object by object, whatever their "
            "size (docs/sharing.md)."
        ),
    )
    import_max_object_bytes: int = Field(
        16 * 1024 * 1024,
        gt=0,
        description=(
            "Largest single object (a STIX object, an FtM entity line) `tocsin import` "
            "accepts; a larger one is reported by position and skipped (docs/sharing.md)."
        ),
    )
    field_key: str | None = Field(
        None,
        repr=False,
        description=(
            "Keys that encrypt victims' personal fields at rest (AES-256-GCM): `kid:base64key`, "
            "comma-separated, the first encrypts and all decrypt (rotation); make one with "
            "`tocsin cases keygen`. Unset: personal fields are stored in plain text, and a "
            "team deployment refuses to start (docs/cases.md)."
        ),
    )
    stats_min_count: int = Field(
        5,
        ge=2,
        le=1000,
        description=(
            "k of the k-anonymity rule for published case statistics: counts from 1 to k-1 "
            "are withheld, with complementary withholding so that none can be recovered from "
            "totals (docs/cases.md)."
        ),
    )
    stats_round_base: int = Field(
        0,
        ge=0,
        le=100,
        description=(
            "Round every published case statistic at random to a multiple of this base "
            "(0 or 1: exact), the draw keyed by the secret key and the true count, so that "
            "releases made at different times cannot simply be subtracted (docs/cases.md)."
        ),
    )
    compounds_dataset: str = Field(
        "compounds",
        min_length=1,
        max_length=200,
        description=(
            "Dataset that compounds added by analysts belong to (its marking decides who sees "
            "them); the reference list is loaded into `tocsin-reference`, CLEAR "
            "(docs/cases.md)."
        ),
    )


def check_deployment(settings: Settings) -> None:
    """Refuse a team deployment with the default or a short secret key (ConfigError)."""
    if settings.deployment_mode != "team":
        return
    if settings.secret_key == DEV_SECRET_KEY:
        raise ConfigError(
            "TOCSIN_DEPLOYMENT_MODE=team needs a secret key of its own, not the default",
            hint='set TOCSIN_SECRET_KEY, e.g. to the output of `python -c "import secrets; '
            'print(secrets.token_urlsafe(48))"`',
        )
    if len(settings.secret_key) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"TOCSIN_SECRET_KEY has {len(settings.secret_key)} characters; a team deployment "
            f"needs at least {MIN_SECRET_LENGTH}",
            hint="generate one with secrets.token_urlsafe(48)",
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
