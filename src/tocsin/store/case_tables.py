"""The tables of the victim side (`tocsin.cases`): cases and their teams, persons, missing-person
reports, status timelines, compounds and operations.

Defined by a function over the store's one ``MetaData`` (called from `tocsin.store.schema`), so
this module imports nothing of Tocsin and the schema stays one object. docs/cases.md describes
each table; columns that hold personal data (``name``, ``passport``, ``photo``, ``reporter_*``,
``note``, ``notes``) hold an envelope made by `tocsin.cases.crypto` — ciphertext with its key id
when the deployment has a field key — and are never indexed, searched by SQL, logged or audited.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

__all__ = ["CaseTables", "define"]


class CaseTables(NamedTuple):
    cases: Table
    case_members: Table
    compounds: Table
    compound_names: Table
    compound_companies: Table
    compound_sources: Table
    compound_selectors: Table
    persons: Table
    missing_reports: Table
    report_selectors: Table
    operations: Table
    operation_nationalities: Table
    operation_persons: Table
    person_events: Table


def define(metadata: MetaData, pk: TypeEngine[int]) -> CaseTables:
    """Create the case tables on ``metadata`` (``pk``: the store's surrogate key type)."""
    ts = DateTime(timezone=True)

    cases = Table(
        "cases",
        metadata,
        Column("pk", pk, primary_key=True, autoincrement=True),
        Column("id", String(24), nullable=False, unique=True),  # "C-XXXX-XXXX"
        Column("title", String(200), nullable=False),  # never personal (docs/cases.md)
        Column("org_pk", pk, ForeignKey("organisations.pk"), nullable=True),
        # The case's own RED dataset: pasted job offers and reported contacts are stored there,
        # readable by the case team only (its members are the dataset's named readers).
        Column("dataset_pk", pk, ForeignKey("datasets.pk"), nullable=True),
        Column("state", String(10), nullable=False),  # open / closed
        Column("created_at", ts, nullable=False),
        Column("created_by", String(200), nullable=False),
    )
    case_members = Table(
        "case_members",
        metadata,
        Column("case_pk", pk, ForeignKey("cases.pk"), primary_key=True),
        Column("user_pk", pk, ForeignKey("users.pk"), primary_key=True),
        Column("role", String(10), nullable=False),  # lead / member
        Column("added_at", ts, nullable=False),
        Column("added_by", String(200), nullable=False),
        Index("ix_case_members_user_pk", "user_pk"),
    )
    compounds = Table(
        "compounds",
        metadata,
        Column("pk", pk, primary_key=True, autoincrement=True),
        Column("id", String(80), nullable=False, unique=True),  # slug, e.g. "kk-park"
        Column("name", String(200), nullable=False),
        Column("kind", String(20), nullable=False),  # compound / hub / resort / transit
        Column("country", String(2), nullable=True),
        Column("latitude", Float, nullable=True),
        Column("longitude", Float, nullable=True),
        Column("precision", String(10), nullable=False),  # site / town / none
        Column("location_note", Text, nullable=False),
        Column("description", Text, nullable=False),
        # Who sees a compound is decided by its dataset's marking, like a document.
        Column("dataset_pk", pk, ForeignKey("datasets.pk"), nullable=False),
        Column("created_at", ts, nullable=False),
        Column("updated_at", ts, nullable=False),
        Column("created_by", String(200), nullable=False),
    )
    compound_names = Table(
        "compound_names",
        metadata,
        Column("pk", pk, primary_key=True, autoincrement=True),
        Column("compound_pk", pk, ForeignKey("compounds.pk"), nullable=False),
        Column("name", String(200), nullable=False),
        Column("language", String(16), nullable=True),  # BCP 47, e.g. zh-Hans
        Column("script", String(4), nullable=True),  # ISO 15924, e.g. Hans, Thai, Khmr
        UniqueConstraint("compound_pk", "name"),
    )
    compound_companies = Table(
        "compound_companies",
        metadata,
        Column("pk", pk, primary_key=True, autoincrement=True),
        Column("compound_pk", pk, ForeignKey("compounds.pk"), nullable=False),
        Column("name", String(300), nullable=False),
        Column("role", String(60), nullable=False),  # operator, owner, lessor, lessee, ...
        Column("note", Text, nullable=False),
        UniqueConstraint("compound_pk", "name", "role"),
    )
    compound_sources = Table(
        "compound_sources",
        metadata,
        Column("pk", pk, primary_key=True, autoincrement=True),
        Column("compound_pk", pk, ForeignKey("compounds.pk"), nullable=False),
        Column("citation", Text, nullable=False),
    )
    compound_selectors = Table(
        "compound_selectors",
        metadata,
        Column("compound_pk", pk, ForeignKey("compounds.pk"), primary_key=True),
        Column("selector_key", String(600), primary_key=True),
        Column("added_at", ts, nullable=False),
        Column("added_by", String(200), nullable=False),
        Index("ix_compound_selectors_selector_key", "selector_key"),
    )
    persons = Table(
        "persons",
        metadata,
        Column("pk", pk, primary_key=True, autoincrement=True),
        Column("id", String(24), nullable=False, unique=True),  # pseudonymous "P-XXXX-XXXX"
        Column("case_pk", pk, ForeignKey("cases.pk"), nullable=False),
        Column("ref", String(120), nullable=True),  # the team's own reference (import key)
        Column("name", Text, nullable=True),  # personal, envelope
        Column("passport", Text, nullable=True),  # personal, envelope
        Column("photo", Text, nullable=True),  # personal, envelope of the image bytes
        Column("photo_type", String(40), nullable=True),
        Column("notes", Text, nullable=True),  # personal, envelope
        Column("sex", String(10), nullable=True),
        Column("birth_year", Integer, nullable=True),
        Column("nationality", String(2), nullable=True),  # ISO 3166-1 alpha-2, lower case
        Column("languages", String(120), nullable=False),  # ",tha,eng," ISO 639-3
        Column("status", String(24), nullable=False),
        Column("status_at", ts, nullable=False),
        Column("compound_pk", pk, ForeignKey("compounds.pk"), nullable=True),
        Column("created_at", ts, nullable=False),
        Column("updated_at", ts, nullable=False),
        Column("created_by", String(200), nullable=False),
        UniqueConstraint("case_pk", "ref"),
        Index("ix_persons_case_pk", "case_pk"),
        Index("ix_persons_status", "status"),
    )
    missing_reports = Table(
        "missing_reports",
        metadata,
        Column("pk", pk, primary_key=True, autoincrement=True),
        Column("id", String(24), nullable=False, unique=True),  # "R-XXXX-XXXX"
        Column("case_pk", pk, ForeignKey("cases.pk"), nullable=False),
        Column("person_pk", pk, ForeignKey("persons.pk"), nullable=False),
        Column("reported_at", ts, nullable=False),
        Column("reporter_name", Text, nullable=True),  # personal, envelope
        Column("reporter_contact", Text, nullable=True),  # personal (a family's contact)
        Column("reporter_relation", String(40), nullable=True),
        Column("last_contact_at", Date, nullable=True),
        Column("last_contact_channel", String(60), nullable=True),
        Column("last_known_place", String(200), nullable=True),
        Column("last_known_country", String(2), nullable=True),
        Column("compound_pk", pk, ForeignKey("compounds.pk"), nullable=True),
        Column("job_title", String(200), nullable=True),
        Column("promised_place", String(200), nullable=True),
        Column("recruiter_contacts", Text, nullable=False),  # as given, one per line
        Column("offer_document_id", String(64), nullable=True),  # documents.id
        Column("contacts_document_id", String(64), nullable=True),
        Column("located_person_pk", pk, ForeignKey("persons.pk"), nullable=True),
        Column("created_at", ts, nullable=False),
        Column("created_by", String(200), nullable=False),
        Index("ix_missing_reports_case_pk", "case_pk"),
    )
    report_selectors = Table(
        "report_selectors",
        metadata,
        Column("report_pk", pk, ForeignKey("missing_reports.pk"), primary_key=True),
        Column("selector_key", String(600), primary_key=True),
        Column("source", String(10), nullable=False),  # offer / contacts
        Index("ix_report_selectors_selector_key", "selector_key"),
    )
    operations = Table(
        "operations",
        metadata,
        Column("pk", pk, primary_key=True, autoincrement=True),
        Column("id", String(24), nullable=False, unique=True),  # "O-XXXX-XXXX"
        Column("case_pk", pk, ForeignKey("cases.pk"), nullable=False),
        Column("kind", String(10), nullable=False),  # raid / rescue / escape / other
        Column("date", Date, nullable=False),
        Column("compound_pk", pk, ForeignKey("compounds.pk"), nullable=True),
        Column("place", String(200), nullable=True),
        Column("country", String(2), nullable=True),
        Column("agencies", Text, nullable=False),  # JSON list of names
        Column("freed_total", Integer, nullable=True),
        Column("follow_up", Text, nullable=False),
        Column("source", Text, nullable=False),
        Column("created_at", ts, nullable=False),
        Column("created_by", String(200), nullable=False),
        Index("ix_operations_case_pk", "case_pk"),
    )
    operation_nationalities = Table(
        "operation_nationalities",
        metadata,
        Column("operation_pk", pk, ForeignKey("operations.pk"), primary_key=True),
        Column("nationality", String(2), primary_key=True),
        Column("count", Integer, nullable=False),
    )
    operation_persons = Table(
        "operation_persons",
        metadata,
        Column("operation_pk", pk, ForeignKey("operations.pk"), primary_key=True),
        Column("person_pk", pk, ForeignKey("persons.pk"), primary_key=True),
        Index("ix_operation_persons_person_pk", "person_pk"),
    )
    person_events = Table(
        "person_events",
        metadata,
        Column("pk", pk, primary_key=True, autoincrement=True),
        Column("person_pk", pk, ForeignKey("persons.pk"), nullable=False),
        Column("at", ts, nullable=False),  # when it happened (as recorded)
        Column("recorded_at", ts, nullable=False),  # when it was written
        Column("actor", String(200), nullable=False),
        Column("action", String(20), nullable=False),  # create / status / correct / link / edit
        Column("from_status", String(24), nullable=True),
        Column("to_status", String(24), nullable=True),
        Column("operation_pk", pk, ForeignKey("operations.pk"), nullable=True),
        Column("report_pk", pk, ForeignKey("missing_reports.pk"), nullable=True),
        Column("fields", String(300), nullable=False),  # names of fields edited, never values
        Column("note", Text, nullable=True),  # personal, envelope
        Index("ix_person_events_person_pk", "person_pk"),
    )
    return CaseTables(
        cases,
        case_members,
        compounds,
        compound_names,
        compound_companies,
        compound_sources,
        compound_selectors,
        persons,
        missing_reports,
        report_selectors,
        operations,
        operation_nationalities,
        operation_persons,
        person_events,
    )
