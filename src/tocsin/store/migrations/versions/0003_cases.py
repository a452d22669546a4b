"""Cases: case teams, persons, missing-person reports, status timelines, compounds, operations.

Revision ID: 0003
Revises: 0002
Create Date: 2025-02-15

The victim side (`tocsin.cases`, docs/cases.md). Columns holding personal data are Text: they
hold envelopes (ciphertext with a key id when a field key is configured), never indexed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)

TABLES = (
    "cases",
    "compounds",
    "case_members",
    "compound_companies",
    "compound_names",
    "compound_selectors",
    "compound_sources",
    "operations",
    "persons",
    "missing_reports",
    "operation_nationalities",
    "operation_persons",
    "person_events",
    "report_selectors",
)
"""Created in this order (each after the tables it refers to); dropped in reverse."""


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("pk", PK, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("org_pk", PK, nullable=True),
        sa.Column("dataset_pk", PK, nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_pk"], ["datasets.pk"], name="fk_cases_dataset_pk_datasets"
        ),
        sa.ForeignKeyConstraint(
            ["org_pk"], ["organisations.pk"], name="fk_cases_org_pk_organisations"
        ),
        sa.PrimaryKeyConstraint("pk", name="pk_cases"),
        sa.UniqueConstraint("id", name="uq_cases_id"),
    )
    op.create_table(
        "compounds",
        sa.Column("pk", PK, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("precision", sa.String(length=10), nullable=False),
        sa.Column("location_note", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("dataset_pk", PK, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_pk"], ["datasets.pk"], name="fk_compounds_dataset_pk_datasets"
        ),
        sa.PrimaryKeyConstraint("pk", name="pk_compounds"),
        sa.UniqueConstraint("id", name="uq_compounds_id"),
    )
    op.create_table(
        "case_members",
        sa.Column("case_pk", PK, nullable=False),
        sa.Column("user_pk", PK, nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("added_at", TS, nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["case_pk"], ["cases.pk"], name="fk_case_members_case_pk_cases"),
        sa.ForeignKeyConstraint(["user_pk"], ["users.pk"], name="fk_case_members_user_pk_users"),
        sa.PrimaryKeyConstraint("case_pk", "user_pk", name="pk_case_members"),
    )
    op.create_index("ix_case_members_user_pk", "case_members", ["user_pk"], unique=False)
    op.create_table(
        "compound_companies",
        sa.Column("pk", PK, autoincrement=True, nullable=False),
        sa.Column("compound_pk", PK, nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["compound_pk"], ["compounds.pk"], name="fk_compound_companies_compound_pk_compounds"
        ),
        sa.PrimaryKeyConstraint("pk", name="pk_compound_companies"),
        sa.UniqueConstraint(
            "compound_pk", "name", "role", name="uq_compound_companies_compound_pk_name_role"
        ),
    )
    op.create_table(
        "compound_names",
        sa.Column("pk", PK, autoincrement=True, nullable=False),
        sa.Column("compound_pk", PK, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("script", sa.String(length=4), nullable=True),
        sa.ForeignKeyConstraint(
            ["compound_pk"], ["compounds.pk"], name="fk_compound_names_compound_pk_compounds"
        ),
        sa.PrimaryKeyConstraint("pk", name="pk_compound_names"),
        sa.UniqueConstraint("compound_pk", "name", name="uq_compound_names_compound_pk_name"),
    )
    op.create_table(
        "compound_selectors",
        sa.Column("compound_pk", PK, nullable=False),
        sa.Column("selector_key", sa.String(length=600), nullable=False),
        sa.Column("added_at", TS, nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["compound_pk"], ["compounds.pk"], name="fk_compound_selectors_compound_pk_compounds"
        ),
        sa.PrimaryKeyConstraint("compound_pk", "selector_key", name="pk_compound_selectors"),
    )
    op.create_index(
        "ix_compound_selectors_selector_key", "compound_selectors", ["selector_key"], unique=False
    )
    op.create_table(
        "compound_sources",
        sa.Column("pk", PK, autoincrement=True, nullable=False),
        sa.Column("compound_pk", PK, nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["compound_pk"], ["compounds.pk"], name="fk_compound_sources_compound_pk_compounds"
        ),
        sa.PrimaryKeyConstraint("pk", name="pk_compound_sources"),
    )
    op.create_table(
        "operations",
        sa.Column("pk", PK, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("case_pk", PK, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("compound_pk", PK, nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("agencies", sa.Text(), nullable=False),
        sa.Column("freed_total", sa.Integer(), nullable=True),
        sa.Column("follow_up", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["case_pk"], ["cases.pk"], name="fk_operations_case_pk_cases"),
        sa.ForeignKeyConstraint(
            ["compound_pk"], ["compounds.pk"], name="fk_operations_compound_pk_compounds"
        ),
        sa.PrimaryKeyConstraint("pk", name="pk_operations"),
        sa.UniqueConstraint("id", name="uq_operations_id"),
    )
    op.create_index("ix_operations_case_pk", "operations", ["case_pk"], unique=False)
    op.create_table(
        "persons",
        sa.Column("pk", PK, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("case_pk", PK, nullable=False),
        sa.Column("ref", sa.String(length=120), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("passport", sa.Text(), nullable=True),
        sa.Column("photo", sa.Text(), nullable=True),
        sa.Column("photo_type", sa.String(length=40), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("nationality", sa.String(length=2), nullable=True),
        sa.Column("languages", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("status_at", TS, nullable=False),
        sa.Column("compound_pk", PK, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["case_pk"], ["cases.pk"], name="fk_persons_case_pk_cases"),
        sa.ForeignKeyConstraint(
            ["compound_pk"], ["compounds.pk"], name="fk_persons_compound_pk_compounds"
        ),
        sa.PrimaryKeyConstraint("pk", name="pk_persons"),
        sa.UniqueConstraint("case_pk", "ref", name="uq_persons_case_pk_ref"),
        sa.UniqueConstraint("id", name="uq_persons_id"),
    )
    op.create_index("ix_persons_case_pk", "persons", ["case_pk"], unique=False)
    op.create_index("ix_persons_status", "persons", ["status"], unique=False)
    op.create_table(
        "missing_reports",
        sa.Column("pk", PK, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("case_pk", PK, nullable=False),
        sa.Column("person_pk", PK, nullable=False),
        sa.Column("reported_at", TS, nullable=False),
        sa.Column("reporter_name", sa.Text(), nullable=True),
        sa.Column("reporter_contact", sa.Text(), nullable=True),
        sa.Column("reporter_relation", sa.String(length=40), nullable=True),
        sa.Column("last_contact_at", sa.Date(), nullable=True),
        sa.Column("last_contact_channel", sa.String(length=60), nullable=True),
        sa.Column("last_known_place", sa.String(length=200), nullable=True),
        sa.Column("last_known_country", sa.String(length=2), nullable=True),
        sa.Column("compound_pk", PK, nullable=True),
        sa.Column("job_title", sa.String(length=200), nullable=True),
        sa.Column("promised_place", sa.String(length=200), nullable=True),
        sa.Column("recruiter_contacts", sa.Text(), nullable=False),
        sa.Column("offer_document_id", sa.String(length=64), nullable=True),
        sa.Column("contacts_document_id", sa.String(length=64), nullable=True),
        sa.Column("located_person_pk", PK, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["case_pk"], ["cases.pk"], name="fk_missing_reports_case_pk_cases"),
        sa.ForeignKeyConstraint(
            ["compound_pk"], ["compounds.pk"], name="fk_missing_reports_compound_pk_compounds"
        ),
        sa.ForeignKeyConstraint(
            ["located_person_pk"],
            ["persons.pk"],
            name="fk_missing_reports_located_person_pk_persons",
        ),
        sa.ForeignKeyConstraint(
            ["person_pk"], ["persons.pk"], name="fk_missing_reports_person_pk_persons"
        ),
        sa.PrimaryKeyConstraint("pk", name="pk_missing_reports"),
        sa.UniqueConstraint("id", name="uq_missing_reports_id"),
    )
    op.create_index("ix_missing_reports_case_pk", "missing_reports", ["case_pk"], unique=False)
    op.create_table(
        "operation_nationalities",
        sa.Column("operation_pk", PK, nullable=False),
        sa.Column("nationality", sa.String(length=2), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_pk"],
            ["operations.pk"],
            name="fk_operation_nationalities_operation_pk_operations",
        ),
        sa.PrimaryKeyConstraint("operation_pk", "nationality", name="pk_operation_nationalities"),
    )
    op.create_table(
        "operation_persons",
        sa.Column("operation_pk", PK, nullable=False),
        sa.Column("person_pk", PK, nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_pk"], ["operations.pk"], name="fk_operation_persons_operation_pk_operations"
        ),
        sa.ForeignKeyConstraint(
            ["person_pk"], ["persons.pk"], name="fk_operation_persons_person_pk_persons"
        ),
        sa.PrimaryKeyConstraint("operation_pk", "person_pk", name="pk_operation_persons"),
    )
    op.create_index(
        "ix_operation_persons_person_pk", "operation_persons", ["person_pk"], unique=False
    )
    op.create_table(
        "person_events",
        sa.Column("pk", PK, autoincrement=True, nullable=False),
        sa.Column("person_pk", PK, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=True),
        sa.Column("operation_pk", PK, nullable=True),
        sa.Column("report_pk", PK, nullable=True),
        sa.Column("fields", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operation_pk"], ["operations.pk"], name="fk_person_events_operation_pk_operations"
        ),
        sa.ForeignKeyConstraint(
            ["person_pk"], ["persons.pk"], name="fk_person_events_person_pk_persons"
        ),
        sa.ForeignKeyConstraint(
            ["report_pk"], ["missing_reports.pk"], name="fk_person_events_report_pk_missing_reports"
        ),
        sa.PrimaryKeyConstraint("pk", name="pk_person_events"),
    )
    op.create_index("ix_person_events_person_pk", "person_events", ["person_pk"], unique=False)
    op.create_table(
        "report_selectors",
        sa.Column("report_pk", PK, nullable=False),
        sa.Column("selector_key", sa.String(length=600), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_pk"],
            ["missing_reports.pk"],
            name="fk_report_selectors_report_pk_missing_reports",
        ),
        sa.PrimaryKeyConstraint("report_pk", "selector_key", name="pk_report_selectors"),
    )
    op.create_index(
        "ix_report_selectors_selector_key", "report_selectors", ["selector_key"], unique=False
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
