"""Pydantic models of the API's requests and answers (they make the OpenAPI schema).

The names follow the glossary: document, selector, signal, verdict, entity, statement,
dataset, judgement, marking. Converters from the core's dataclasses live next to the models.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from tocsin.model import DocumentKind, Verdict

__all__ = [
    "ErrorOut",
    "EvidenceOut",
    "LanguageOut",
    "Marking",
    "ModelScoreOut",
    "Page",
    "ScanRequest",
    "SelectorOut",
    "SignalOut",
    "VerdictOut",
    "verdict_out",
]

Marking = Literal["clear", "green", "amber", "amber+strict", "red"]
Role = Literal["viewer", "analyst", "admin"]
Level = Literal["low", "medium", "high", "critical"]
Category = Literal[
    "recruitment_lure", "forced_criminality", "pig_butchering", "payment", "generic_fraud"
]

LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z]{2,4})?$"
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Model):
    """Every error answer: a stable code, a sentence for people, sometimes details."""

    error: str = Field(description="Stable machine-readable code, e.g. not_found, csrf.")
    message: str
    detail: list[dict[str, Any]] | None = None


class EvidenceOut(Model):
    start: int
    end: int
    text: str


class SignalOut(Model):
    indicator: str
    category: Category
    title: str
    explanation: str
    weight: float
    contribution: float
    language: str | None = None
    evidence: list[EvidenceOut]
    sources: list[str]


class SelectorOut(Model):
    key: str = Field(description="type:value, the selector's identity across documents.")
    type: str
    value: str
    start: int
    end: int
    raw: str
    validated: bool
    chain: str | None = None
    token: str | None = None
    network: str | None = None
    domain: str | None = None
    country: str | None = None


class LanguageOut(Model):
    code: str
    confidence: float
    script: str | None = None
    alternatives: list[tuple[str, float]] = []


class ModelScoreOut(Model):
    model: str
    probability: float
    contribution: float
    top_terms: list[tuple[str, float]]


class VerdictOut(Model):
    """The explainable verdict on one text: risk, level, the signals with evidence, the
    selectors found and the learned models' opinions."""

    id: str | None = None
    kind: str
    risk: int = Field(ge=0, le=100)
    level: Level
    categories: list[Category]
    language: LanguageOut
    signals: list[SignalOut]
    selectors: list[SelectorOut]
    model_scores: list[ModelScoreOut]
    log_odds: float
    engine: str
    packs: list[str]


def verdict_out(verdict: Verdict | dict[str, Any]) -> VerdictOut:
    """The API form of a verdict (a `Verdict`, or its stored JSON)."""
    data = verdict.to_dict() if isinstance(verdict, Verdict) else dict(verdict)
    data["selectors"] = [
        {**s, "key": s.get("key") or f"{s['type']}:{s['value']}"} for s in data["selectors"]
    ]
    return VerdictOut.model_validate(data)


class ScanRequest(Model):
    text: str = Field(
        min_length=1,
        max_length=100_000,
        description="The job offer, message or conversation to screen (up to 100,000 characters).",
    )
    kind: DocumentKind = Field(DocumentKind.UNKNOWN, description="What the text is.")
    language: str | None = Field(
        None, pattern=LANGUAGE_PATTERN, description="Language hint (ISO 639-1), e.g. vi."
    )
    country: str | None = Field(
        None, pattern=COUNTRY_PATTERN, description="Country hint for phone numbers (ISO 3166)."
    )


T = TypeVar("T")


class Page(Model, Generic[T]):
    """One page of results, with the total number of results visible to the caller."""

    items: list[T]
    total: int = Field(ge=0)
    limit: int
    offset: int


class Timestamped(Model):
    first_seen: datetime | None = None
    last_seen: datetime | None = None


# -- documents and search -----------------------------------------------------------------------


class DocumentHit(Model):
    """A search result: the document's verdict summary and the start of its text."""

    id: str
    score: float
    risk: int
    level: Level
    kind: str
    language: str | None = None
    categories: list[str]
    marking: Marking = Field(
        description="The least restricted marking of the datasets the caller sees it in."
    )
    title: str | None = None
    source: str | None = None
    first_seen: datetime
    last_seen: datetime
    snippet: str


class DatasetRef(Model):
    name: str
    marking: Marking


