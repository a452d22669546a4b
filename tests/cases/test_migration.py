"""Migration 0003 (cases) goes up and down on both backends and creates exactly the tables the
metadata describes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from tocsin.store.database import connect, current_revision, downgrade, upgrade
from tocsin.store.schema import CASE_TABLES, metadata

CASE_NAMES = {t.name for t in CASE_TABLES}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0003_up_down_up_matches_metadata(backend: str, new_db_url: Callable[[str], str]) -> None:
    engine = connect(new_db_url(backend), migrate=False)
    try:
        upgrade(engine, "0003")
        assert set(inspect(engine).get_table_names()) >= CASE_NAMES
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        ours = [d for d in diff if CASE_NAMES & _tables(d)]
        assert ours == []
        downgrade(engine, "0002")
        assert current_revision(engine) == "0002"
        assert not CASE_NAMES & set(inspect(engine).get_table_names())
        upgrade(engine, "0003")
        assert set(inspect(engine).get_table_names()) >= CASE_NAMES
    finally:
        engine.dispose()


def _tables(diff: object) -> set[str]:
    """Names of the tables an autogenerate difference is about (a tuple or a list of them)."""
    items = diff if isinstance(diff, list) else [diff]
    found: set[str] = set()
    for item in items:
        for part in item:
            if isinstance(part, str):
                found.add(part)
            elif hasattr(part, "table"):  # column, index, constraint
                found.add(str(part.table.name))
            elif hasattr(part, "name"):  # table
                found.add(str(part.name))
    return found
