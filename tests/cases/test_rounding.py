"""Repeated releases: exact figures let a reader subtract two releases; random rounding to a
base (keyed, so asking again gives the same figure) blurs what changed between them."""

from __future__ import annotations

import statistics as pystats

from cases.world import World
from tocsin.cases import Casebook, PersonInput
from tocsin.cases.publish import render_html
from tocsin.cases.stats import StatsRelease, statistics
from tocsin.cases.suppress import round_count
from tocsin.store import Store

KEY = b"synthetic-test-key"


def test_round_count_is_keyed_deterministic_and_unbiased() -> None:
    assert round_count(None, 5, KEY, "x") is None and round_count(0, 5, KEY, "x") == 0
    assert round_count(10, 5, KEY, "x") == 10  # a multiple stays
    assert round_count(12, 1, KEY, "x") == 12  # base 1: exact
    draws = [round_count(7, 5, KEY, f"place-{i}") for i in range(4000)]
    assert set(draws) == {5, 10}
    assert abs(pystats.fmean(d for d in draws if d is not None) - 7) < 0.15  # no bias
    assert all(round_count(7, 5, KEY, f"place-{i}") == d for i, d in enumerate(draws[:50]))
    assert round_count(3, 5, KEY, "x") == 5  # never rounded down to a (structural) zero
    other = [round_count(7, 5, b"another-key", f"place-{i}") for i in range(200)]
    assert other != draws[:200]  # the key decides the draws: a reader cannot compute them


def _add(world: World, nationality: str, n: int) -> None:
    book = world.book("lead")
    for _ in range(n):
        book.persons.add(world.case, PersonInput(nationality=nationality), "in_shelter")


def _figures(release: StatsRelease) -> dict[tuple[str, str], int | None]:
    out = {}
    for name, table in release.tables().items():
        for label, count in zip(table.labels, table.counts, strict=True):
            out[(name, label)] = count
        out[(name, "total")] = table.total
    return out


def test_exact_releases_can_be_subtracted_and_rounded_ones_cannot(world: World) -> None:
    _add(world, "VN", 23)
    _add(world, "TH", 31)
    ctx = world.book("lead").context
    before_exact = _figures(statistics(ctx, k=5, round_base=0))
    before = _figures(statistics(ctx, k=5, round_base=5))
    assert before == _figures(statistics(ctx, k=5, round_base=5))  # asking again: same figures
    _add(world, "VN", 1)  # one more Vietnamese person in shelter
    after_exact = _figures(statistics(ctx, k=5, round_base=0))
    after = _figures(statistics(ctx, k=5, round_base=5))
    # exact: the difference says one Vietnamese person was added, and their status
    for key in (("by_nationality", "VN"), ("by_status", "in_shelter")):
        old_exact, new_exact = before_exact[key], after_exact[key]
        assert old_exact is not None and new_exact is not None and new_exact - old_exact == 1
    for key, value in after.items():
        assert value is None or value % 5 == 0
        old = before.get(key)
        if value is None or old is None:
            continue
        # each published figure is within 4 of the truth: any change from -8 to +8 fits,
        # "nobody was added" included — the one person added cannot be read off
        assert abs(value - old) <= 8


def test_users_cannot_ask_for_less_protection_than_the_deployment(world: World) -> None:
    _add(world, "VN", 23)
    _add(world, "ID", 2)
    strict = world.store.settings.model_copy(update={"stats_min_count": 7, "stats_round_base": 5})
    store = Store(world.store.engine, settings=strict, owns_engine=False)
    lead = Casebook(store.as_principal(world.principals["lead"])).context
    release = statistics(lead, k=2, round_base=0)
    assert release.k == 7 and release.round_base == 5
    assert all(c is None or c % 5 == 0 for c in release.by_nationality.counts)
    system = statistics(Casebook(store).context, k=2, round_base=0)  # the CLI's principal
    assert system.k == 2 and system.round_base == 0
    html = render_html(release, title="Synthetic report")
    assert "rounded at random to a multiple of 5" in html
    assert "Nationality and status" in html and 'class="withheld">x<' in html  # withheld


def test_withheld_counts_stay_withheld_when_rounded(store: Store, world: World) -> None:
    _add(world, "VN", 23)
    _add(world, "KE", 1)
    release = statistics(world.book("lead").context, k=5, round_base=5)
    nat = dict(zip(release.by_nationality.labels, release.by_nationality.counts, strict=True))
    assert nat["KE"] is None
    assert release.to_dict()["round_base"] == 5
