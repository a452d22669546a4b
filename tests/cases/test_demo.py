"""The synthetic demo: the shipped spreadsheet is what the generator makes, every row imports,
and the loaded demo tells a story (reports, raids, follow-up, matches, a map)."""

from __future__ import annotations

from importlib.resources import files

from tocsin.cases import Casebook
from tocsin.cases.demo import NOTICE, load_demo, synthetic_csv
from tocsin.cases.stats import statistics
from tocsin.store import Store


def test_the_shipped_spreadsheet_is_current_and_synthetic() -> None:
    shipped = (files("tocsin.cases") / "data" / "synthetic_missing_persons.csv").read_text("utf-8")
    assert shipped == synthetic_csv(), "regenerate it with tocsin.cases.demo.synthetic_csv()"
    assert shipped.count("SYNTHETIC") >= 300
    assert "SYNTHETIC" in NOTICE


def test_demo_loads_and_tells_a_story(store: Store) -> None:
    result = load_demo(store, rows=120)
    assert result.imported.errors == []
    assert result.imported.reports + result.imported.persons == 120
    assert len(result.operations) == 6 and result.compounds == 13
    book = Casebook(store)
    release = statistics(book.context)
    statuses = dict(zip(release.by_status.labels, release.by_status.counts, strict=True))
    assert {"reported", "in_shelter"} <= set(statuses)
    assert any(c["persons"] for c in release.compounds)  # the map has something to show
    reports = book.reports.in_case(result.case)
    assert any(book.matches(r.id).reports for r in reports[:20])  # shared recruiters
