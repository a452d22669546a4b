"""Shared fixtures. One store suite, two backends: SQLite (a temporary file) and PostgreSQL
(127.0.0.1:5432).

PostgreSQL tests use a fresh database per session, dropped afterwards, and empty its tables
between tests. When PostgreSQL is not reachable they are skipped, unless
``TOCSIN_REQUIRE_POSTGRES=1`` (set by .ci/run), where they fail loudly.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from tocsin.store import Store, open_store
from tocsin.store.schema import ALL_TABLES

PG_HOST = os.environ.get("TOCSIN_TEST_PG_HOST", "127.0.0.1")
PG_USERS = ("postgres", "root")


def _admin() -> tuple[psycopg.Connection[tuple[object, ...]], str] | str:
    problems = []
    for user in PG_USERS:
        try:
            conn = psycopg.connect(
                host=PG_HOST,
                port=5432,
                user=user,
                dbname="test",
                autocommit=True,
                connect_timeout=3,
            )
        except psycopg.Error as exc:
            problems.append(f"{user}: {exc}".strip())
            continue
        return conn, user
    return "; ".join(problems)


class PgDatabases:
    """Creates throw-away databases and drops them at the end of the session."""

    def __init__(self) -> None:
        admin = _admin()
        if isinstance(admin, str):
            message = f"PostgreSQL at {PG_HOST}:5432 is not reachable ({admin})"
            if os.environ.get("TOCSIN_REQUIRE_POSTGRES") == "1":
                pytest.fail(message + " and TOCSIN_REQUIRE_POSTGRES=1", pytrace=False)
            pytest.skip(message)
        self.conn, self.user = admin
        self.names: list[str] = []

    def create(self) -> str:
        name = f"tocsin_test_{uuid.uuid4().hex[:12]}"
        self.conn.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        return f"postgresql+psycopg://{self.user}@{PG_HOST}:5432/{name}"

    def drop_all(self) -> None:
        for name in self.names:
            self.conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.conn.close()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    dbs = PgDatabases()
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def pg_url(pg_databases: PgDatabases) -> str:
    return pg_databases.create()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty, migrated store on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tocsin.db'}"
        return
    url: str = request.getfixturevalue("pg_url")
    store = open_store(url=url)
    with store.engine.begin() as conn:
        names = ", ".join(t.name for t in ALL_TABLES)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    store.close()
    yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(url=db_url)
    yield s
    s.close()


@pytest.fixture
def new_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """A factory of URLs of fresh, unmigrated databases on a backend."""

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / (uuid.uuid4().hex + '.db')}"
        dbs: PgDatabases = request.getfixturevalue("pg_databases")
        return dbs.create()

    return make
