"""docs/indicators.md is generated from the packs and must be up to date."""

from __future__ import annotations

from pathlib import Path

from tocsin.detect.rules import load_packs
from tocsin.detect.rules.catalogue import render

CATALOGUE = Path(__file__).parents[3] / "docs" / "indicators.md"


def test_catalogue_is_up_to_date() -> None:
    assert CATALOGUE.read_text(encoding="utf-8") == render(), (
        "docs/indicators.md is stale: run "
        "`python -m tocsin.detect.rules.catalogue > docs/indicators.md`"
    )


def test_catalogue_lists_every_indicator() -> None:
    text = render()
    for indicator in load_packs().indicators:
        assert f"`{indicator.id}`" in text
