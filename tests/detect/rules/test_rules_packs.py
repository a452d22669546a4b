"""The bundled packs: they load, and every declared example behaves as declared."""

from __future__ import annotations

import pytest

from tocsin.detect.rules import Indicator, load_packs
from tocsin.model.verdict import Category

RULES = load_packs()
INDICATORS = RULES.indicators


def _ids(indicator: Indicator) -> str:
    return indicator.id


def test_bundled_packs_load() -> None:
    packs = {p.id for p in RULES.packs}
    assert {"recruitment", "places", "forced_criminality", "pig_butchering", "payment",
            "generic_fraud"} <= packs  # fmt: skip
    assert 50 <= len(INDICATORS) <= 80
    assert all("@" in v for v in RULES.pack_versions)
    assert len(RULES.version) == 12


def test_every_category_is_covered() -> None:
    assert {i.category for i in INDICATORS} == set(Category)


def test_core_languages_are_covered() -> None:
    covered = {lang for ind in INDICATORS for lang in RULES.languages(ind)}
    assert {"en", "fr", "zh-hans", "zh-hant", "vi", "th", "id"} <= covered


@pytest.mark.parametrize("indicator", INDICATORS, ids=_ids)
def test_match_examples_fire(indicator: Indicator) -> None:
    for example in indicator.examples_match:
        hits = {h.id: h for h in RULES.match(example)}
        assert indicator.id in hits, f"{indicator.id} did not fire on {example!r}"
        for ev in hits[indicator.id].evidence:
            assert example[ev.start : ev.end] == ev.text


@pytest.mark.parametrize("indicator", INDICATORS, ids=_ids)
def test_no_match_examples_do_not_fire(indicator: Indicator) -> None:
    for example in indicator.examples_no_match:
        fired = [h.id for h in RULES.match(example)]
        assert indicator.id not in fired, f"{indicator.id} fired on {example!r}"


@pytest.mark.parametrize("indicator", INDICATORS, ids=_ids)
def test_indicator_is_documented(indicator: Indicator) -> None:
    assert indicator.sources
    assert indicator.weight_note
    assert indicator.id.split(".")[0] in {"lure", "place", "forced", "pig", "payment", "fraud"}
