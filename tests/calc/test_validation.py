"""Input the calculation refuses, and the field each refusal names."""

from __future__ import annotations

import pytest

from protiv.calc import CalcInput, CrewMember, Penalty, Pool, calculate, calculate_group
from protiv.calc.validation import validate_pool
from protiv.domain.bonus import Distribution
from protiv.domain.errors import ErrorCode, ValidationFailed

from .builders import D, amount_budget, calc, member, work

CREW = (member(1, 20), member(2, 20))


def refusal(calc_input: CalcInput) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as refused:
        calculate(calc_input)
    assert refused.value.code is ErrorCode.VALIDATION
    return refused.value


@pytest.mark.parametrize(
    ("pool", "message", "field"),
    [
        (Pool(D(70), D(20), D(5)), "pool percentages total 95, not 100", ["pool"]),
        (Pool(D(100), D(-1), D(1)), "crew lead % must not be negative", ["pool", "crew_lead_pct"]),
        (
            Pool(D(100), D(0), D(0), split_savings_pct=D(120)),
            "at most 100",
            ["pool", "split_savings_pct"],
        ),
        (Pool(D(90), D(0), D(0), D(0), D(10)), "no other members", ["pool", "other_member_ids"]),
        (
            Pool(D(100), D(0), D(0), other_member_ids=(3, 3)),
            "listed twice",
            ["pool", "other_member_ids"],
        ),
    ],
)
def test_a_bad_pool_is_refused(pool, message, field):
    with pytest.raises(ValidationFailed, match=message) as refused:
        validate_pool(pool)
    assert refused.value.field == field
    assert refusal(calc(amount_budget(100), CREW, (), pool=pool)).field == field


def test_pool_message_lists_the_parts():
    with pytest.raises(ValidationFailed) as refused:
        validate_pool(Pool(D(70), D(20), D(5)))
    assert "(crew 70 + crew lead 20 + manager 5 + company 0 + other 0)" in refused.value.message


@pytest.mark.parametrize(
    ("entries", "message", "field"),
    [
        ((work(1, -1),), "time entry 0 hours must not be negative", ["entries", "0", "hours"]),
        (
            (work(1, 2), work(2, 1, overtime_hours=D(2))),
            "time entry 1 has 2 overtime hours of 1 hours",
            ["entries", "1", "overtime_hours"],
        ),
        (
            (work(1, 1, overtime_hours=D(-1)),),
            "must not be negative",
            ["entries", "0", "overtime_hours"],
        ),
        ((work(5, 1),), "worker 5, who is not on the crew", ["entries", "0", "worker_id"]),
    ],
)
def test_bad_time_is_refused(entries, message, field):
    error = refusal(calc(amount_budget(100), CREW, entries))
    assert message in error.message
    assert error.field == field


@pytest.mark.parametrize(
    ("crew", "message", "field"),
    [
        ((member(1), member(1)), "worker 1 is on the crew twice", ["crew", "1"]),
        ((member(1, -5),), "worker 1's wage must not be negative", ["crew", "0", "wage"]),
        (
            (member(1, burden_pct=D(-1)),),
            "burden % must not be negative",
            ["crew", "0", "burden_pct"],
        ),
        ((member(1, manual_amount=D("1.005")),), "not whole cents", ["crew", "0", "manual_amount"]),
        ((member(1, manual_amount=D(-1)),), "must not be negative", ["crew", "0", "manual_amount"]),
        (
            (CrewMember(1, 20.5),),  # type: ignore[arg-type]
            "wage must be a Decimal, not float",
            ["crew", "0", "wage"],
        ),
    ],
)
def test_bad_crew_is_refused(crew, message, field):
    error = refusal(calc(amount_budget(100), crew, ()))
    assert message in error.message
    assert error.field == field


def test_penalties_and_lead_weight_are_checked():
    negative = calc(amount_budget(100), CREW, (), penalties=(Penalty("x", D(-1)),))
    assert refusal(negative).field == ["penalties", "0", "amount"]
    weightless = calc(
        amount_budget(100),
        CREW,
        (),
        distribution=Distribution.CREW_LEAD_WEIGHTED,
        crew_lead_weight=D(0),
    )
    assert refusal(weightless).field == ["crew_lead_weight"]


def test_an_empty_group_is_refused():
    with pytest.raises(ValidationFailed, match="at least one ProPay"):
        calculate_group([], Pool())