class DatasetOut(Model):
    name: str
    marking: Marking
    organisation: str | None = Field(None, description="The owning organisation.")
    created_at: datetime
    documents: int


class DocumentOut(Model):
    """A stored document with its verdict, the datasets it was seen in (those the caller may
    see) and its selectors."""

    id: str
    kind: str
    language: str | None = None
    risk: int
    level: Level
    categories: list[str]
    marking: Marking
    title: str | None = None
    source: str | None = None
    record_id: str | None = None
    text: str
    first_seen: datetime
    last_seen: datetime
    datasets: list[DatasetRef]
    verdict: VerdictOut


# -- selectors and graph ------------------------------------------------------------------------


class GraphNodeData(Model):
    id: str
    kind: Literal["document", "selector"]
    label: str
    depth: int
    hub: bool = False
    type: str | None = Field(None, description="Selector type (phone, telegram, …).")
    risk: int | None = Field(None, description="Document risk.")
    level: Level | None = None


class GraphNode(Model):
    data: GraphNodeData


class GraphEdgeData(Model):
    id: str
    source: str
    target: str


class GraphEdge(Model):
    data: GraphEdgeData


class Graph(Model):
    """Nodes and edges in Cytoscape.js's ``elements`` form."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    truncated: bool = Field(description="The walk stopped at the node limit.")


class SelectorDetail(Model):
    key: str
    type: str
    value: str
    normalised: str
    chain: str | None = None
    country: str | None = None
    validated: bool
    first_seen: datetime
    last_seen: datetime
    documents: int = Field(description="Documents the caller may see that name this selector.")
    document_ids: list[str] = Field(description="The first of them (up to 100).")
    graph: Graph


# -- entities -----------------------------------------------------------------------------------


class EntityOut(Model):
    """A FollowTheMoney entity assembled from the statements the caller may see."""

    id: str
    schema_: str = Field(alias="schema")
    caption: str | None = None
    properties: dict[str, list[str]]
    datasets: list[str] = []
    first_seen: str | None = None
    last_seen: str | None = None

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


# -- clusters and paths -------------------------------------------------------------------------


class ClusterSummaryOut(Model):
    id: str
    documents: int
    selectors: int
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    languages: dict[str, int]
    kinds: dict[str, int]
    top_indicators: dict[str, int]
    places: dict[str, int]
    datasets: dict[str, int]
    risk_max: int
    risk_mean: float
    levels: dict[str, int]
    selector_types: dict[str, int]
    hubs_excluded: list[str]
    near_duplicate_edges: int


class ClusterDetail(Model):
    summary: ClusterSummaryOut
    document_ids: list[str]
    selector_keys: list[str]
    near_duplicates: list[tuple[str, str, float]]
    graph: Graph


class PathNode(Model):
    kind: Literal["document", "selector"]
    id: str


class PathOut(Model):
    nodes: list[PathNode]
    hops: int
    explanation: list[str]


# -- judgements ---------------------------------------------------------------------------------


class NodeIn(Model):
    kind: Literal["document", "selector"]
    id: str = Field(min_length=1, max_length=600)


class JudgementIn(Model):
    target: Literal["link", "merge"] = Field(
        description="link: a document–selector link; merge: two nodes are the same entity."
    )
    a: NodeIn
    b: NodeIn
    decision: Literal["confirm", "reject", "unsure"]
    why: str = Field("", max_length=2000)


class JudgementOut(Model):
    target: str
    a: NodeIn
    b: NodeIn
    decision: str
    who: str


# -- stats --------------------------------------------------------------------------------------


class Count(Model):
    key: str
    count: int


class Stats(Model):
    """Dashboard aggregates over the documents the caller may see."""

    documents: int
    selectors: int
    datasets: int
    per_day: list[Count] = Field(description="Documents first seen per day (UTC), last 90 days.")
    levels: list[Count]
    categories: list[Count]
    languages: list[Count]
    kinds: list[Count]
    top_indicators: list[Count]
    places: list[Count]
    selector_types: list[Count]
    top_clusters: list[ClusterSummaryOut]


# -- ingest and public report -------------------------------------------------------------------


class RecordIn(Model):
    text: str = Field(min_length=1, max_length=2_000_000)
    kind: DocumentKind | None = None
    id: str | None = Field(None, max_length=300)
    language: str | None = Field(None, pattern=LANGUAGE_PATTERN)
    country: str | None = Field(None, pattern=COUNTRY_PATTERN)
    title: str | None = Field(None, max_length=300)
    source: str | None = Field(None, max_length=1000)


class IngestIn(Model):
    dataset: str = Field(min_length=1, max_length=200)
    marking: Marking | None = Field(
        None, description="Marking of a new dataset (an existing one keeps its own)."
    )
    kind: DocumentKind | None = Field(None, description="Kind of every record without one.")
    records: list[RecordIn] = Field(min_length=1, max_length=10_000)


class RecordProblem(Model):
    place: str
    message: str


class IngestOut(Model):
    dataset: str
    marking: Marking
    read: int
    new: int
    known: int
    selectors: int
    errors: int
    problems: list[RecordProblem] = Field(description="The first 100 unreadable records.")


class ReportIn(Model):
    text: str = Field(min_length=1, max_length=100_000)
    kind: DocumentKind = DocumentKind.UNKNOWN
    language: str | None = Field(None, pattern=LANGUAGE_PATTERN)
    country: str | None = Field(None, pattern=COUNTRY_PATTERN)


class ReportOut(Model):
    received: bool
    reference: str = Field(description="First 12 characters of the stored document's id.")
    level: Level
    message: str


# -- auth and admin -----------------------------------------------------------------------------


class LoginIn(Model):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class Me(Model):
    logged_in: bool
    username: str
    role: Literal["public", "viewer", "analyst", "admin"]
    organisation: str | None = None
    via: Literal["session", "token", "none"] = "none"
    csrf_token: str = Field("", description="Send as X-CSRF-Token with session requests.")


class Hotline(Model):
    """A helpline shown on the public page."""

    name: str = Field(min_length=1, max_length=200)
    country: str | None = Field(None, pattern=COUNTRY_PATTERN)
    phone: str | None = Field(None, max_length=50)
    url: str | None = Field(None, max_length=500, pattern=r"^https?://[^\s<>\"']+$")
    languages: list[str] = Field([], max_length=30)


class DeploymentSettingsModel(Model):
    """Settings of the deployment that admins edit in the browser (stored in the database)."""

    organisation_name: str = Field("", max_length=200)
    hotlines: list[Hotline] = Field([], max_length=100)


class PublicInfo(Model):
    organisation_name: str
    hotlines: list[Hotline]


# -- admin --------------------------------------------------------------------------------------


class OrganisationOut(Model):
    name: str
    created_at: datetime
    users: int
    datasets: int


class UserOut(Model):
    username: str
    display_name: str
    organisation: str
    role: Role
    active: bool
    created_at: datetime
    last_login: datetime | None = None


class UserIn(Model):
    username: str = Field(min_length=1, max_length=200, pattern=r"^\S+$")
    display_name: str | None = Field(None, max_length=200)
    role: Role = "viewer"
    password: str | None = Field(
        None,
        min_length=12,
        max_length=1000,
        description="Leave out to have a random one made and shown once.",
    )


class UserCreated(Model):
    user: UserOut
    password: str | None = Field(None, description="The generated password, shown this once.")


class UserPatch(Model):
    display_name: str | None = Field(None, max_length=200)
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(None, min_length=12, max_length=1000)


class TokenOut(Model):
    prefix: str
    username: str
    name: str
    created_at: datetime
    expires_at: datetime | None = None
    last_used: datetime | None = None
    revoked: bool


class TokenIn(Model):
    username: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    days: float | None = Field(None, gt=0, le=3650, description="Lifetime; none = no expiry.")


class TokenCreated(Model):
    token: str = Field(description="Shown this once: send it as Authorization: Bearer …")
    info: TokenOut


class DatasetAccessOut(Model):
    name: str
    marking: Marking
    organisation: str | None = None
    partners: list[str]
    readers: list[str]


class DatasetPatch(Model):
    marking: Marking | None = None
    add_partners: list[str] = Field([], max_length=100)
    remove_partners: list[str] = Field([], max_length=100)
    add_readers: list[str] = Field([], max_length=100)
    remove_readers: list[str] = Field([], max_length=100)


class AuditEntryOut(Model):
    seq: int
    at: datetime
    actor: str
    organisation: str | None = None
    action: str
    target_kind: str
    target_id: str
    marking: str | None = None
    detail: dict[str, Any]
    hash: str
