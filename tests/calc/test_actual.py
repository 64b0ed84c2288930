"""Actual labour cost: burden, drive time, overtime exclusion, remove bonus (domain-research §3.3)."""

from __future__ import annotations

from decimal import ROUND_DOWN, localcontext

from protiv.calc import calculate
from protiv.domain.bonus import Bucket

from .builders import D, amount_budget, amounts, calc, drive, hours_budget, member, work


def test_cost_is_hours_times_each_workers_own_wage():
    result = calculate(
        calc(
            amount_budget(1000), (member(1, 20), member(2, "17.33")), (work(1, 3), work(2, "0.25"))
        )
    )
    assert result.actual_hours == D("3.25")
    assert result.actual_cost == D("64.33")  # 60 + 4.3325, rounded once, at the total


def test_burden_raises_cost_only_when_the_propay_uses_it():
    crew = (member(1, 20, burden_pct=D(25)),)
    plain = calculate(calc(amount_budget(1000), crew, (work(1, 10),)))
    burdened = calculate(calc(amount_budget(1000), crew, (work(1, 10),), use_burden=True))
    assert plain.actual_cost == D("200.00")
    assert burdened.actual_cost == D("250.00")
    assert burdened.blended_wage == D("25.00")


def test_burdened_hours_budget_prices_both_sides_with_the_burdened_wage():
    crew = (member(1, 20, burden_pct=D(50)),)
    result = calculate(calc(hours_budget(10), crew, (work(1, 8),), use_burden=True))
    assert (result.budget_amount, result.actual_cost, result.saved) == (D(300), D(240), D(60))


def test_drive_time_is_left_out_by_default():
    entries = (work(1, 10), drive(1, 2), work(2, 10))
    result = calculate(calc(amount_budget(1000), (member(1, 20), member(2, 20)), entries))
    assert result.actual_hours == D(20)
    assert result.actual_cost == D("400.00")
    assert amounts(result.bucket(Bucket.CREW).shares) == {1: D(300), 2: D(300)}
    assert "2.00 h of drive time left out of actual cost." in result.notes


def test_included_drive_time_costs_and_counts_as_hours():
    entries = (work(1, 10), drive(1, 2), work(2, 10))
    result = calculate(
        calc(amount_budget(1000), (member(1, 20), member(2, 20)), entries, include_drive_time=True)
    )
    assert result.actual_hours == D(22)
    assert result.actual_cost == D("440.00")
    assert amounts(result.bucket(Bucket.CREW).shares) == {1: D("305.45"), 2: D("254.55")}


def test_overtime_hours_cost_straight_time_unless_excluded():
    """No premium is ever added; exclusion removes the overtime hours' whole cost."""
    entries = (work(1, 50, overtime_hours=D(10)), work(2, 40))
    crew = (member(1, 20), member(2, 20))
    normal = calculate(calc(amount_budget(2000), crew, entries))
    excluded = calculate(calc(amount_budget(2000), crew, entries, exclude_overtime_cost=True))
    assert normal.actual_cost == D("1800.00")
    assert excluded.actual_cost == D("1600.00")
    # the overtime hours were still worked: they count as hours and weigh in the split
    assert excluded.actual_hours == D(90)
    assert amounts(excluded.bucket(Bucket.CREW).shares) == {1: D("222.22"), 2: D("177.78")}
    assert any("Overtime cost left out: 10.00 h worth $200.00" in n for n in excluded.notes)


def test_remove_bonus_worker_adds_cost_and_takes_no_share():
    crew = (member(1, 20), member(2, 20, remove_bonus=True))
    result = calculate(calc(amount_budget(1000), crew, (work(1, 10), work(2, 10))))
    assert result.actual_cost == D("400.00")
    assert amounts(result.bucket(Bucket.CREW).shares) == {1: D("600.00")}
    assert "Worker 2 has remove bonus: 10.00 h count as cost, no share." in result.notes


def test_the_callers_decimal_context_does_not_change_the_cents():
    inputs = calc(
        hours_budget("41.7"),
        (member(1, "17.33"), member(2, "23.71")),
        (work(1, "13.25"), work(2, "19.5")),
    )
    with localcontext() as ambient:
        ambient.prec = 4
        ambient.rounding = ROUND_DOWN
        squeezed = calculate(inputs)
    assert squeezed == calculate(inputs)
    # 41.7 h x (13.25 x 17.33 + 19.5 x 23.71) / 32.75 = 41.7 x 21.1288... = 881.07
    assert squeezed.budget_amount == D("881.07")
