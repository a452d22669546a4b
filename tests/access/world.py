"""A small synthetic world for the access tests: three organisations, users of every role, and
one dataset per TLP marking, each with one document (generated; no real person's data)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tocsin.access import Principal, users
from tocsin.detect.engine import Engine
from tocsin.model import Document, DocumentKind
from tocsin.store import Store

ENGINE = Engine()
PASSWORD = "synthetic-password-123"

# short tags: usable in handles, one per marking
TAGS = {"clear": "c", "green": "g", "amber": "a", "amber+strict": "s", "red": "r"}
SHARED_KEY = "telegram:hr_shared_desk"


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


@dataclass
class World:
    store: Store
    principals: dict[str, Principal] = field(default_factory=dict)
    doc_ids: dict[str, str] = field(default_factory=dict)


# Who sees which marking (the rule in docs/access.md), per principal of the world.
EXPECTED: dict[str, set[str]] = {
    "public": {"clear"},
    "viewer": {"clear", "green", "amber", "amber+strict"},
    "analyst": {"clear", "green", "amber", "amber+strict"},
    "admin": {"clear", "green", "amber", "amber+strict"},
    "partner": {"clear", "green", "amber"},
    "other": {"clear", "green"},
    "reader": {"clear", "green", "red"},
    "system": {"clear", "green", "amber", "amber+strict", "red"},
}


def build(store: Store) -> World:
    """Organisations ngo (owner of every dataset), police (partner), bank (neither)."""
    world = World(store)
    engine = store.engine
    for org in ("ngo", "police", "bank"):
        users.create_organisation(engine, org)
    p = world.principals
    p["public"] = Principal.public()
    p["system"] = Principal.system()
    p["viewer"] = users.create_user(engine, "v_ngo", PASSWORD, org="ngo", role="viewer")
    p["analyst"] = users.create_user(engine, "an_ngo", PASSWORD, org="ngo", role="analyst")
    p["admin"] = users.create_user(engine, "ad_ngo", PASSWORD, org="ngo", role="admin")
    p["partner"] = users.create_user(engine, "an_police", PASSWORD, org="police", role="analyst")
    p["other"] = users.create_user(engine, "an_bank", PASSWORD, org="bank", role="admin")
    p["reader"] = users.create_user(engine, "rd_bank", PASSWORD, org="bank", role="viewer")
    for marking in TAGS:
        name = dataset_for(marking)
        store.dataset(name, marking, org="ngo")
        doc = Document(text_for(marking), DocumentKind.JOB_AD, source="synthetic", id=name)
        store.store_batch([doc], ENGINE, dataset=name)
        world.doc_ids[marking] = doc.content_hash
        # partners are named on every dataset: only AMBER lets them in
        users.share_dataset(engine, name, "police")
    users.grant_reader(engine, dataset_for("red"), "rd_bank")
    return world
