"""A synthetic deployment for the page tests and the browser tests: the bundled synthetic
examples loaded by ``tocsin serve --demo``'s loader, first sightings spread over the last 60
days (so that the volume chart has a shape), and the demo users with known passwords."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from tocsin.settings import Settings
from tocsin.store import Store, open_store
from tocsin.store.schema import document_datasets, documents
from tocsin.web.demo import prepare_demo

SECRET = "pages-test-secret-" + "x" * 32
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass
class World:
    settings: Settings
    store: Store
    passwords: dict[str, str]


def build_world(folder: Path, **overrides: Any) -> World:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{folder / 'tocsin.db'}",
        "secret_key": SECRET,
        "public_rate_limit": "10000/minute",
        "login_rate_limit": "10000/minute",
        "organisation": "ngo-synthetic",
    }
    values.update(overrides)
    settings = Settings(**values)
    store = open_store(settings)
    result = prepare_demo(store, settings, EXAMPLES, echo=lambda _line: None, cases=False)
    now = datetime.now(UTC).replace(microsecond=0)
    with store.engine.begin() as conn:
        pks = list(conn.scalars(select(documents.c.pk).order_by(documents.c.id)))
        for i, pk in enumerate(pks):
            seen = now - timedelta(days=(i * 7) % 60, hours=i % 24)
            conn.execute(update(documents).where(documents.c.pk == pk).values(first_seen=seen))
            conn.execute(
                update(document_datasets)
                .where(document_datasets.c.document_pk == pk)
                .values(first_seen=seen)
            )
    return World(settings, store, result.passwords)
