"""Initial store: datasets, documents, selectors, links, signals, statements, judgements, search.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Full-text search: SQLite gets an FTS5 external-content table with the ``trigram`` tokenizer
(substring matching that works for scripts without spaces: Chinese, Thai, Burmese), kept in
step by triggers; PostgreSQL gets a generated ``tsvector`` column (``simple`` configuration)
with a GIN index. docs/store.md describes the limits of both.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("pk", PK, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("marking", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_datasets"),
        sa.UniqueConstraint("name", name="uq_datasets_name"),
    )
    op.create_table(
        "documents",
        sa.Column("pk", PK, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("dataset_pk", PK, nullable=False),
        sa.Column("marking", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("risk", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("categories", sa.String(200), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("title", sa.String(300), nullable=True),
        sa.Column("source", sa.String(1000), nullable=True),
        sa.Column("record_id", sa.String(300), nullable=True),
        sa.Column("signature", sa.LargeBinary(), nullable=True),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_documents"),
        sa.UniqueConstraint("id", name="uq_documents_id"),
        sa.ForeignKeyConstraint(
            ["dataset_pk"], ["datasets.pk"], name="fk_documents_dataset_pk_datasets"
        ),
    )
    op.create_index("ix_documents_risk", "documents", ["risk"])
    op.create_index("ix_documents_first_seen", "documents", ["first_seen"])
    op.create_index("ix_documents_dataset_pk", "documents", ["dataset_pk"])
    op.create_table(
        "document_datasets",
        sa.Column("document_pk", PK, nullable=False),
        sa.Column("dataset_pk", PK, nullable=False),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.PrimaryKeyConstraint("document_pk", "dataset_pk", name="pk_document_datasets"),
        sa.ForeignKeyConstraint(
            ["document_pk"], ["documents.pk"], name="fk_document_datasets_document_pk_documents"
        ),
        sa.ForeignKeyConstraint(
            ["dataset_pk"], ["datasets.pk"], name="fk_document_datasets_dataset_pk_datasets"
        ),
    )
    op.create_table(
        "selectors",
        sa.Column("pk", PK, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(600), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("value", sa.String(580), nullable=False),
        sa.Column("normalised", sa.String(580), nullable=False),
        sa.Column("chain", sa.String(20), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("validated", sa.Boolean(), nullable=False),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_selectors"),
        sa.UniqueConstraint("key", name="uq_selectors_key"),
    )
    op.create_index("ix_selectors_type_normalised", "selectors", ["type", "normalised"])
    op.create_table(
        "links",
        sa.Column("selector_pk", PK, nullable=False),
        sa.Column("document_pk", PK, nullable=False),
        sa.Column("spans", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("selector_pk", "document_pk", name="pk_links"),
        sa.ForeignKeyConstraint(
            ["selector_pk"], ["selectors.pk"], name="fk_links_selector_pk_selectors"
        ),
        sa.ForeignKeyConstraint(
            ["document_pk"], ["documents.pk"], name="fk_links_document_pk_documents"
        ),
    )
    op.create_index("ix_links_document_pk_selector_pk", "links", ["document_pk", "selector_pk"])
    op.create_table(
        "signals",
        sa.Column("document_pk", PK, nullable=False),
        sa.Column("indicator", sa.String(120), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("contribution", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("document_pk", "indicator", name="pk_signals"),
        sa.ForeignKeyConstraint(
            ["document_pk"], ["documents.pk"], name="fk_signals_document_pk_documents"
        ),
    )
    op.create_index("ix_signals_indicator", "signals", ["indicator"])
    op.create_table(
        "statements",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(80), nullable=False),
        sa.Column("schema", sa.String(40), nullable=False),
        sa.Column("prop", sa.String(40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("document_id", sa.String(64), nullable=True),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("marking", sa.String(20), nullable=False),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statements"),
    )
    op.create_index("ix_statements_entity_id", "statements", ["entity_id"])
    op.create_index("ix_statements_document_id", "statements", ["document_id"])
    op.create_table(
        "judgements",
        sa.Column("pk", PK, primary_key=True, autoincrement=True),
        sa.Column("target", sa.String(10), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("a_kind", sa.String(10), nullable=False),
        sa.Column("a_id", sa.String(600), nullable=False),
        sa.Column("b_kind", sa.String(10), nullable=False),
        sa.Column("b_id", sa.String(600), nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_judgements"),
        sa.UniqueConstraint(
            "target",
            "a_kind",
            "a_id",
            "b_kind",
            "b_id",
            "who",
            "at",
            name="uq_judgements_target_a_kind_a_id_b_kind_b_id_who_at",
        ),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE documents_fts USING fts5("
            "text, content='documents', content_rowid='pk', tokenize='trigram')"
        )
        op.execute(
            "CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN "
            "INSERT INTO documents_fts(rowid, text) VALUES (new.pk, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN "
            "INSERT INTO documents_fts(documents_fts, rowid, text) "
            "VALUES ('delete', old.pk, old.text); END"
        )
    else:
        op.execute(
            "ALTER TABLE documents ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED"
        )
        op.execute("CREATE INDEX ix_documents_tsv ON documents USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS documents_fts_delete")
        op.execute("DROP TRIGGER IF EXISTS documents_fts_insert")
        op.execute("DROP TABLE IF EXISTS documents_fts")
    for table in (
        "judgements",
        "statements",
        "signals",
        "links",
        "selectors",
        "document_datasets",
        "documents",
        "datasets",
    ):
        op.drop_table(table)
