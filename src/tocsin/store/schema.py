"""The store's tables, as SQLAlchemy Core metadata.

The migrations in ``tocsin/store/migrations`` create exactly these tables (a test compares
them); queries use these objects. Integer surrogate keys (``pk``) keep the link tables narrow and
their indexes small, so a pivot on a selector is one index range scan; the public identifiers are
``documents.id`` (SHA-256 of the text) and ``selectors.key`` (``type:value``).

Every document and statement carries its dataset and a TLP 2.0 marking; each dataset belongs to
an organisation. Markings are enforced by the store's query layer (`tocsin.store.scope`) for the
`tocsin.access.Principal` a query runs as. The access tables (organisations, users, partners and
named readers of datasets, API tokens, sessions, the audit log, deployment settings) are defined
here too, so that one metadata object describes the whole database (docs/access.md).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from tocsin.store.case_tables import define as _define_case_tables

__all__ = [
    "ALL_TABLES",
    "CASE_TABLES",
    "MARKINGS",
    "ROLES",
    "api_tokens",
    "audit_log",
    "dataset_partners",
    "dataset_readers",
    "datasets",
    "deployment_settings",
    "document_datasets",
    "documents",
    "judgements",
    "links",
    "metadata",
    "organisations",
    "selectors",
    "sessions",
    "signals",
    "statements",
    "users",
]

MARKINGS: Final = ("clear", "green", "amber", "amber+strict", "red")
"""TLP 2.0 markings, lower-case as stored."""

ROLES: Final = ("viewer", "analyst", "admin")
"""Roles of a user within their organisation, least to most rights."""

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid; BigInteger would not be.
PK = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

organisations = Table(
    "organisations",
    metadata,
    Column("pk", PK, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

datasets = Table(
    "datasets",
    metadata,
    Column("pk", PK, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("marking", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The owning organisation (AMBER: it and its partners; AMBER+STRICT: it alone). Nullable only
    # because SQLite cannot add a NOT NULL foreign key column; the store always sets it.
    Column("org_pk", PK, ForeignKey("organisations.pk"), nullable=True),
)

documents = Table(
    "documents",
    metadata,
    Column("pk", PK, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("dataset_pk", PK, ForeignKey("datasets.pk"), nullable=False),
    Column("marking", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("language", String(8), nullable=True),
    Column("risk", Integer, nullable=False),
    Column("level", String(10), nullable=False),
    Column("categories", String(200), nullable=False),
    Column("verdict", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("title", String(300), nullable=True),
    Column("source", String(1000), nullable=True),
    Column("record_id", String(300), nullable=True),
    Column("signature", LargeBinary, nullable=True),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Index("ix_documents_risk", "risk"),
    Index("ix_documents_first_seen", "first_seen"),
    Index("ix_documents_dataset_pk", "dataset_pk"),
)

document_datasets = Table(
    "document_datasets",
    metadata,
    Column("document_pk", PK, ForeignKey("documents.pk"), primary_key=True),
    Column("dataset_pk", PK, ForeignKey("datasets.pk"), primary_key=True),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

selectors = Table(
    "selectors",
    metadata,
    Column("pk", PK, primary_key=True, autoincrement=True),
    Column("key", String(600), nullable=False, unique=True),
    Column("type", String(20), nullable=False),
    Column("value", String(580), nullable=False),
    Column("normalised", String(580), nullable=False),
    Column("chain", String(20), nullable=True),
    Column("country", String(2), nullable=True),
    Column("validated", Boolean, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Index("ix_selectors_type_normalised", "type", "normalised"),
)

links = Table(
    "links",
    metadata,
    # (selector, document) first: the pivot "documents of a selector" is a prefix range scan.
    Column("selector_pk", PK, ForeignKey("selectors.pk"), primary_key=True),
    Column("document_pk", PK, ForeignKey("documents.pk"), primary_key=True),
    Column("spans", Text, nullable=False),
    Index("ix_links_document_pk_selector_pk", "document_pk", "selector_pk"),
)

signals = Table(
    "signals",
    metadata,
    Column("document_pk", PK, ForeignKey("documents.pk"), primary_key=True),
    Column("indicator", String(120), primary_key=True),
    Column("category", String(40), nullable=False),
    Column("weight", Float, nullable=False),
    Column("contribution", Float, nullable=False),
    Column("evidence", Text, nullable=False),
    Index("ix_signals_indicator", "indicator"),
)

statements = Table(
    "statements",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("entity_id", String(80), nullable=False),
    Column("schema", String(40), nullable=False),
    Column("prop", String(40), nullable=False),
    Column("value", Text, nullable=False),
    Column("dataset", String(200), nullable=False),
    Column("document_id", String(64), nullable=True),
    Column("origin", String(20), nullable=False),
    Column("marking", String(20), nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Index("ix_statements_entity_id", "entity_id"),
    Index("ix_statements_document_id", "document_id"),
)

judgements = Table(
    "judgements",
    metadata,
    Column("pk", PK, primary_key=True, autoincrement=True),
    Column("target", String(10), nullable=False),  # "link" or "merge"
    Column("decision", String(10), nullable=False),  # confirm / reject / unsure
    Column("a_kind", String(10), nullable=False),  # document / selector
    Column("a_id", String(600), nullable=False),
    Column("b_kind", String(10), nullable=False),
    Column("b_id", String(600), nullable=False),
    Column("who", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("why", Text, nullable=False),
    UniqueConstraint("target", "a_kind", "a_id", "b_kind", "b_id", "who", "at"),
)

users = Table(
    "users",
    metadata,
    Column("pk", PK, primary_key=True, autoincrement=True),
    Column("username", String(200), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),  # argon2id, PHC string
    Column("org_pk", PK, ForeignKey("organisations.pk"), nullable=False),
    Column("role", String(10), nullable=False),  # viewer / analyst / admin
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login", DateTime(timezone=True), nullable=True),
)

dataset_partners = Table(
    "dataset_partners",
    metadata,
    # Organisations named as partners of a dataset: they see it when it is AMBER.
    Column("dataset_pk", PK, ForeignKey("datasets.pk"), primary_key=True),
    Column("org_pk", PK, ForeignKey("organisations.pk"), primary_key=True),
)

dataset_readers = Table(
    "dataset_readers",
    metadata,
    # Users named as readers of a dataset: the only ones who see it when it is RED.
    Column("dataset_pk", PK, ForeignKey("datasets.pk"), primary_key=True),
    Column("user_pk", PK, ForeignKey("users.pk"), primary_key=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("pk", PK, primary_key=True, autoincrement=True),
    Column("user_pk", PK, ForeignKey("users.pk"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 hex of the token
    Column("prefix", String(16), nullable=False),  # first characters, to recognise a token
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("last_used", DateTime(timezone=True), nullable=True),
    Column("revoked", Boolean, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 hex of the cookie value
    Column("user_pk", PK, ForeignKey("users.pk"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_sessions_user_pk", "user_pk"),
)

audit_log = Table(
    "audit_log",
    metadata,
    # Append-only, HMAC hash chain: hash = HMAC(secret, prev_hash + canonical row); seq has no
    # gaps, so a deleted row shows as a missing seq (tocsin.access.audit).
    Column("seq", PK, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("org", String(200), nullable=True),
    Column("action", String(60), nullable=False),
    Column("target_kind", String(40), nullable=False),
    Column("target_id", String(600), nullable=False),
    Column("marking", String(20), nullable=True),
    Column("detail", Text, nullable=False),  # canonical JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

deployment_settings = Table(
    "deployment_settings",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("value", Text, nullable=False),  # JSON
)

CASE_TABLES: Final = _define_case_tables(metadata, PK)
"""The victim side's tables (`tocsin.store.case_tables`, used by `tocsin.cases`)."""

ALL_TABLES: Final = (
    organisations,
    datasets,
    documents,
    document_datasets,
    selectors,
    links,
    signals,
    statements,
    judgements,
    users,
    dataset_partners,
    dataset_readers,
    api_tokens,
    sessions,
    audit_log,
    deployment_settings,
    *CASE_TABLES,
)
