"""The status workflow, change by change: what a caseworker may record next."""

from __future__ import annotations

import itertools

import pytest

from tocsin.cases.workflow import (
    INITIAL,
    InvalidTransition,
    Status,
    allowed,
    check_initial,
    check_transition,
    parse,
)
from tocsin.errors import InputError

S = Status
# The workflow as docs/cases.md states it, written out independently of the code's table.
EXPECTED = {
    S.REPORTED: {S.LOCATED, S.RESCUED, S.DECEASED, S.WITHDRAWN},
    S.LOCATED: {S.RESCUED, S.DECLINED_ASSISTANCE, S.LOST_CONTACT, S.DECEASED, S.WITHDRAWN},
    S.RESCUED: {S.IN_SHELTER, S.REPATRIATED, S.DECLINED_ASSISTANCE, S.LOST_CONTACT, S.DECEASED},
    S.IN_SHELTER: {S.REPATRIATED, S.DECLINED_ASSISTANCE, S.LOST_CONTACT, S.DECEASED},
    S.DECLINED_ASSISTANCE: {S.IN_SHELTER, S.REPATRIATED, S.LOST_CONTACT},
    S.LOST_CONTACT: {S.LOCATED, S.RESCUED, S.DECEASED},
    S.REPATRIATED: set(),
    S.DECEASED: set(),
    S.WITHDRAWN: {S.REPORTED},
}


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("new", list(Status))
def test_every_change(current: Status, new: Status) -> None:
    if new in EXPECTED[current]:
        check_transition(current, new)
    else:
        with pytest.raises(InvalidTransition) as err:
            check_transition(current, new)
        message = str(err.value)
        assert current.value in message and new.value in message
        for option in EXPECTED[current]:  # the message says what is allowed instead
            assert option.value in message
        assert err.value.http_status == 409


def test_main_path_is_walkable() -> None:
    path = [S.REPORTED, S.LOCATED, S.RESCUED, S.IN_SHELTER, S.REPATRIATED]
    for a, b in itertools.pairwise(path):
        check_transition(a, b)
    assert allowed(S.REPATRIATED) == []


def test_no_skipping_to_repatriated_from_a_report() -> None:
    with pytest.raises(InvalidTransition, match="reported cannot become repatriated"):
        check_transition(S.REPORTED, S.REPATRIATED)


def test_final_statuses_say_so() -> None:
    with pytest.raises(InvalidTransition, match="final status"):
        check_transition(S.DECEASED, S.LOCATED)


def test_initial_statuses() -> None:
    assert {S.REPORTED, S.LOCATED, S.RESCUED, S.IN_SHELTER} == INITIAL
    for status in Status:
        if status in INITIAL:
            check_initial(status)
        else:
            with pytest.raises(InvalidTransition):
                check_initial(status)


@pytest.mark.parametrize("text", ["in shelter", "IN-SHELTER", " in_shelter "])
def test_parse_is_forgiving_about_spelling(text: str) -> None:
    assert parse(text) is S.IN_SHELTER


def test_parse_names_the_choices() -> None:
    with pytest.raises(InputError, match=r"unknown status 'found'.*repatriated"):
        parse("found")
