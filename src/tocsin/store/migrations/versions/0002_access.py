"""Access: organisations, users, dataset owners/partners/readers, tokens, sessions, audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01

Existing datasets are given to the organisation named by ``TOCSIN_ORGANISATION`` (default
``local``), created here when there is a dataset to own. On SQLite ``datasets`` is rebuilt
(batch mode) to gain its foreign key, with foreign key checks off meanwhile (dropping the old
table would otherwise fail on the documents that refer to it); they are checked afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from tocsin.settings import get_settings

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def _sqlite_foreign_keys(on: bool) -> None:
    """Switch SQLite's foreign key checks (only possible outside a transaction, which is where
    pysqlite runs DDL); switching them on again verifies every reference."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    raw = bind.connection.dbapi_connection
    if raw is not None and raw.in_transaction:
        # A later revision's downgrade ran first and alembic's update of its version row opened
        # a transaction, in which the switch below would be a no-op. pysqlite ran that
        # revision's DDL outside any transaction already, so commit the version row now.
        raw.commit()
    op.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    if on:
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")


def upgrade() -> None:
    _sqlite_foreign_keys(False)
    try:
        _upgrade()
    finally:
        _sqlite_foreign_keys(True)


def downgrade() -> None:
    _sqlite_foreign_keys(False)
    try:
        _downgrade()
    finally:
        _sqlite_foreign_keys(True)


def _upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("pk", PK, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_organisations"),
        sa.UniqueConstraint("name", name="uq_organisations_name"),
    )
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("org_pk", PK, nullable=True))
        batch.create_foreign_key(
            "fk_datasets_org_pk_organisations", "organisations", ["org_pk"], ["pk"]
        )
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM datasets")).scalar_one():
        name = get_settings().organisation
        bind.execute(
            sa.text("INSERT INTO organisations (name, created_at) VALUES (:name, :at)"),
            {"name": name, "at": datetime.now(UTC)},
        )
        bind.execute(
            sa.text(
                "UPDATE datasets SET org_pk = (SELECT pk FROM organisations WHERE name = :name)"
            ),
            {"name": name},
        )
    op.create_table(
        "users",
        sa.Column("pk", PK, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("org_pk", PK, nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login", TS, nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
        sa.ForeignKeyConstraint(
            ["org_pk"], ["organisations.pk"], name="fk_users_org_pk_organisations"
        ),
    )
    op.create_table(
        "dataset_partners",
        sa.Column("dataset_pk", PK, nullable=False),
        sa.Column("org_pk", PK, nullable=False),
        sa.PrimaryKeyConstraint("dataset_pk", "org_pk", name="pk_dataset_partners"),
        sa.ForeignKeyConstraint(
            ["dataset_pk"], ["datasets.pk"], name="fk_dataset_partners_dataset_pk_datasets"
        ),
        sa.ForeignKeyConstraint(
            ["org_pk"], ["organisations.pk"], name="fk_dataset_partners_org_pk_organisations"
        ),
    )
    op.create_table(
        "dataset_readers",
        sa.Column("dataset_pk", PK, nullable=False),
        sa.Column("user_pk", PK, nullable=False),
        sa.PrimaryKeyConstraint("dataset_pk", "user_pk", name="pk_dataset_readers"),
        sa.ForeignKeyConstraint(
            ["dataset_pk"], ["datasets.pk"], name="fk_dataset_readers_dataset_pk_datasets"
        ),
        sa.ForeignKeyConstraint(["user_pk"], ["users.pk"], name="fk_dataset_readers_user_pk_users"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("pk", PK, primary_key=True, autoincrement=True),
        sa.Column("user_pk", PK, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("last_used", TS, nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
        sa.ForeignKeyConstraint(["user_pk"], ["users.pk"], name="fk_api_tokens_user_pk_users"),
    )
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("user_pk", PK, nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_sessions"),
        sa.ForeignKeyConstraint(["user_pk"], ["users.pk"], name="fk_sessions_user_pk_users"),
    )
    op.create_index("ix_sessions_user_pk", "sessions", ["user_pk"])
    op.create_table(
        "audit_log",
        sa.Column("seq", PK, autoincrement=False, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("org", sa.String(200), nullable=True),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("target_kind", sa.String(40), nullable=False),
        sa.Column("target_id", sa.String(600), nullable=False),
        sa.Column("marking", sa.String(20), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    op.create_table(
        "deployment_settings",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_deployment_settings"),
    )


def _downgrade() -> None:
    for table in (
        "deployment_settings",
        "audit_log",
        "sessions",
        "api_tokens",
        "dataset_readers",
        "dataset_partners",
        "users",
    ):
        op.drop_table(table)
    with op.batch_alter_table("datasets") as batch:
        batch.drop_constraint("fk_datasets_org_pk_organisations", type_="foreignkey")
        batch.drop_column("org_pk")
    op.drop_table("organisations")
