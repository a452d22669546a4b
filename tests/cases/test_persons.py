"""The workflow through the store: each change recorded with who and when, refused changes
leaving nothing behind, operations freeing persons, survivors linked to reports."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cases.world import NAME, World
from tocsin.cases import InvalidTransition, OperationInput, PersonInput, ReportInput
from tocsin.errors import InputError


def _reported(world: World, **person: object) -> str:
    report = world.book("lead").reports.create(
        world.case, ReportInput(person=PersonInput(nationality="VN", **person))
    )
    return report.person


def test_the_main_path_with_its_timeline(world: World) -> None:
    person = _reported(world, name=NAME)
    steps = [
        ("member", "located"),
        ("partner", "rescued"),
        ("member", "in_shelter"),
        ("lead", "repatriated"),
    ]
    for who, status in steps:
        world.book(who).persons.set_status(person, status, note=f"step {status}")
    view = world.book("viewer").persons.get(person)
    assert view.status == "repatriated" and view.allowed_next == []
    assert [(e.actor, e.from_status, e.to_status) for e in view.timeline] == [
        ("lead", None, "reported"),
        ("member", "reported", "located"),
        ("partner", "located", "rescued"),
        ("member", "rescued", "in_shelter"),
        ("lead", "in_shelter", "repatriated"),
    ]
    assert view.timeline[2].note == "step rescued"


def test_a_refused_change_changes_nothing(world: World) -> None:
    person = _reported(world)
    book = world.book("member")
    with pytest.raises(InvalidTransition, match="allowed next: located, rescued"):
        book.persons.set_status(person, "repatriated")
    view = book.persons.get(person)
    assert view.status == "reported" and len(view.timeline) == 1


def test_a_correction_needs_a_reason_and_stays_in_the_timeline(world: World) -> None:
    person = _reported(world)
    lead = world.book("lead")
    lead.persons.set_status(person, "deceased")
    with pytest.raises(InputError, match="reason"):
        lead.persons.set_status(person, "located", correction=True)
    view = lead.persons.set_status(person, "located", correction=True, note="misidentified")
    assert [e.action for e in view.timeline] == ["create", "status", "correct"]
    assert view.status == "located"


def test_an_operation_frees_persons_and_adds_survivors(world: World) -> None:
    held = [_reported(world, compound="zq-compound") for _ in range(2)]
    book = world.book("lead")
    op = book.operations.record(
        world.case,
        OperationInput(
            kind="raid",
            date=date(2025, 2, 14),
            compound="zq-compound",
            agencies=["Synthetic Task Force"],
            freed_total=215,
            nationalities={"TH": 109, "PK": 50, "IN": 48, "TW": 5, "ID": 3},
            persons=held,
            survivors=[PersonInput(nationality="TH")],
        ),
    )
    assert op.freed_total == 215 and op.nationalities["TH"] == 109
    assert len(op.persons) == 3
    for pid in op.persons:
        view = book.persons.get(pid)
        assert view.status == "rescued" and view.operations == [op.id]
        assert view.status_at == datetime(2025, 2, 14, tzinfo=UTC)
    assert book.compounds.get("zq-compound").operations[0]["id"] == op.id


def test_operation_counts_must_add_up(world: World) -> None:
    with pytest.raises(InputError, match="add up to 12, more than the 10"):
        world.book("lead").operations.record(
            world.case,
            OperationInput(
                kind="raid", date=date(2025, 1, 1), freed_total=10, nationalities={"TH": 7, "VN": 5}
            ),
        )


def test_an_operation_cannot_free_a_repatriated_person(world: World) -> None:
    person = _reported(world)
    book = world.book("lead")
    for status in ("rescued", "in_shelter", "repatriated"):
        book.persons.set_status(person, status)
    with pytest.raises(InvalidTransition):
        book.operations.record(
            world.case, OperationInput(kind="raid", date=date(2025, 1, 1), persons=[person])
        )
    assert book.operations.in_case(world.case) == []  # nothing half-written


def test_linking_a_survivor_to_a_report(world: World) -> None:
    book = world.book("lead")
    report = book.reports.create(world.case, ReportInput(person=PersonInput(nationality="VN")))
    survivor = book.persons.add(world.case, PersonInput(nationality="VN"), "rescued")
    view = book.reports.link(report.id, survivor.id)
    assert view.located_person == survivor.id
    subject = book.persons.get(report.person)
    assert subject.status == "rescued"
    assert subject.timeline[-1].note == f"identified as {survivor.id}"
    assert book.persons.get(survivor.id).located_for == [report.id]


def test_editing_records_field_names_not_values(world: World) -> None:
    person = _reported(world)
    view = world.book("member").persons.update(person, {"name": NAME, "birth_year": 1998})
    assert view.name == NAME and view.birth_year == 1998
    assert view.timeline[-1].action == "edit" and view.timeline[-1].fields == ["birth_year", "name"]
    with pytest.raises(InputError, match="cannot change status"):
        world.book("member").persons.update(person, {"status": "rescued"})
