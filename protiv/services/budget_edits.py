"""Edits of an ACTIVE ProPay's labour budget: its type, values and task budgets, and the
budget adjustment (domain-research §3.2). Each is one ``editing.edit``: LOCKED unless ACTIVE,
VALIDATION on the input's field before anything is written, one version and one "edit" event
when something changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import selectinload

from protiv import calc
from protiv.calc.validation import budget_problem
from protiv.domain.bonus import AdjustmentType, BudgetType
from protiv.domain.errors import ValidationFailed
from protiv.domain.roles import Actor
from protiv.persistence.models import ProPay, ProPayTaskBudget
from protiv.services.context import ServiceContext
from protiv.services.editing import Changes, Edited, camel, edit, flush, refuse, show
from protiv.services.uow import UnitOfWork

VALUES = ("hours", "amount", "contract_price", "labor_pct", "rate", "quantity")
USES: dict[BudgetType, tuple[str, ...]] = {
    BudgetType.HOURS: ("hours",),
    BudgetType.AMOUNT: ("amount",),
    BudgetType.CONTRACT_PRICE: ("contract_price", "labor_pct"),
    BudgetType.RATE: ("rate", "quantity"),
    BudgetType.TASK_HOURS: (),
    BudgetType.TASK_AMOUNT: (),
}
TASK_FIGURE = {BudgetType.TASK_HOURS: "hours", BudgetType.TASK_AMOUNT: "amount"}
COLUMNS = {
    "budget_type": "budget.type",
    "budget_hours": "budget.hours",
    "budget_amount": "budget.amount",
    "contract_price": "budget.contractPrice",
    "labor_pct": "budget.laborPct",
    "rate": "budget.rate",
    "quantity": "budget.quantity",
    "adjustment_type": "budget.adjustmentType",
    "adjustment_value": "budget.adjustmentValue",
}


@dataclass(frozen=True, slots=True)
class TaskBudgetInput:
    task: str
    hours: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BudgetInput:
    """A whole budget: its type and exactly the values that type uses (domain-research §3.2)."""

    type: BudgetType
    hours: Decimal | None = None
    amount: Decimal | None = None
    contract_price: Decimal | None = None
    labor_pct: Decimal | None = None
    rate: Decimal | None = None
    quantity: Decimal | None = None
    tasks: tuple[TaskBudgetInput, ...] = ()


def check_budget(budget: BudgetInput) -> calc.Budget:
    """Refuse values the type does not use (they would be silently ignored), then let the
    calculation's own rules judge the budget."""
    kind = budget.type
    for name in VALUES:
        if getattr(budget, name) is not None and name not in USES[kind]:
            raise ValidationFailed(
                f"A {kind.value} budget does not use {camel(name)}: leave it out.",
                field=[camel(name)],
            )
    figure = TASK_FIGURE.get(kind)
    if budget.tasks and figure is None:
        raise ValidationFailed(
            f"Only TASK_HOURS and TASK_AMOUNT budgets have tasks, not {kind.value}.",
            field=["tasks"],
        )
    for index, task in enumerate(budget.tasks):
        unused = "amount" if figure == "hours" else "hours"
        if getattr(task, unused) is not None:
            raise ValidationFailed(
                f"A {kind.value} task budget is in {figure}: leave the task's {unused} out.",
                field=["tasks", str(index), unused],
            )
    tasks = tuple(calc.TaskBudget(t.task.strip(), t.hours, t.amount) for t in budget.tasks)
    values = {name: getattr(budget, name) for name in VALUES}
    candidate = calc.Budget(type=kind, tasks=tasks, **values)
    try:
        calc.validate_budget(candidate)
    except ValidationFailed as error:
        refuse(error, "budget")
    return candidate


async def update_budget(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    budget: BudgetInput,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    """Replace the budget: type, values and task budgets (the adjustment is kept)."""
    checked = check_budget(budget)

    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        values = {"budget_type": checked.type, "budget_hours": checked.hours}
        values |= {"budget_amount": checked.amount, "contract_price": checked.contract_price}
        values |= {"labor_pct": checked.labor_pct, "rate": checked.rate}
        changes.set(pro_pay, values | {"quantity": checked.quantity}, COLUMNS)
        await _replace_tasks(uow, pro_pay, checked.tasks, changes)

    load = [selectinload(ProPay.task_budgets)]
    return await edit(
        ctx, actor, pro_pay_id, change, expected_version=expected_version, reason=reason, load=load
    )


def _task_text(tasks: Sequence[ProPayTaskBudget | calc.TaskBudget]) -> str:
    parts = [
        f"{t.task} {show(t.hours)} h" if t.hours is not None else f"{t.task} ${show(t.amount)}"
        for t in tasks
    ]
    return "[" + ", ".join(parts) + "]"


async def _replace_tasks(
    uow: UnitOfWork, pro_pay: ProPay, tasks: Sequence[calc.TaskBudget], changes: Changes
) -> None:
    old = [(t.task, t.hours, t.amount) for t in pro_pay.task_budgets]
    if old == [(t.task, t.hours, t.amount) for t in tasks]:
        return
    before = _task_text(pro_pay.task_budgets)
    pro_pay.task_budgets.clear()
    await flush(uow)  # the old rows go before new ones may reuse their task names
    pro_pay.task_budgets.extend(
        ProPayTaskBudget(task=t.task, hours=t.hours, amount=t.amount) for t in tasks
    )
    changes.add(f"budget.tasks {before} → {_task_text(tasks)}")


async def update_adjustment(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    kind: AdjustmentType,
    value: Decimal | None,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    """Set the budget adjustment (+%, −%, ×k, manual $ or hours); NONE restores the budget."""
    if kind is AdjustmentType.NONE and value is not None:
        raise ValidationFailed("A NONE adjustment takes no value: leave it out.", field=["value"])
    probe = calc.Budget(
        BudgetType.AMOUNT, amount=Decimal(1), adjustment=kind, adjustment_value=value
    )
    problem = budget_problem(probe)  # the adjustment alone: the base budget is a stand-in
    if problem:
        raise ValidationFailed(problem[0][0].upper() + problem[0][1:] + ".", field=["value"])

    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        values = {"adjustment_type": kind, "adjustment_value": value}
        changes.set(pro_pay, values, COLUMNS)

    return await edit(
        ctx, actor, pro_pay_id, change, expected_version=expected_version, reason=reason
    )
