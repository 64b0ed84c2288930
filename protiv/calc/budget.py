"""The labour budget in dollars, by budget type, then adjusted (domain-research §3.2).

Hours budgets are priced at the blended wage of the actual crew (domain-research §5.2), so the
budget of an hours ProPay moves with who did the work, and is $0 until somebody logs time.
Task budgets are summed: a task over budget offsets the others simply because the savings are
Σ budget - Σ actual. Adjustments apply to the summed base budget, never to single tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from protiv.calc.actual import Actuals, TaskTime
from protiv.calc.inputs import Budget
from protiv.calc.results import TaskResult
from protiv.calc.text import MINUS, TIMES, hrs, num, pct, usd
from protiv.domain.bonus import AdjustmentType, BudgetType
from protiv.domain.money import HUNDRED, ZERO, cents

ONE = Decimal(1)
HOURS_TYPES = (BudgetType.HOURS, BudgetType.TASK_HOURS)
TASK_TYPES = (BudgetType.TASK_HOURS, BudgetType.TASK_AMOUNT)


@dataclass(frozen=True, slots=True)
class BudgetFigures:
    """Base and adjusted budget; ``hours`` is None for budgets that are dollars only."""

    base_amount: Decimal
    amount: Decimal
    hours: Decimal | None
    tasks: tuple[TaskResult, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Base:
    amount: Decimal  # not yet rounded
    hours: Decimal | None
    how: str


def _base(budget: Budget, blended: Decimal) -> _Base:
    """The budget before adjustment, with a one-line account of where it comes from."""
    kind = budget.type
    if kind in HOURS_TYPES:
        hours = _task_total(budget, "hours") if kind in TASK_TYPES else _req(budget.hours)
        amount = hours * blended
        how = f"{hrs(hours)} {TIMES} {usd(blended)} blended wage = {usd(amount)}"
        return _Base(amount, hours, how)
    if kind is BudgetType.AMOUNT:
        amount = _req(budget.amount)
        return _Base(amount, None, f"{usd(amount)} labour budget")
    if kind is BudgetType.CONTRACT_PRICE:
        price, share = _req(budget.contract_price), _req(budget.labor_pct)
        amount = price * share / HUNDRED
        return _Base(
            amount, None, f"{usd(price)} contract price {TIMES} {pct(share)} labour = {usd(amount)}"
        )
    if kind is BudgetType.RATE:
        rate, quantity = _req(budget.rate), _req(budget.quantity)
        amount = rate * quantity
        return _Base(amount, None, f"{usd(rate)} rate {TIMES} {num(quantity)} = {usd(amount)}")
    amount = _task_total(budget, "amount")
    return _Base(amount, None, f"{len(budget.tasks)} task budgets = {usd(amount)}")


def _req(value: Decimal | None) -> Decimal:
    """A field validation has already required; the check keeps mypy and readers honest."""
    if value is None:
        raise AssertionError("validated budget field is missing")
    return value


def _task_total(budget: Budget, attr: str) -> Decimal:
    return sum((_req(getattr(task, attr)) for task in budget.tasks), ZERO)


def _adjust(budget: Budget, base: _Base, blended: Decimal) -> tuple[Decimal, Decimal | None, str]:
    """Apply the budget adjustment: a factor for ±% and *k, a replacement for manual ones."""
    kind, value = budget.adjustment, budget.adjustment_value
    if kind is AdjustmentType.NONE or value is None:
        return base.amount, base.hours, ""
    if kind is AdjustmentType.MANUAL_AMOUNT:
        return value, None, f"manual budget amount {usd(value)}"
    if kind is AdjustmentType.MANUAL_HOURS:
        amount = value * blended
        return (
            amount,
            value,
            f"manual budget {hrs(value)} {TIMES} {usd(blended)} blended wage = {usd(amount)}",
        )
    factor, label = _factor(kind, value)
    hours = None if base.hours is None else base.hours * factor
    amount = base.amount * factor
    return amount, hours, f"adjusted {label}: {usd(base.amount)} → {usd(amount)}"


def _factor(kind: AdjustmentType, value: Decimal) -> tuple[Decimal, str]:
    if kind is AdjustmentType.PERCENT_INCREASE:
        return ONE + value / HUNDRED, f"+{pct(value)}"
    if kind is AdjustmentType.PERCENT_DECREASE:
        return ONE - value / HUNDRED, f"{MINUS}{pct(value)}"
    return value, f"{TIMES}{num(value)}"


def _task_results(
    budget: Budget, times: tuple[TaskTime, ...], blended: Decimal
) -> tuple[TaskResult, ...]:
    """Per-task figures; saved per task = its budget $ - its actual $ (they sum to the total)."""
    by_hours = budget.type is BudgetType.TASK_HOURS
    plan = {task.task: task for task in budget.tasks}
    results: list[TaskResult] = []
    for time in times:
        task = plan.get(time.task) if time.task is not None else None
        if task is None and not time.hours:
            continue
        budget_hours = (task.hours if task else ZERO) if by_hours else None
        if by_hours:
            amount = cents(_req(budget_hours) * blended)
        else:
            amount = cents(_req(task.amount)) if task else ZERO
        cost = cents(time.cost)
        results.append(TaskResult(time.task, budget_hours, amount, time.hours, cost, amount - cost))
    return tuple(results)


def price(budget: Budget, actuals: Actuals, task_times: tuple[TaskTime, ...] = ()) -> BudgetFigures:
    """The budget in dollars (to the cent), explained in notes."""
    blended = actuals.blended_wage
    base = _base(budget, blended)
    amount, hours, adjusted = _adjust(budget, base, blended)
    notes = [f"Budget: {base.how}."]
    if adjusted:
        notes.append(f"Budget {adjusted}.")
    hours_based = budget.type in HOURS_TYPES or budget.adjustment is AdjustmentType.MANUAL_HOURS
    if hours_based and not actuals.hours:
        notes.append(
            "No counted time yet: the blended wage is $0.00, so the hours budget is worth $0.00."
        )
    tasks = _task_results(budget, task_times, blended) if budget.type in TASK_TYPES else ()
    unbudgeted = next((t for t in tasks if t.task is None), None)
    if unbudgeted is not None:
        notes.append(
            f"{hrs(unbudgeted.actual_hours)} on no budgeted task count as cost ({usd(unbudgeted.actual_cost)}) with no budget."
        )
    return BudgetFigures(cents(base.amount), cents(amount), hours, tasks, tuple(notes))
