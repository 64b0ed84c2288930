"""Edits of an ACTIVE ProPay's own settings: budget, budget adjustment, distribution, crew lead
and manager, per-worker overrides, cost settings. Each is one ``editing.edit``: LOCKED unless
ACTIVE, VALIDATION (with the input's field path) before anything is written, one version and one
"edit" event when something changed. The preview is computed on read, so it moves at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import selectinload

from protiv import calc
from protiv.calc.validation import budget_problem
from protiv.domain.bonus import AdjustmentType, BudgetType, Distribution
from protiv.domain.errors import ValidationFailed
from protiv.domain.roles import Actor
from protiv.persistence.models import ProPay, ProPayTaskBudget, ProPayWorker
from protiv.services.context import ServiceContext
from protiv.services.editing import (
    KEEP,
    Changes,
    Edited,
    Keep,
    camel,
    company_worker,
    edit,
    finite,
    flush,
    refuse,
    show,
    whole_cents,
)
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
    "distribution": "distribution",
    "crew_lead_weight": "crewLeadWeight",
    "crew_lead_id": "crewLead",
    "manager_id": "manager",
    "use_burden": "useBurden",
    "include_drive_time": "includeDriveTime",
    "exclude_overtime_cost": "excludeOvertimeCost",
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


async def update_distribution(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    distribution: Distribution,
    crew_lead_weight: Decimal | Keep | None = KEEP,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    """How the crew bucket is split; the crew lead's weight for CREW_LEAD_WEIGHTED (None: 1.5)."""
    if isinstance(crew_lead_weight, Decimal):
        finite(crew_lead_weight, "The crew lead weight", ["crewLeadWeight"])
        if crew_lead_weight <= 0:
            raise ValidationFailed(
                "The crew lead weight must be more than 0.", field=["crewLeadWeight"]
            )

    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        values: dict[str, object] = {"distribution": distribution}
        if crew_lead_weight is not KEEP:
            values["crew_lead_weight"] = crew_lead_weight
        changes.set(pro_pay, values, COLUMNS)

    return await edit(
        ctx, actor, pro_pay_id, change, expected_version=expected_version, reason=reason
    )


async def update_leads(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    *,
    crew_lead_id: int | Keep | None = KEEP,
    manager_id: int | Keep | None = KEEP,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    """Who receives the crew lead and manager buckets. None returns to the default: the first
    CREW_LEAD worker who logged time; the job's manager."""

    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        values: dict[str, object] = {}
        for attr, worker_id, field in (
            ("crew_lead_id", crew_lead_id, "crewLeadId"),
            ("manager_id", manager_id, "managerId"),
        ):
            if isinstance(worker_id, int):
                await company_worker(uow, actor, worker_id, [field])
            if worker_id is not KEEP:
                values[attr] = worker_id
        changes.set(pro_pay, values, COLUMNS)

    return await edit(
        ctx, actor, pro_pay_id, change, expected_version=expected_version, reason=reason
    )


@dataclass(frozen=True, slots=True)
class CrewOverride:
    """One worker's overrides on one ProPay; KEEP leaves a value, None clears it."""

    remove_bonus: bool | Keep | None = KEEP
    wage_override: Decimal | Keep | None = KEEP
    manual_amount: Decimal | Keep | None = KEEP

    def check(self) -> None:
        if isinstance(self.wage_override, Decimal):
            finite(self.wage_override, "The wage override", ["wageOverride"])
        if isinstance(self.manual_amount, Decimal):
            whole_cents(self.manual_amount, "The manual amount", ["manualAmount"])


OVERRIDES = ("remove_bonus", "wage_override", "manual_amount")


async def set_crew_member(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    worker_id: int,
    override: CrewOverride,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    """A worker's overrides on this ProPay only: remove bonus (None: the worker's own flag), a
    wage for this ProPay, a MANUAL crew amount."""
    override.check()

    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        worker = await company_worker(uow, actor, worker_id, ["workerId"])
        row = next((r for r in pro_pay.crew if r.worker_id == worker_id), None)
        if row is None:
            row = ProPayWorker(worker_id=worker_id)
        values = {a: getattr(override, a) for a in OVERRIDES if getattr(override, a) is not KEEP}
        labels = {a: f"crew[{worker.name}].{camel(a)}" for a in OVERRIDES}
        changes.set(row, values, labels)
        empty = all(getattr(row, a) is None for a in OVERRIDES)
        if empty and row in pro_pay.crew:
            pro_pay.crew.remove(row)  # no override left: the worker's own settings apply
        elif not empty and row not in pro_pay.crew:
            pro_pay.crew.append(row)

    load = [selectinload(ProPay.crew)]
    return await edit(
        ctx, actor, pro_pay_id, change, expected_version=expected_version, reason=reason, load=load
    )


async def update_cost_settings(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    *,
    use_burden: bool | Keep = KEEP,
    include_drive_time: bool | Keep | None = KEEP,
    exclude_overtime_cost: bool | Keep = KEEP,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    """What counts as actual cost: burdened wages, drive time (None: the company's setting),
    overtime cost."""

    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        values = {
            attr: value
            for attr, value in (
                ("use_burden", use_burden),
                ("include_drive_time", include_drive_time),
                ("exclude_overtime_cost", exclude_overtime_cost),
            )
            if value is not KEEP
        }
        changes.set(pro_pay, values, COLUMNS)

    return await edit(
        ctx, actor, pro_pay_id, change, expected_version=expected_version, reason=reason
    )
