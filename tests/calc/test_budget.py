"""Budget by type and budget adjustments (domain-research §3.2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from protiv.calc import Budget, TaskBudget, budget_error, calculate, validate_budget
from protiv.domain.bonus import AdjustmentType, BudgetType
from protiv.domain.errors import ValidationFailed

from .builders import D, amount_budget, calc, hours_budget, member, work

CREW = (member(1, 20), member(2, 40))


def test_hours_budget_is_priced_at_the_hours_weighted_blended_wage():
    """10 h at $20 and 30 h at $40: blended (200 + 1200) / 40 = $35; 50 h budget = $1,750."""
    result = calculate(calc(hours_budget(50), CREW, (work(1, 10), work(2, 30))))
    assert result.blended_wage == D("35.00")
    assert result.budget_hours == D(50)
    assert result.budget_amount == D("1750.00")
    assert result.actual_cost == D("1400.00")
    assert result.saved == D("350.00")


def test_hours_budget_without_time_is_worth_nothing_and_says_so():
    result = calculate(calc(hours_budget(50), CREW, ()))
    assert (result.blended_wage, result.budget_amount, result.worker_pool) == (D(0), D(0), D(0))
    assert any("No counted time yet" in note for note in result.notes)


def test_amount_budget_does_not_depend_on_wages():
    result = calculate(calc(amount_budget("999.99"), CREW, (work(2, 10),)))
    assert result.budget_amount == D("999.99")
    assert result.budget_hours is None
    assert result.saved == D("599.99")


def test_contract_price_and_rate_round_to_the_cent():
    contract = Budget(BudgetType.CONTRACT_PRICE, contract_price=D("1000.05"), labor_pct=D(30))
    rate = Budget(BudgetType.RATE, rate=D("0.333"), quantity=D(100))
    assert calculate(calc(contract, CREW, ())).budget_amount == D("300.02")
    assert calculate(calc(rate, CREW, ())).budget_amount == D("33.30")


def test_task_hours_over_budget_task_offsets_the_others():
    """mow 10 h budget / 6 h used (+4 h); trim 5 h / 7 h (-2 h); net +2 h x $20 = $40."""
    budget = Budget(
        BudgetType.TASK_HOURS, tasks=(TaskBudget("mow", D(10)), TaskBudget("trim", D(5)))
    )
    crew = (member(1, 20),)
    entries = (work(1, 6, task="mow"), work(1, 7, task="trim"))
    result = calculate(calc(budget, crew, entries))
    assert result.budget_hours == D(15)
    assert result.budget_amount == D("300.00")
    assert result.saved == D("40.00")
    by_task = {t.task: t.saved for t in result.tasks}
    assert by_task == {"mow": D("80.00"), "trim": D("-40.00")}


def test_task_amount_sums_the_tasks():
    budget = Budget(
        BudgetType.TASK_AMOUNT,
        tasks=(TaskBudget("mow", amount=D(200)), TaskBudget("trim", amount=D(100))),
    )
    entries = (work(1, 5, task="mow"), work(1, 8, task="trim"))
    result = calculate(calc(budget, (member(1, 20),), entries))
    assert (result.budget_amount, result.actual_cost, result.saved) == (D(300), D(260), D(40))
    assert [(t.task, t.actual_cost) for t in result.tasks] == [("mow", D(100)), ("trim", D(160))]


def test_time_on_no_budgeted_task_counts_as_cost_with_no_budget():
    budget = Budget(BudgetType.TASK_AMOUNT, tasks=(TaskBudget("mow", amount=D(200)),))
    entries = (work(1, 5, task="mow"), work(1, 1, task="weed"), work(1, 1))
    result = calculate(calc(budget, (member(1, 20),), entries))
    assert result.actual_cost == D("140.00")
    assert result.saved == D("60.00")
    unbudgeted = result.tasks[-1]
    assert (unbudgeted.task, unbudgeted.actual_hours, unbudgeted.saved) == (None, D(2), D(-40))
    assert any("no budgeted task" in note for note in result.notes)


@pytest.mark.parametrize(
    ("adjustment", "value", "expected"),
    [
        (AdjustmentType.NONE, None, "1000.00"),
        (AdjustmentType.NONE, D(5), "1000.00"),  # "none" restores the original budget
        (AdjustmentType.PERCENT_INCREASE, D(10), "1100.00"),
        (AdjustmentType.PERCENT_DECREASE, D("12.5"), "875.00"),
        (AdjustmentType.MULTIPLY, D("1.5"), "1500.00"),
        (AdjustmentType.MANUAL_AMOUNT, D("1234.56"), "1234.56"),
        (AdjustmentType.MANUAL_HOURS, D(60), "1200.00"),  # 60 h x $20 blended
    ],
)
def test_adjustments_apply_to_the_base_budget(adjustment, value, expected):
    budget = Budget(
        BudgetType.AMOUNT, amount=D(1000), adjustment=adjustment, adjustment_value=value
    )
    result = calculate(calc(budget, (member(1, 20),), (work(1, 10),)))
    assert result.base_budget_amount == D("1000.00")
    assert result.budget_amount == D(expected)


def test_hours_adjustment_scales_budget_hours_and_manual_amount_drops_them():
    raised = Budget(
        BudgetType.HOURS,
        hours=D(40),
        adjustment=AdjustmentType.PERCENT_INCREASE,
        adjustment_value=D(10),
    )
    fixed = Budget(
        BudgetType.HOURS,
        hours=D(40),
        adjustment=AdjustmentType.MANUAL_AMOUNT,
        adjustment_value=D(500),
    )
    entries = (work(1, 10),)
    up = calculate(calc(raised, (member(1, 20),), entries))
    assert (up.budget_hours, up.budget_amount) == (D(44), D("880.00"))
    manual = calculate(calc(fixed, (member(1, 20),), entries))
    assert (manual.budget_hours, manual.budget_amount) == (None, D("500.00"))


def test_a_valid_budget_has_no_error():
    assert budget_error(hours_budget(40)) is None
    validate_budget(amount_budget(1))


@pytest.mark.parametrize(
    ("budget", "message", "field"),
    [
        (Budget(BudgetType.HOURS), "budget hours is required", ["budget", "hours"]),
        (Budget(BudgetType.AMOUNT, amount=D(0)), "greater than 0", ["budget", "amount"]),
        (
            Budget(BudgetType.CONTRACT_PRICE, contract_price=D(100)),
            "labour % is required",
            ["budget", "labor_pct"],
        ),
        (
            Budget(BudgetType.CONTRACT_PRICE, contract_price=D(100), labor_pct=D(101)),
            "at most 100",
            ["budget", "labor_pct"],
        ),
        (Budget(BudgetType.RATE, rate=D(2)), "quantity is required", ["budget", "quantity"]),
        (Budget(BudgetType.TASK_HOURS), "at least one task", ["budget", "tasks"]),
        (
            Budget(BudgetType.TASK_HOURS, tasks=(TaskBudget("mow", amount=D(5)),)),
            "'mow' budget hours is required",
            ["budget", "tasks", "0", "hours"],
        ),
        (
            Budget(
                BudgetType.TASK_AMOUNT,
                tasks=(TaskBudget("a", amount=D(1)), TaskBudget("a", amount=D(1))),
            ),
            "listed twice",
            ["budget", "tasks", "1", "task"],
        ),
        (
            Budget(BudgetType.TASK_AMOUNT, tasks=(TaskBudget("a", amount=D(0)),)),
            "task budgets total 0",
            ["budget", "tasks"],
        ),
        (
            Budget(BudgetType.AMOUNT, amount=D(1), adjustment=AdjustmentType.MULTIPLY),
            "value is required",
            ["budget", "adjustment_value"],
        ),
        (
            Budget(
                BudgetType.AMOUNT,
                amount=D(1),
                adjustment=AdjustmentType.PERCENT_DECREASE,
                adjustment_value=D(100),
            ),
            "below 100",
            ["budget", "adjustment_value"],
        ),
        (
            Budget(
                BudgetType.AMOUNT,
                amount=D(1),
                adjustment=AdjustmentType.MANUAL_HOURS,
                adjustment_value=D(0),
            ),
            "greater than 0",
            ["budget", "adjustment_value"],
        ),
        (
            Budget(BudgetType.AMOUNT, amount=1.5),  # type: ignore[arg-type]
            "must be a Decimal, not float",
            ["budget", "amount"],
        ),
        (Budget(BudgetType.AMOUNT, amount=Decimal("NaN")), "finite", ["budget", "amount"]),
    ],
)
def test_an_unusable_budget_is_refused_with_its_field(budget, message, field):
    error = budget_error(budget)
    assert error is not None
    assert message in error
    with pytest.raises(ValidationFailed) as refused:
        validate_budget(budget)
    assert refused.value.field == field
    with pytest.raises(ValidationFailed):
        calculate(calc(budget, CREW, ()))
