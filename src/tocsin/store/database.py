"""Connecting to the store's database and keeping its schema current.

SQLite is the default: one file under the user's data directory (platformdirs), in WAL mode with
foreign keys on. ``TOCSIN_DATABASE_URL`` names another database, e.g.
``postgresql+psycopg://user@host/tocsin``. Migrations ship inside the package and run on open.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from platformdirs import user_data_path
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError

from tocsin.errors import ConfigError
from tocsin.settings import Settings, get_settings

__all__ = ["connect", "current_revision", "database_url", "downgrade", "head_revision", "upgrade"]


def database_url(settings: Settings | None = None) -> URL:
    """The configured database URL, or the default SQLite file (its directory is created)."""
    settings = settings or get_settings()
    if settings.database_url:
        try:
            url = make_url(settings.database_url)
        except ArgumentError as exc:
            raise ConfigError(
                f"TOCSIN_DATABASE_URL is not a database URL: {exc}",
                hint="e.g. sqlite:////path/tocsin.db or postgresql+psycopg://user@host/db",
            ) from None
        if url.drivername == "postgresql":  # psycopg 3 is the driver we ship
            url = url.set(drivername="postgresql+psycopg")
        return url
    directory = user_data_path("tocsin", appauthor=False)
    directory.mkdir(parents=True, exist_ok=True)
    return URL.create("sqlite", database=str(directory / "tocsin.db"))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # NORMAL is durable across application crashes in WAL mode; only a power cut can lose the
    # last commits, never corrupt the file.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def connect(url: URL | str | None = None, *, migrate: bool = True) -> Engine:
    """An engine on the store's database; with ``migrate`` the schema is brought to head."""
    resolved = make_url(url) if url is not None else database_url()
    if resolved.get_backend_name() == "sqlite":
        if resolved.database and resolved.database != ":memory:":
            Path(resolved.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(resolved)
        event.listen(engine, "connect", _sqlite_pragmas)
    elif resolved.get_backend_name() == "postgresql":
        engine = create_engine(resolved, pool_pre_ping=True)
    else:
        raise ConfigError(
            f"unsupported database {resolved.get_backend_name()!r} (SQLite or PostgreSQL)"
        )
    if migrate and current_revision(engine) != head_revision():
        upgrade(engine)
    return engine


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("tocsin.store") / "migrations"))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` in one transaction."""
    cfg = _config()
    with engine.connect() as conn:
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        _restore_foreign_keys(conn)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Revert migrations down to ``revision`` (``base`` drops every table)."""
    cfg = _config()
    with engine.connect() as conn:
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
        _restore_foreign_keys(conn)


def _restore_foreign_keys(conn: Connection) -> None:
    """A migration that rebuilds an SQLite table switches foreign key checks off; on again,
    outside the transaction (the only place SQLite lets them change)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.commit()
