"""Fixtures of the web suite: apps over stores on SQLite and PostgreSQL, and a synthetic world
of organisations, users of every role and one dataset per TLP marking (no real data)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from tocsin.access import tokens, users
from tocsin.detect.engine import Engine
from tocsin.model import Document, DocumentKind
from tocsin.settings import Settings
from tocsin.store import Store, open_store

from .client import TestClient

PASSWORD = "synthetic-password-123"
SECRET = "web-test-secret-" + "x" * 32
TAGS = {"clear": "c", "green": "g", "amber": "a", "amber+strict": "s", "red": "r"}
SHARED_KEY = "telegram:hr_shared_desk"
ENGINE = Engine()

# principal -> (username, organisation, role); ngo owns every dataset, police is named partner
# of every dataset (only AMBER lets it in), rd_bank is named reader of the RED dataset.
USERS = {
    "viewer": ("v_ngo", "ngo", "viewer"),
    "analyst": ("an_ngo", "ngo", "analyst"),
    "admin": ("ad_ngo", "ngo", "admin"),
    "partner": ("an_police", "police", "analyst"),
    "other": ("ad_bank", "bank", "admin"),
    "reader": ("rd_bank", "bank", "viewer"),
}
EXPECTED: dict[str, set[str]] = {
    "public": {"clear"},
    "viewer": {"clear", "green", "amber", "amber+strict"},
    "analyst": {"clear", "green", "amber", "amber+strict"},
    "admin": {"clear", "green", "amber", "amber+strict"},
    "partner": {"clear", "green", "amber"},
    "other": {"clear", "green"},
    "reader": {"clear", "green", "red"},
}


def text_for(marking: str) -> str:
    tag = TAGS[marking]
    return (
        f"Synthetic test ad {tag}: customer service job in Sihanoukville, USD 1800 per month, "
        f"flight and visa paid. Contact Telegram @hr_unique_{tag}_desk or Telegram "
        f"@hr_shared_desk. Marker zq{tag}marker."
    )


def unique_key(marking: str) -> str:
    return f"telegram:hr_unique_{TAGS[marking]}_desk"


def dataset_for(marking: str) -> str:
    return f"ds-{TAGS[marking]}"


def web_settings(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "secret_key": SECRET,
        "public_rate_limit": "10000/minute",
        "login_rate_limit": "10000/minute",
    }
    values.update(overrides)
    return Settings(**values)


def make_app(store: Store, **overrides: Any) -> FastAPI:
    """The app over ``store``, without the server-rendered pages (tests/browser covers those)."""
    import tocsin.web.app as web_app

    settings = store.settings.model_copy(update=overrides) if overrides else store.settings
    original = web_app._pages_module
    web_app._pages_module = lambda: None  # type: ignore[assignment]
    try:
        return web_app.create_app(settings, store)
    finally:
        web_app._pages_module = original  # type: ignore[assignment]


def client(app: FastAPI, token: str | None = None) -> TestClient:
    """A client on loopback http (session cookies are not Secure there), optionally with a
    bearer token."""
    c = TestClient(app, base_url="http://127.0.0.1")
    if token is not None:
        c.headers["Authorization"] = f"Bearer {token}"
    return c


@dataclass
class World:
    store: Store
    app: FastAPI
    tokens: dict[str, str] = field(default_factory=dict)
    doc_ids: dict[str, str] = field(default_factory=dict)

    def client(self, who: str) -> TestClient:
        return client(self.app, self.tokens.get(who))


def build_world(store: Store) -> World:
    engine = store.engine
    key = store.settings.secret_key
    for org in ("ngo", "police", "bank"):
        users.create_organisation(engine, org, secret=key)
    world = World(store, make_app(store))
    for who, (username, org, role) in USERS.items():
        users.create_user(engine, username, PASSWORD, org=org, role=role, secret=key)
        world.tokens[who], _ = tokens.create_token(engine, username, "tests", secret=key)
    for marking in TAGS:
        name = dataset_for(marking)
        store.dataset(name, marking, org="ngo")
        doc = Document(text_for(marking), DocumentKind.JOB_AD, source="synthetic", id=name)
        store.store_batch([doc], ENGINE, dataset=name)
        world.doc_ids[marking] = doc.content_hash
        users.share_dataset(engine, name, "police", secret=key)
    users.grant_reader(engine, dataset_for("red"), "rd_bank", secret=key)
    return world


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2 at its production cost takes 0.3 s a hash on this machine, and the worlds make
    six users each; the tests check who may log in, not argon2's cost parameters."""
    from argon2 import PasswordHasher

    from tocsin.access import users as users_module

    production = users_module._HASHER
    users_module._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users_module._HASHER = production


@pytest.fixture
def web_store(db_url: str) -> Iterator[Store]:
    """An empty store on each backend, with the web suite's settings."""
    store = open_store(web_settings(db_url))
    yield store
    store.close()


@pytest.fixture
def world(web_store: Store) -> World:
    return build_world(web_store)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """An empty SQLite store, for tests where the backend plays no part (headers, schema,
    validation, rate limits): they need not run twice."""
    store = open_store(web_settings(f"sqlite:///{tmp_path / 'tocsin.db'}"))
    yield store
    store.close()


@pytest.fixture
def sqlite_world(sqlite_store: Store) -> World:
    return build_world(sqlite_store)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One world per backend for a whole module of read-only tests."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'tocsin.db'}"
    else:
        url = request.getfixturevalue("pg_databases").create()
    store = open_store(web_settings(url))
    yield build_world(store)
    store.close()


@pytest.fixture
def app_factory(web_store: Store) -> Callable[..., FastAPI]:
    def make(**overrides: Any) -> FastAPI:
        return make_app(web_store, **overrides)

    return make


ROOT = Path(__file__).resolve().parents[2]
