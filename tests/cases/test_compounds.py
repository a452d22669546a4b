"""Compounds: the reference list holds only published facts; names in several scripts,
companies and selectors; visibility by marking; valid FollowTheMoney."""

from __future__ import annotations

from pathlib import Path

import pytest
from followthemoney import model

from cases.world import World
from tocsin.cases import Casebook, CompoundInput, NotFound
from tocsin.cases.reference import REFERENCE_DATASET, load_reference, reference_compounds
from tocsin.errors import InputError

FACTS = Path(__file__).resolve().parents[3] / "shared" / "FACTS.md"


def test_reference_list_comes_from_facts_md() -> None:
    if not FACTS.is_file():
        pytest.skip(f"{FACTS} is not here (it lives beside the repository)")
    facts = FACTS.read_text(encoding="utf-8")
    for item in reference_compounds():
        assert item.sources, item.id
        assert any("FACTS.md" in s or "GeoNames" in s for s in item.sources), item.id
        if item.latitude is not None:
            assert str(item.latitude) in facts and str(item.longitude) in facts, item.id
        else:
            assert item.precision == "none"
        for name, _, _ in item.names:
            assert name in facts, f"{item.id}: {name!r} not in FACTS.md"
        for company, _, _ in item.companies:
            core = company.split(" (")[0].removesuffix(" Co. Ltd.").removesuffix(" Co.")
            assert core in facts, f"{item.id}: {company!r} not in FACTS.md"


def test_reference_loads_once_clear_and_refreshes(world: World) -> None:
    book = Casebook(world.store)
    assert load_reference(book.context) == (13, 0)
    assert load_reference(book.context) == (0, 13)
    kk = world.book("outsider").compounds.get("kk-park")
    assert kk.marking == "clear" and kk.dataset == REFERENCE_DATASET
    assert kk.precision == "site" and kk.latitude == pytest.approx(16.647556)
    assert {c["role"] for c in kk.companies} == {"lessor", "lessee"}
    town = book.compounds.get("sihanoukville")
    assert town.precision == "town" and town.names[0]["name"] == "西港"


def test_names_in_several_scripts_and_visibility(world: World) -> None:
    book = world.book("lead")
    view = book.compounds.add(
        CompoundInput(
            id="zq-amber",
            name="Zq Amber Park",
            country="MM",
            names=[("ZQ园区", "zh-Hans", "Hans"), ("ဇက်ပါ့ခ်", "my", "Mymr")],
        ),
        dataset="ngo-compounds",
        marking="amber",
    )
    assert [n["script"] for n in view.names] == ["Hans", "Mymr"]
    book.compounds.add_company("zq-amber", "Zq Synthetic Holdings", "operator", "synthetic")
    book.compounds.link_selector("zq-amber", "Telegram @zq_amber_desk")
    view = book.compounds.get("zq-amber")
    assert view.selectors[0]["key"] == "telegram:zq_amber_desk"
    assert "zq-amber" in [c.id for c in world.book("viewer").compounds.all()]
    with pytest.raises(NotFound):
        world.book("partner").compounds.get("zq-amber")  # police: not a partner of it
    with pytest.raises(NotFound):
        world.book("public").compounds.get("zq-amber")


def test_compound_mistakes(world: World) -> None:
    book = world.book("lead")
    with pytest.raises(InputError, match="both latitude and longitude"):
        book.compounds.add(CompoundInput(id="x", name="X", latitude=1.0))
    with pytest.raises(InputError, match="taken"):
        book.compounds.add(CompoundInput(id="zq-compound", name="Again"))
    with pytest.raises(InputError, match="names 0 selectors"):
        book.compounds.link_selector("zq-compound", "just words")


def test_compounds_export_as_valid_ftm(world: World) -> None:
    Casebook(world.store).compounds.add_company("zq-compound", "Zq Operator Ltd", "operator")
    entities = list(world.store.entities("test-compounds"))
    schemas = {e["schema"] for e in entities}
    assert schemas == {"Organization", "Address", "UnknownLink"}
    for entity in entities:
        model.get(entity["schema"]).validate(entity)  # type: ignore[union-attr]
    compound = next(e for e in entities if e["id"] == "tocsin-compound-zq-compound")
    assert "西港测试园区" in compound["properties"]["alias"]
    assert "tocsin:scam-compound" in compound["properties"]["keywords"]
    address = next(e for e in entities if e["schema"] == "Address")
    assert address["properties"]["latitude"] == ["10.6"]
    # persons never become entities
    assert not any(e["schema"] == "Person" for e in world.store.entities())
