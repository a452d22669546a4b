"""A new missing-person report shows at once what its selectors share — as far as the person
asking may see."""

from __future__ import annotations

from cases.world import OFFER, World
from tocsin.cases import Casebook, PersonInput, ReportInput
from tocsin.cases.reports import scanner
from tocsin.graph.clusters import ClusterOptions, find_clusters
from tocsin.model import Document, DocumentKind

ADS = [
    "SYNTHETIC ad A. Typist wanted in Bavet, 1500 USD, contact Telegram @hr_zq_desk.",
    "SYNTHETIC ad B. Office job in KK Park, call Telegram @hr_zq_desk or @zq_second_desk.",
    "SYNTHETIC ad C. Translator job, contact Telegram @zq_second_desk, USDT accepted.",
]
UNRELATED = "SYNTHETIC ad D. Cook wanted in Phnom Penh, contact Telegram @zq_unrelated_desk."


def _ads(world: World) -> None:
    ngo = world.store.as_principal(world.principals["lead"])
    docs = [Document(t, DocumentKind.JOB_AD) for t in (*ADS, UNRELATED)]
    ngo.store_batch(docs, scanner(), dataset="ngo-ads", marking="amber")


def _report(world: World, who: str = "lead", offer: str = OFFER) -> str:
    return (
        world.book(who)
        .reports.create(
            world.case,
            ReportInput(
                person=PersonInput(nationality="VN"),
                offer_text=offer,
                recruiter_contacts=["Telegram @hr_zq_desk", "a man called Ben"],
            ),
        )
        .id
    )


def test_documents_network_reports_and_compounds(world: World) -> None:
    _ads(world)
    Casebook(world.store).compounds.add_name("zq-compound", "KK Park", "en", "Latn")
    Casebook(world.store).compounds.link_selector("zq-compound", "telegram:hr_zq_desk")
    first = _report(world)
    second = _report(world, "member", offer="SYNTHETIC. Contact Telegram @hr_zq_desk today.")
    book = world.book("lead")
    report = book.reports.get(first)
    assert report.unrecognised_contacts == ["a man called Ben"]
    found = book.matches(first)
    by_key = {s["key"]: s for s in found.selectors}
    # ads A and B, and the second offer (both reports' contacts are the same text: one document)
    assert by_key["telegram:hr_zq_desk"]["documents"] == 3
    assert [r["id"] for r in found.reports] == [second]
    assert found.reports[0]["shared"] == ["telegram:hr_zq_desk"]
    compound = next(c for c in found.compounds if c["id"] == "zq-compound")
    assert compound["selectors"] == ["telegram:hr_zq_desk"]
    assert compound["named_in"] >= 1  # ad B names KK Park
    network = found.network
    assert network is not None and network["complete"]
    assert network["documents"] == 4  # ads A, B, C (via @zq_second_desk) and the second offer
    unrelated = Document(UNRELATED, DocumentKind.JOB_AD).content_hash
    assert unrelated not in {d["id"] for d in network["sample"]}


def test_the_network_id_is_the_cluster_id(world: World) -> None:
    _ads(world)
    report_id = _report(world)
    found = world.book("lead").matches(report_id)
    assert found.network is not None
    clustering = find_clusters(
        world.store.link_source(), ClusterOptions(near_duplicates=False, hub_threshold=10_000)
    )
    ids = {c.id for c in clustering.clusters()}
    assert found.network["id"] in ids


def test_matches_only_show_what_the_asker_may_see(world: World) -> None:
    _ads(world)  # AMBER, owned by ngo: the police partner on the team does not see them
    report_id = _report(world)
    partner = world.book("partner").matches(report_id)
    by_key = {s["key"]: s for s in partner.selectors}
    assert by_key["telegram:hr_zq_desk"]["documents"] == 0
    assert partner.network is not None and partner.network["documents"] == 0
    # other teams' reports are not listed to someone who is not on them
    other = Casebook(world.store).cases.create("Synthetic other case")
    Casebook(world.store).reports.create(
        other.id, ReportInput(person=PersonInput(nationality="TH"), offer_text=OFFER + " again")
    )
    assert world.book("lead").matches(report_id).reports == []
    assert [r["case"] for r in Casebook(world.store).matches(report_id).reports] == [other.id]
