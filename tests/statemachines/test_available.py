"""``available()`` agrees with ``fire()`` for every status, role and kind of record, and never
changes the record. Missing caller input (reason, pay date, release date, error) does not make a
trigger unavailable; the role, the status and the record's own state do."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from protiv.domain.errors import TransitionRefused
from protiv.domain.roles import Role
from protiv.domain.statuses import LineItemStatus as L
from protiv.domain.statuses import ProPayStatus as P
from tests.statemachines.cases import CASE_BY_NAME, CASES, Case
from tests.statemachines.factories import (
    INPUTS,
    NOW,
    Disqualifier,
    Integration,
    Job,
    LineItem,
    ProPay,
    ProPayGroup,
    Statement,
    actor,
    items,
    paid_items,
)

Variant = Callable[[Any], Any]  # status -> record

VARIANTS: dict[str, list[Variant]] = {
    "ProPay": [
        lambda s: ProPay(status=s),
        lambda s: ProPay(status=s, line_items=items(L.HELD, L.PAYABLE)),
        lambda s: ProPay(status=s, line_items=items(L.PAID, L.HELD)),
        lambda s: ProPay(status=s, line_items=paid_items()),
        lambda s: ProPay(status=s, group_id=4, line_items=items(L.HELD)),
        lambda s: ProPay(status=s, disqualifiers=[Disqualifier()]),
    ],
    "ProPayGroup": [
        lambda s: ProPayGroup(status=s),
        lambda s: ProPayGroup(status=s, members=[ProPay(group_id=1, line_items=items(L.HELD))]),
        lambda s: ProPayGroup(status=s, members=[ProPay(disqualifiers=[Disqualifier()])]),
        lambda s: ProPayGroup(status=s, members=[ProPay(line_items=items(L.PAID, L.PAYABLE))]),
        lambda s: ProPayGroup(status=s, members=[ProPay(status=P.PAID, line_items=paid_items())]),
    ],
    "LineItem": [
        lambda s: LineItem(status=s),
        lambda s: LineItem(status=s, release_at=NOW + timedelta(days=90)),
    ],
    "Statement": [
        lambda s: Statement(status=s),
        lambda s: Statement(status=s, line_items=items(L.PAID, L.PAYABLE)),
    ],
    "Job": [lambda s: Job(status=s)],
    "Integration": [lambda s: Integration(status=s, last_error="x")],
}

VIAS: dict[str, list[str | None]] = {
    "ProPay": [None, "group"],
    "LineItem": [None, "statement", "revert_payment", "statement_reopen"],
    "Job": [None, "sync"],
}

STATE_CONTEXTS: dict[str, list[dict[str, Any]]] = {
    "ProPay": [{}, {"budget_error": "no budget hours"}],
    "ProPayGroup": [{}, {"budget_error": "no budget hours"}],
}


def valid_inputs(case: Case, record: Any) -> dict[str, Any]:
    """Caller input that is valid for ``record`` (a release date later than its current one)."""
    inputs = dict(INPUTS[case.name])
    if "release_at" in inputs:
        inputs["release_at"] = (record.release_at or NOW) + timedelta(days=1)
    return inputs


def raised_by(case: Case, record: Any, trigger: Any, **context: Any) -> TransitionRefused | None:
    """What firing on a copy of ``record`` raises (None when it moves)."""
    context.setdefault("actor", actor())
    try:
        case.machine.fire(copy.deepcopy(record), trigger, now=NOW, **context)
    except TransitionRefused as refused:
        return refused
    return None


def fires(case: Case, record: Any, trigger: Any, **context: Any) -> bool:
    return raised_by(case, record, trigger, **context) is None


@pytest.mark.parametrize(
    ("case", "status", "role"),
    [
        pytest.param(case, status, role, id=f"{case.name}-{status.name}-{role.value}")
        for case in CASES
        for status in case.machine.states
        for role in Role
    ],
)
def test_available_matches_fire(case: Case, status, role: Role) -> None:
    who = actor(role)
    for make in VARIANTS[case.name]:
        for via in VIAS.get(case.name, [None]):
            for state in STATE_CONTEXTS.get(case.name, [{}]):
                record = make(status)
                before = copy.deepcopy(record)
                inputs = valid_inputs(case, record)
                expected = [
                    trigger
                    for trigger in case.machine.triggers
                    if fires(case, record, trigger, actor=who, via=via, **state, **inputs)
                ]
                shown = case.machine.available(record, actor=who, now=NOW, via=via, **state)
                assert shown == expected, (record, via, state)
                given = case.machine.available(
                    record, actor=who, now=NOW, via=via, **state, **inputs
                )
                assert given == expected
                assert record == before


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_refusal_gives_the_code_fire_raises(case: Case) -> None:
    for status in case.machine.states:
        for make in VARIANTS[case.name]:
            record = make(status)
            for trigger in case.machine.triggers:
                context = {**valid_inputs(case, record), "via": case.via(trigger)}
                refusal = case.machine.refusal(record, trigger, actor=actor(), now=NOW, **context)
                raised = raised_by(case, record, trigger, **context)
                if raised is None:
                    assert refusal is None
                else:
                    assert refusal is not None
                    assert (refusal.code, refusal.message) == (raised.code, raised.message)


def test_missing_input_does_not_hide_a_trigger_but_a_wrong_one_does() -> None:
    line_items = CASE_BY_NAME["LineItem"].machine
    held = LineItem(release_at=NOW)
    assert "extend" in [t.value for t in line_items.available(held, actor=actor(), now=NOW)]
    earlier = line_items.available(held, actor=actor(), now=NOW, release_at=NOW)
    assert "extend" not in [t.value for t in earlier]
