"""Refusing bad input before any maths, with a message a manager can act on.

Every refusal is a ``ValidationFailed`` (code VALIDATION) naming the input field at fault, as
snake_case attribute names of the input dataclasses (``["budget", "hours"]``,
``["entries", "3", "hours"]``). ``budget_error`` is the "budget valid" approval guard.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from protiv.calc.inputs import (
    Budget,
    CalcInput,
    CrewMember,
    Penalty,
    Pool,
    TaskBudget,
    TimeEntry,
)
from protiv.calc.text import num
from protiv.domain.bonus import AdjustmentType, BudgetType
from protiv.domain.errors import ValidationFailed
from protiv.domain.money import HUNDRED, ZERO, cents

Problem = tuple[str, list[str]]

_REQUIRED: dict[BudgetType, tuple[str, ...]] = {
    BudgetType.HOURS: ("hours",),
    BudgetType.AMOUNT: ("amount",),
    BudgetType.CONTRACT_PRICE: ("contract_price", "labor_pct"),
    BudgetType.RATE: ("rate", "quantity"),
    BudgetType.TASK_HOURS: (),
    BudgetType.TASK_AMOUNT: (),
}

_LABELS = {
    "hours": "budget hours",
    "amount": "budget amount",
    "contract_price": "contract price",
    "labor_pct": "labour %",
    "rate": "rate",
    "quantity": "quantity",
}


def number_problem(value: object, label: str) -> str | None:
    """Why ``value`` is not a usable number, or None.

    Only ``Decimal`` is accepted: a float is already inexact, and refusing ints too keeps every
    figure in the maths the same type (the service reads Decimals from the database anyway).
    """
    if not isinstance(value, Decimal):
        return f"{label} must be a Decimal, not {type(value).__name__}"
    if not value.is_finite():
        return f"{label} must be a finite number, not {value}"
    return None


def _positive(value: object, label: str, field: list[str]) -> Problem | None:
    """A required figure that must be above zero (zero means the budget is missing)."""
    if value is None:
        return f"{label} is required", field
    problem = number_problem(value, label)
    if problem:
        return problem, field
    assert isinstance(value, Decimal)
    if value <= 0:
        return f"{label} must be greater than 0, not {value}", field
    return None


def _not_negative(value: object, label: str, field: list[str]) -> Problem | None:
    problem = number_problem(value, label)
    if problem:
        return problem, field
    assert isinstance(value, Decimal)
    if value < 0:
        return f"{label} must not be negative, not {value}", field
    return None


def _first(problems: Iterable[Problem | None]) -> Problem | None:
    return next((problem for problem in problems if problem is not None), None)


def _task_problem(tasks: tuple[TaskBudget, ...], by_hours: bool) -> Problem | None:
    """Tasks need unique names and each the figure of its type; together more than zero."""
    attr = "hours" if by_hours else "amount"
    if not tasks:
        return "a task budget needs at least one task", ["budget", "tasks"]
    seen: set[str] = set()
    total = ZERO
    for index, task in enumerate(tasks):
        field = ["budget", "tasks", str(index)]
        if not task.task:
            return "every task needs a name", [*field, "task"]
        if task.task in seen:
            return f"task {task.task!r} is listed twice", [*field, "task"]
        seen.add(task.task)
        value = getattr(task, attr)
        label = f"task {task.task!r} budget {attr}"
        if value is None:
            return f"{label} is required", [*field, attr]
        problem = _not_negative(value, label, [*field, attr])
        if problem:
            return problem
        total += value
    if total <= 0:
        return f"the task budgets total {num(total)} {attr}; it must be more", ["budget", "tasks"]
    return None


def _adjustment_problem(budget: Budget) -> Problem | None:
    """An adjustment needs a value that leaves a positive budget."""
    kind, value = budget.adjustment, budget.adjustment_value
    if kind is AdjustmentType.NONE:
        return None
    field = ["budget", "adjustment_value"]
    label = f"the {kind.value.lower().replace('_', ' ')} adjustment value"
    if kind not in (AdjustmentType.PERCENT_INCREASE, AdjustmentType.PERCENT_DECREASE):
        return _positive(value, label, field)  # a factor, a manual amount, manual hours
    if value is None:
        return f"{label} is required", field
    problem = _not_negative(value, label, field)
    if problem is None and kind is AdjustmentType.PERCENT_DECREASE and value >= HUNDRED:
        return f"{label} must be below 100 (it would leave no budget), not {value}", field
    return problem


def budget_problem(budget: Budget) -> Problem | None:
    """The first thing wrong with ``budget`` as (message, field), or None when it is usable."""
    required = (
        _positive(getattr(budget, name), _LABELS[name], ["budget", name])
        for name in _REQUIRED[budget.type]
    )
    problem = _first(required)
    if problem:
        return problem
    share = budget.labor_pct
    if budget.type is BudgetType.CONTRACT_PRICE and share is not None and share > HUNDRED:
        return f"labour % must be at most 100, not {budget.labor_pct}", ["budget", "labor_pct"]
    if budget.type in (BudgetType.TASK_HOURS, BudgetType.TASK_AMOUNT):
        problem = _task_problem(budget.tasks, budget.type is BudgetType.TASK_HOURS)
        if problem:
            return problem
    return _adjustment_problem(budget)


def budget_error(budget: Budget) -> str | None:
    """The approval guard "budget valid": why the budget cannot be used, or None."""
    problem = budget_problem(budget)
    return None if problem is None else problem[0]


def validate_budget(budget: Budget) -> None:
    """Raise ``ValidationFailed`` when the budget lacks a field its type needs, or is unusable."""
    problem = budget_problem(budget)
    if problem:
        raise ValidationFailed(problem[0], field=problem[1])


def _raise(problem: Problem | None) -> None:
    if problem:
        raise ValidationFailed(problem[0], field=problem[1])


def validate_pool(pool: Pool) -> None:
    """Role percents between 0 and 100 and totalling exactly 100; OTHER > 0 needs members."""
    parts = {
        "crew_pct": ("crew", pool.crew_pct),
        "crew_lead_pct": ("crew lead", pool.crew_lead_pct),
        "manager_pct": ("manager", pool.manager_pct),
        "company_pct": ("company", pool.company_pct),
        "other_pct": ("other", pool.other_pct),
        "split_savings_pct": ("split savings", pool.split_savings_pct),
    }
    for name, (label, value) in parts.items():
        _raise(_not_negative(value, f"{label} %", ["pool", name]))
        if value > HUNDRED:
            raise ValidationFailed(
                f"{label} % must be at most 100, not {value}", field=["pool", name]
            )
    roles = [
        (label, value) for name, (label, value) in parts.items() if name != "split_savings_pct"
    ]
    total = sum((value for _, value in roles), ZERO)
    if total != HUNDRED:
        terms = " + ".join(f"{label} {num(Decimal(value))}" for label, value in roles)
        raise ValidationFailed(
            f"pool percentages total {num(total)}, not 100 ({terms})", field=["pool"]
        )
    if pool.other_pct > 0 and not pool.other_member_ids:
        raise ValidationFailed(
            f"other % is {num(pool.other_pct)} but the pool names no other members",
            field=["pool", "other_member_ids"],
        )
    if len(set(pool.other_member_ids)) != len(pool.other_member_ids):
        raise ValidationFailed(
            "an other member is listed twice", field=["pool", "other_member_ids"]
        )


def _validate_member(index: int, member: CrewMember) -> None:
    field = ["crew", str(index)]
    who = f"worker {member.worker_id}"
    _raise(_not_negative(member.wage, f"{who}'s wage", [*field, "wage"]))
    _raise(_not_negative(member.burden_pct, f"{who}'s burden %", [*field, "burden_pct"]))
    amount = member.manual_amount
    if amount is None:
        return
    _raise(_not_negative(amount, f"{who}'s manual amount", [*field, "manual_amount"]))
    if amount != cents(amount):
        raise ValidationFailed(
            f"{who}'s manual amount {amount} is not whole cents", field=[*field, "manual_amount"]
        )


def validate_crew(crew: tuple[CrewMember, ...]) -> set[int]:
    """Unique workers with usable wages; returns their ids."""
    ids: set[int] = set()
    for index, member in enumerate(crew):
        if member.worker_id in ids:
            raise ValidationFailed(
                f"worker {member.worker_id} is on the crew twice", field=["crew", str(index)]
            )
        ids.add(member.worker_id)
        _validate_member(index, member)
    return ids


def _entry_problem(index: int, entry: TimeEntry, crew_ids: set[int]) -> Problem | None:
    field = ["entries", str(index)]
    if entry.worker_id not in crew_ids:
        return (
            f"time entry {index} is for worker {entry.worker_id}, who is not on the crew",
            [*field, "worker_id"],
        )
    problem = _not_negative(entry.hours, f"time entry {index} hours", [*field, "hours"])
    if problem:
        return problem
    problem = _not_negative(
        entry.overtime_hours, f"time entry {index} overtime hours", [*field, "overtime_hours"]
    )
    if problem:
        return problem
    if entry.overtime_hours > entry.hours:
        return (
            f"time entry {index} has {entry.overtime_hours} overtime hours of {entry.hours} hours",
            [*field, "overtime_hours"],
        )
    return None


def _entry_ok(entry: TimeEntry, crew_ids: set[int]) -> bool:
    """The common case in one expression: a crew member's finite 0 <= overtime <= hours."""
    hours, overtime = entry.hours, entry.overtime_hours
    return (
        entry.worker_id in crew_ids
        and type(hours) is Decimal
        and type(overtime) is Decimal
        and hours.is_finite()
        and overtime.is_finite()
        and ZERO <= overtime <= hours
    )


def validate_entries(entries: tuple[TimeEntry, ...], crew_ids: set[int]) -> None:
    """Every entry belongs to the crew, with hours >= overtime hours >= 0.

    A fast check runs over every entry (ProPays carry thousands); the detailed one only
    explains the entry that failed it.
    """
    for index, entry in enumerate(entries):
        if not _entry_ok(entry, crew_ids):
            _raise(_entry_problem(index, entry, crew_ids))


def validate_input(calc: CalcInput) -> None:
    """Refuse an input the maths cannot give a trustworthy answer for."""
    validate_budget(calc.budget)
    validate_pool(calc.pool)
    validate_entries(calc.entries, validate_crew(calc.crew))
    validate_settlement(calc.crew_lead_weight, calc.penalties)


def validate_settlement(crew_lead_weight: Decimal, penalties: Iterable[Penalty]) -> None:
    """The knobs of the split itself: a positive lead weight, penalties of zero or more."""
    _raise(_positive(crew_lead_weight, "crew lead weight", ["crew_lead_weight"]))
    for index, penalty in enumerate(penalties):
        label = f"penalty {penalty.name!r} amount"
        _raise(_not_negative(penalty.amount, label, ["penalties", str(index), "amount"]))
