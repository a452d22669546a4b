"""Round trips: export → import into an empty store → export gives the same content.

STIX and MISP: the same bytes (deterministic ids, the partner's times kept). FtM: the same
entities — ids, schemata, properties, first and last seen — only the provenance differs (the
datasets are the importer's, the origin is ``imported``). Markings are per dataset in Tocsin, so
an export re-exported from a dataset of the same marking comes back unchanged; imported into a
more restrictive dataset, it comes back under that marking (never less restrictive).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from followthemoney import model

from tocsin.access import Principal
from tocsin.share.exchange import export, import_file
from tocsin.share.policy import ExportPolicy
from tocsin.share.stix import EXTENSIONS
from tocsin.store import Store, open_store

from .world import ENGINE, reader, store_texts, texts

SYSTEM = Principal.system()


def _export(store: Store, fmt: str) -> bytes:
    out = io.BytesIO()
    export(store, out, fmt, principal=SYSTEM, policy=ExportPolicy(recipient="local"))
    return out.getvalue()


def _import(store: Store, data: bytes, marking: str) -> Any:
    return import_file(
        store, reader(data), dataset="from-partner", source="partner.file", principal=SYSTEM,
        scanner=ENGINE, marking=marking,
    )  # fmt: skip


def _entities(data: bytes) -> list[dict[str, Any]]:
    entities = []
    for line in data.splitlines():
        entity = json.loads(line)
        proxy = model.get_proxy(entity, cleaned=False)
        assert proxy.schema.validate(entity) is None  # followthemoney accepts every entity
        entities.append({k: v for k, v in entity.items() if k not in ("datasets", "origin")})
    return sorted(entities, key=lambda e: e["id"])


def _source(store: Store) -> None:
    """Two GREEN datasets sharing a handle (a network across datasets), and a RED and an
    AMBER+STRICT dataset that must not come along."""
    store_texts(store, "hotline", "green", texts("h", 4), "local")
    store_texts(store, "crawl", "green", texts("w", 3, shared="hr_h0_desk"), "local")
    store_texts(store, "raid-plans", "red", texts("r", 2), "local")
    store_texts(store, "informants", "amber+strict", texts("s", 2), "local")


@pytest.mark.parametrize("fmt", ["stix", "misp", "ftm"])
def test_round_trip(fmt: str, store: Store, db_url: str, new_db_url: Callable[[str], str]) -> None:
    _source(store)
    first = _export(store, fmt)
    assert b"zqr0marker" not in first and b"zqs0marker" not in first  # never leave
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    with open_store(url=new_db_url(backend)) as empty:
        report = _import(empty, first, "green")
        assert report.problems == [], [str(p) for p in report.problems]
        assert report.documents_new == 7
        second = _export(empty, fmt)
        assert _import(empty, first, "green").documents_new == 0  # importing twice adds nothing
        assert _export(empty, fmt) == second
    if fmt == "ftm":
        assert _entities(second) == _entities(first)
    else:
        assert second == first


def test_more_restrictive_dataset_raises_the_marking(
    store: Store, db_url: str, new_db_url: Callable[[str], str]
) -> None:
    _source(store)
    first = _export(store, "stix")
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    with open_store(url=new_db_url(backend)) as empty:
        assert _import(empty, first, "amber").documents_new == 7
        second = json.loads(_export(empty, "stix"))
    markings = {o["name"] for o in second["objects"] if o["type"] == "marking-definition"}
    assert markings == {"TLP:AMBER"}
    reports = sorted(o["description"] for o in second["objects"] if o["type"] == "report")
    assert reports == sorted(
        o["description"] for o in json.loads(first)["objects"] if o["type"] == "report"
    )


@pytest.mark.parametrize("fmt", ["stix", "misp"])
def test_compounds_of_the_case_register_travel(
    fmt: str, store: Store, db_url: str, new_db_url: Callable[[str], str]
) -> None:
    """A compound of the case register (with coordinates) goes out as a STIX location / MISP
    geolocation, comes back as compound statements, and goes out again unchanged."""
    from tocsin.cases import Casebook, CompoundInput

    _source(store)
    Casebook(store).compounds.add(
        CompoundInput(
            id="kk-park-synthetic", name="KK Park (synthetic record)", country="MM",
            latitude=16.6, longitude=98.5, precision="town",
            description="Synthetic test record of a compound.",
        ),
        dataset="compounds-green", marking="green",
    )  # fmt: skip
    first = _export(store, fmt)
    assert b"KK Park (synthetic record)" in first
    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    with open_store(url=new_db_url(backend)) as empty:
        assert _import(empty, first, "green").compounds == 1
        second = _export(empty, fmt)
    assert second == first


def test_stix_export_of_awkward_store_data_validates(store: Store) -> None:
    """Found exporting the demo data: a first_seen moved after last_seen (sightings merged from
    another dataset) and Khmer/Burmese texts (tags the OASIS validator's table lacks) made an
    invalid bundle. Now last_seen is never before first_seen, and such a language travels in
    the tocsin-document extension only."""
    from sqlalchemy import select, update

    from tocsin.store.schema import documents

    from .test_stix import validate

    ext = EXTENSIONS["document"].id

    ids = store_texts(store, "hotline", "green", texts("k", 2), "local")
    with store.engine.begin() as conn:
        last = conn.scalar(select(documents.c.last_seen).where(documents.c.id == ids[0]))
        conn.execute(
            update(documents)
            .where(documents.c.id == ids[0])
            .values(first_seen=last + timedelta(hours=2), language="km")
        )
        conn.execute(update(documents).where(documents.c.id == ids[1]).values(language="vi"))
    data = _export(store, "stix")
    validate(data)
    reports = {
        o["extensions"][ext]["document_id"]: o
        for o in json.loads(data)["objects"]
        if o["type"] == "report"
    }
    assert "lang" not in reports[ids[0]]
    assert reports[ids[0]]["extensions"][ext]["language"] == "km"
    assert reports[ids[1]]["lang"] == "vi"
    misp = json.loads(_export(store, "misp"))
    seen = [(o["first_seen"], o["last_seen"]) for o in misp["Event"]["Object"] if "last_seen" in o]
    assert seen
    assert all(last >= first for first, last in seen)
