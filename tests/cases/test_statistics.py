"""Statistics from the store: the k of the settings, small counts withheld in every table of a
release, and the printable report showing only what was released."""

from __future__ import annotations

import re
from datetime import date

from cases.world import World
from tocsin.cases import Casebook, OperationInput, PersonInput
from tocsin.cases.publish import render_html, render_pdf
from tocsin.cases.stats import statistics

# 12 Vietnamese, 7 Thai, 2 Indonesian, 1 Kenyan: the Indonesians and the Kenyan are small counts.
POPULATION = {"VN": 12, "TH": 7, "ID": 2, "KE": 1}


def _people(world: World) -> None:
    book = world.book("lead")
    for nationality, n in POPULATION.items():
        for i in range(n):
            status = "rescued" if i % 3 == 0 else "in_shelter"
            book.persons.add(
                world.case, PersonInput(nationality=nationality, compound="zq-compound"), status
            )
    book.operations.record(
        world.case,
        OperationInput(
            kind="raid",
            date=date(2025, 2, 14),
            freed_total=215,
            nationalities={"TH": 109, "PK": 50, "IN": 48, "TW": 5, "ID": 3},
        ),
    )


def test_release_withholds_small_counts_everywhere(world: World) -> None:
    _people(world)
    release = statistics(world.book("lead").context, k=5)
    nat = dict(zip(release.by_nationality.labels, release.by_nationality.counts, strict=True))
    assert nat["ID"] is None and nat["KE"] is None  # 2 and 1
    assert release.total == 22
    # ID and KE alone would add up to 22 - 12 - 7 = 3, so each would be 1 or 2: the next
    # smallest count (TH, 7) is withheld with them (complementary suppression).
    assert nat == {"VN": 12, "TH": None, "ID": None, "KE": None}
    freed = dict(
        zip(release.freed_by_nationality.labels, release.freed_by_nationality.counts, strict=True)
    )
    assert freed["TH"] == 109 and freed["ID"] is None
    for table in release.tables().values():
        for count in table.counts:
            assert count is None or count == 0 or count >= 5


def test_k_comes_from_the_settings(world: World) -> None:
    _people(world)
    store = world.store
    settings = store.settings.model_copy(update={"stats_min_count": 13})
    from tocsin.store import Store

    strict = Store(store.engine, settings=settings, owns_engine=False)
    release = statistics(Casebook(strict).context)
    assert release.k == 13
    assert all(c is None for c in release.by_nationality.counts)


def test_report_shows_only_released_figures(world: World) -> None:
    _people(world)
    release = statistics(world.book("lead").context, k=5)
    html = render_html(release, title="Synthetic report", notice="SYNTHETIC DATA")
    assert "SYNTHETIC DATA" in html and '<td class="withheld">x</td>' in html
    cells = re.findall(r"<td>(\d+)</td>", html)
    assert "2" not in cells and "1" not in cells  # the small counts never appear
    assert "data:image/png;base64," in html and "<script" not in html
    pdf = render_pdf(release, title="Synthetic report")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
