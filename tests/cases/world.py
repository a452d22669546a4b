"""A small synthetic world for the case tests: two organisations, users in every place a case
team can put them, a field key, and one case (generated; no real person's data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

from argon2 import PasswordHasher
from sqlalchemy import select

from tocsin.access import Principal, users
from tocsin.cases import Casebook, CompoundInput, generate_key
from tocsin.store import Store
from tocsin.store.schema import organisations
from tocsin.store.schema import users as schema_users

PASSWORD = "synthetic-password-123"
KEY = generate_key("k1")

# Synthetic personal values: distinctive, so the tests can look for them in raw storage.
NAME = "Zqxsynthname Vorbelt"
PASSPORT = "ZQ9087123"
REPORTER = "Zqx Reporter Mother"
FAMILY_PHONE = "+66 81 555 0199"
NOTE = "zqxsecretnote about the survivor"

OFFER = (
    "SYNTHETIC TEST OFFER. Customer service job in Sihanoukville, USD 1800 per month, no "
    "experience needed, flight and visa paid. Contact Telegram @hr_zq_desk or WhatsApp "
    "+855 12 345 678."
)


@dataclass
class World:
    store: Store
    principals: dict[str, Principal] = field(default_factory=dict)
    case: str = ""

    def book(self, who: str) -> Casebook:
        return Casebook(self.store.as_principal(self.principals[who]))


def keyed(store: Store, key: str | None = KEY) -> Store:
    """The same database, with ``TOCSIN_FIELD_KEY`` set."""
    settings = store.settings.model_copy(update={"field_key": key})
    return Store(store.engine, store.principal, settings=settings, owns_engine=False)


@cache
def password_hash() -> str:
    """One argon2 hash of PASSWORD for every test user (hashing takes ~0.3 s each)."""
    return PasswordHasher().hash(PASSWORD)


def _user(store: Store, name: str, org: str, role: str) -> Principal:
    with store.engine.begin() as conn:
        org_pk = conn.execute(select(organisations.c.pk).where(organisations.c.name == org))
        conn.execute(
            schema_users.insert(),
            {
                "username": name,
                "display_name": name,
                "password_hash": password_hash(),
                "org_pk": org_pk.scalar_one(),
                "role": role,
                "active": True,
                "created_at": datetime.now(UTC),
            },
        )
        pk = conn.execute(select(schema_users.c.pk).where(schema_users.c.username == name))
        principal = users.principal_of(conn, int(pk.scalar_one()))
    assert principal is not None
    return principal


def build(store: Store) -> World:
    """ngo: lead (analyst), member (analyst), viewer (viewer on the team), admin (admin, not on
    the team), outsider (analyst, not on the team); police: partner (analyst on the team)."""
    world = World(keyed(store))
    engine = store.engine
    for org in ("ngo", "police"):
        users.create_organisation(engine, org)
    p = world.principals
    p["system"] = Principal.system()
    p["public"] = Principal.public()
    for name, org, role in (
        ("lead", "ngo", "analyst"),
        ("member", "ngo", "analyst"),
        ("viewer", "ngo", "viewer"),
        ("admin", "ngo", "admin"),
        ("outsider", "ngo", "analyst"),
        ("partner", "police", "analyst"),
    ):
        p[name] = _user(store, name, org, role)
    case = world.book("lead").cases.create(
        "Synthetic case: Sihanoukville customer-service ads",
        members=[("member", "member"), ("viewer", "member"), ("partner", "member")],
    )
    world.case = case.id
    Casebook(world.store).compounds.add(
        CompoundInput(
            id="zq-compound",
            name="Zq Synthetic Compound",
            kind="compound",
            country="KH",
            latitude=10.6,
            longitude=103.5,
            description="synthetic test compound",
            names=[("西港测试园区", "zh-Hans", "Hans")],
        ),
        dataset="test-compounds",
        marking="green",
    )
    return world
