"""Migration 0002 (access) goes up and down on both backends, keeping the data around it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import inspect, select

from store.helpers import synthetic_documents
from tocsin.access import Principal, visible_dataset_pks
from tocsin.store import Store
from tocsin.store.database import connect, current_revision, downgrade, head_revision, upgrade
from tocsin.store.schema import ALL_TABLES, datasets, documents, organisations

ACCESS_TABLES = {
    "organisations",
    "users",
    "dataset_partners",
    "dataset_readers",
    "api_tokens",
    "sessions",
    "audit_log",
    "deployment_settings",
}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0002_up_down_with_data(backend: str, new_db_url: Callable[[str], str]) -> None:
    from tocsin.detect.engine import Engine

    engine = connect(new_db_url(backend), migrate=False)
    try:
        upgrade(engine, "0001")
        with engine.begin() as conn:  # a dataset and document from before access control
            conn.exec_driver_sql(
                "INSERT INTO datasets (name, marking, created_at) "
                "VALUES ('old', 'amber', CURRENT_TIMESTAMP)"
            )
            conn.exec_driver_sql(
                "INSERT INTO documents (id, dataset_pk, marking, kind, risk, level, categories, "
                "verdict, text, first_seen, last_seen) VALUES ('d0', 1, 'amber', 'job_ad', 0, "
                "'low', '', '{}', 'synthetic', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
            conn.exec_driver_sql(
                "INSERT INTO document_datasets VALUES (1, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) >= ACCESS_TABLES
        assert {t.name for t in ALL_TABLES} <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            owner = conn.execute(
                select(organisations.c.name)
                .join(datasets, datasets.c.org_pk == organisations.c.pk)
                .where(datasets.c.name == "old")
            ).scalar_one()
        assert owner == "local"
        if backend == "sqlite":  # the table rebuild switched the checks off for a while
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        store = Store(engine)
        store.store_batch(synthetic_documents(5), Engine(), dataset="old")
        downgrade(engine, "0001")
        assert current_revision(engine) == "0001"
        tables = set(inspect(engine).get_table_names())
        assert not ACCESS_TABLES & tables
        assert "org_pk" not in {c["name"] for c in inspect(engine).get_columns("datasets")}
        with engine.connect() as conn:
            assert len(conn.execute(select(documents.c.id)).all()) == 6
        upgrade(engine)
        with engine.connect() as conn:
            assert visible_dataset_pks(conn, Principal.system()) is None
            assert visible_dataset_pks(conn, Principal.public()) == []
    finally:
        engine.dispose()
