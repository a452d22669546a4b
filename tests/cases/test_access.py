"""Need-to-know: a case exists only for its team — admins included only if added — and every
read, including a refused one, is in the audit log."""

from __future__ import annotations

from datetime import date

import pytest

from cases.world import NAME, OFFER, World
from tocsin.access import audit
from tocsin.access.principal import AccessDenied
from tocsin.cases import NotFound, OperationInput, PersonInput, ReportInput
from tocsin.cases.stats import statistics
from tocsin.model import Document, DocumentKind

TEAM = ("lead", "member", "viewer", "partner", "system")
OUTSIDE = ("admin", "outsider", "public")


def _report(world: World) -> tuple[str, str, str]:
    book = world.book("lead")
    report = book.reports.create(
        world.case,
        ReportInput(
            person=PersonInput(name=NAME, nationality="VN"),
            offer_text=OFFER,
            recruiter_contacts=["Telegram @hr_zq_desk"],
        ),
    )
    op = book.operations.record(
        world.case, OperationInput(kind="raid", date=date(2025, 2, 1), persons=[report.person])
    )
    return report.id, report.person, op.id


@pytest.mark.parametrize("who", TEAM + OUTSIDE)
def test_only_the_team_sees_a_case(world: World, who: str) -> None:
    report_id, person_id, op_id = _report(world)
    book = world.book(who)
    reads = [
        lambda: book.cases.get(world.case),
        lambda: book.persons.get(person_id),
        lambda: book.persons.in_case(world.case),
        lambda: book.reports.get(report_id),
        lambda: book.reports.in_case(world.case),
        lambda: book.matches(report_id),
        lambda: book.operations.get(op_id),
    ]
    if who in TEAM:
        for read in reads:
            read()
        assert [c.id for c in book.cases.all()] == [world.case]
        assert book.persons.get(person_id).name == NAME
    else:
        for read in reads:
            with pytest.raises(NotFound):
                read()
        assert book.cases.all() == []
        if who != "public":
            assert book.persons.find("Zqxsynth") == []


def test_not_found_is_the_same_for_a_hidden_and_a_missing_case(world: World) -> None:
    book = world.book("admin")
    with pytest.raises(NotFound) as hidden:
        book.cases.get(world.case)
    with pytest.raises(NotFound) as missing:
        book.cases.get("C-00000-00000")
    assert str(hidden.value).replace(world.case, "X") == str(missing.value).replace(
        "C-00000-00000", "X"
    )


def test_an_admin_added_to_the_team_sees_it(world: World) -> None:
    world.book("lead").cases.add_member(world.case, "admin")
    assert world.book("admin").cases.get(world.case).role == "member"


def test_the_case_offer_is_a_red_document_for_the_team_only(world: World) -> None:
    _report(world)
    doc_id = Document(OFFER, DocumentKind.JOB_AD).content_hash
    for who in ("lead", "partner", "viewer"):
        assert world.store.as_principal(world.principals[who]).document(doc_id) is not None
    for who in ("admin", "outsider", "public"):
        assert world.store.as_principal(world.principals[who]).document(doc_id) is None
    # taken off the team, the document goes out of sight too
    world.book("lead").cases.remove_member(world.case, "partner")
    assert world.store.as_principal(world.principals["partner"]).document(doc_id) is None


@pytest.mark.parametrize("who", ["lead", "member", "partner"])
def test_team_analysts_record_status_changes(world: World, who: str) -> None:
    _, person_id, _ = _report(world)
    view = world.book(who).persons.set_status(person_id, "in_shelter")
    assert view.status == "in_shelter"
    assert view.timeline[-1].actor == who


def test_a_viewer_on_the_team_reads_but_cannot_change(world: World) -> None:
    _, person_id, _ = _report(world)
    book = world.book("viewer")
    assert book.persons.get(person_id).status == "rescued"
    with pytest.raises(AccessDenied):
        book.persons.set_status(person_id, "in_shelter")
    with pytest.raises(AccessDenied):
        book.reports.create(world.case, ReportInput(person=PersonInput(nationality="TH")))
    with pytest.raises(AccessDenied):
        book.cases.add_member(world.case, "outsider")


def test_only_a_lead_corrects_and_manages_the_team(world: World) -> None:
    _, person_id, _ = _report(world)
    member = world.book("member")
    with pytest.raises(AccessDenied):
        member.persons.set_status(person_id, "reported", correction=True, note="wrong raid")
    with pytest.raises(AccessDenied):
        member.cases.add_member(world.case, "outsider")
    lead = world.book("lead")
    view = lead.persons.set_status(person_id, "reported", correction=True, note="wrong raid")
    assert view.status == "reported" and view.timeline[-1].action == "correct"
    with pytest.raises(Exception, match="last lead"):
        lead.cases.remove_member(world.case, "lead")


def test_a_closed_case_is_read_only(world: World) -> None:
    _, person_id, _ = _report(world)
    lead = world.book("lead")
    lead.cases.set_state(world.case, "closed")
    with pytest.raises(Exception, match="closed"):
        lead.persons.set_status(person_id, "in_shelter")
    assert lead.persons.get(person_id).status == "rescued"


def test_every_read_is_audited_and_refusals_too(world: World) -> None:
    _, person_id, _ = _report(world)
    before = audit.count(world.store.engine)
    world.book("member").persons.get(person_id)
    with pytest.raises(NotFound):
        world.book("outsider").persons.get(person_id)
    entries = audit.entries(world.store.engine, limit=audit.count(world.store.engine) - before)
    seen = {(e.actor, e.action, e.target_id) for e in entries}
    assert ("member", "person.read", person_id) in seen
    assert ("outsider", "person.read.denied", person_id) in seen
    assert audit.verify(world.store.engine, world.store.settings.secret_key).ok


def test_statistics_scope(world: World) -> None:
    _report(world)
    assert statistics(world.book("member").context).cases == 1
    assert statistics(world.book("outsider").context).cases == 0
    # an admin of the organisation gets the aggregate (suppressed), not the case
    assert statistics(world.book("admin").context).cases == 1
    with pytest.raises(NotFound):
        statistics(world.book("outsider").context, case_ids=[world.case])
