"""The intelligence store: documents, selectors, links, signals, FtM statements, judgements.

SQLAlchemy over SQLite (default, a file under the user's data directory) or PostgreSQL
(``TOCSIN_DATABASE_URL``); the schema is kept by Alembic migrations shipped in the package and
applied on open. docs/store.md describes the tables and the search limits.
"""

from __future__ import annotations

from tocsin.settings import Settings
from tocsin.store.links import SqlLinkSource
from tocsin.store.store import BatchResult, Store, open_store

__all__ = ["BatchResult", "SqlLinkSource", "Store", "open_link_source", "open_store"]


def open_link_source(settings: Settings | None = None) -> SqlLinkSource:
    """The graph's `LinkSource` over the configured store (used by `tocsin.graph` commands)."""
    return SqlLinkSource(open_store(settings).engine)
