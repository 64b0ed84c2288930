"""The whole status x trigger matrix of every machine: the allowed cells move to the expected
status, every other cell is INVALID_TRANSITION and leaves the record as it was."""

from __future__ import annotations

import copy
import itertools

import pytest

from protiv.domain.errors import ErrorCode, TransitionRefused
from tests.statemachines.cases import CASES, Case
from tests.statemachines.factories import ADMIN, NOW

CELLS = [
    pytest.param(case, status, trigger, id=f"{case.name}-{status.name}-{trigger.value}")
    for case in CASES
    for status, trigger in list(
        itertools.product(case.machine.statuses, case.machine.trigger_members)
    )
]


@pytest.mark.parametrize(("case", "status", "trigger"), CELLS)
def test_transition_matrix(case: Case, status, trigger) -> None:
    record = case.make(status, trigger)
    before = copy.deepcopy(record)
    expected = case.edges.get((status, trigger))
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            case.machine.fire(record, trigger, actor=ADMIN, now=NOW, **case.context(trigger))
        assert refused.value.code is ErrorCode.INVALID_TRANSITION
        assert f"Cannot {trigger.value} " in refused.value.message
        assert status.name in refused.value.message
        assert record == before
    else:
        fired = case.machine.fire(record, trigger, actor=ADMIN, now=NOW, **case.context(trigger))
        assert record.status is expected
        assert (fired.trigger, fired.source, fired.dest) == (trigger.value, status, expected)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_table_matches_the_expected_edges(case: Case) -> None:
    found = {
        (status, trigger): case.machine.destination(status, trigger)
        for status, trigger in case.cells()
        if case.machine.destination(status, trigger) is not None
    }
    assert found == case.edges
    for status in case.machine.states:
        assert case.machine.triggers_from(status) == [
            trigger for trigger in case.machine.triggers if (status, trigger) in case.edges
        ]
