"""Re-encrypt personal fields with the current field key (rotation, or a key newly set).

Walks every envelope (`tocsin.cases.crypto`) in the case tables; one that is plaintext while a
key is configured, or sealed with a key other than the first of ``TOCSIN_FIELD_KEY``, is opened
and sealed again. Run after putting a new key first; drop the old key only afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, select, update

from tocsin.access.principal import AccessDenied
from tocsin.cases.context import CaseContext
from tocsin.errors import ConfigError
from tocsin.store.schema import CASE_TABLES

__all__ = ["RekeyResult", "rekey"]

T = CASE_TABLES


@dataclass(slots=True)
class RekeyResult:
    checked: int = 0
    rewritten: int = 0


def _places(table: Table) -> tuple[str, tuple[str, ...], str]:
    """(place prefix, envelope columns, id column) of a table holding envelopes."""
    if table is T.persons:
        return "persons", ("name", "passport", "photo", "notes"), "id"
    if table is T.missing_reports:
        return "missing_reports", ("reporter_name", "reporter_contact"), "id"
    return "person_events", ("note",), "person_id"


def rekey(ctx: CaseContext, *, batch: int = 1000) -> RekeyResult:
    """Re-seal every stale envelope with the current key (system principal only)."""
    if not ctx.principal.system:
        raise AccessDenied("only the local operator (the CLI) re-encrypts the case data")
    cipher = ctx.cipher
    if not cipher.encrypting:
        raise ConfigError("TOCSIN_FIELD_KEY is not set: there is no key to encrypt with")
    result = RekeyResult()
    for table in (T.persons, T.missing_reports, T.person_events):
        prefix, columns, _ = _places(table)
        last = 0
        while True:
            with ctx.engine.begin() as conn:
                query = select(table).where(table.c.pk > last).order_by(table.c.pk).limit(batch)
                if table is T.person_events:
                    query = (
                        select(table, T.persons.c.id.label("person_id"))
                        .join(T.persons, T.persons.c.pk == table.c.person_pk)
                        .where(table.c.pk > last)
                        .order_by(table.c.pk)
                        .limit(batch)
                    )
                rows = conn.execute(query).all()
                for row in rows:
                    changes: dict[str, str | None] = {}
                    for column in columns:
                        envelope = getattr(row, column)
                        result.checked += envelope is not None
                        if not cipher.stale(envelope):
                            continue
                        if table is T.person_events:
                            place = f"person_events.note:{row.person_id}"
                        else:
                            place = f"{prefix}.{column}:{row.id}"
                        if column == "photo":
                            data = cipher.open_bytes(envelope, place=place)
                            assert data is not None
                            changes[column] = cipher.seal_bytes(data, place=place)
                        else:
                            changes[column] = cipher.seal(cipher.open(envelope, place=place),
                                                          place=place)  # fmt: skip
                    if changes:
                        conn.execute(update(table).where(table.c.pk == row.pk).values(**changes))
                        result.rewritten += len(changes)
            if len(rows) < batch:
                break
            last = int(rows[-1].pk)
    with ctx.engine.begin() as conn:
        ctx.audit(conn, "cases.rekey", "case", "*",
                  {"key": cipher.current, "checked": result.checked,
                   "rewritten": result.rewritten})  # fmt: skip
    return result
