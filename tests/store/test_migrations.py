"""Migrations go up and down on both backends; opening a store migrates it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import inspect

from tocsin.store.database import connect, current_revision, downgrade, head_revision, upgrade
from tocsin.store.schema import ALL_TABLES


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_up_down_up(backend: str, new_db_url: Callable[[str], str]) -> None:
    engine = connect(new_db_url(backend), migrate=False)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert {t.name for t in ALL_TABLES} <= tables
        if backend == "sqlite":
            assert "documents_fts" in tables
        downgrade(engine)
        assert current_revision(engine) is None
        left = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert not {t.name for t in ALL_TABLES} & left
        assert not any(name.startswith("documents_fts") for name in left)
        upgrade(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_open_migrates_and_sqlite_pragmas(new_db_url: Callable[[str], str]) -> None:
    engine = connect(new_db_url("sqlite"))
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
