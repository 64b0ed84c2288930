"""The few edits a synced record allows here (seed 004, "What Read-Only Means"): a worker's
wage, role and active flag; a job's missing budget and manager; a milestone's progress.

Nothing else of a mirror can be changed, and none can be created here. Each edit is one event
(trigger ``edit``, with what changed in its reason) and marks the field as edited here, so a
later sync does not silently undo it (a job's budget: unless the integration's budget sync is
on). A job's budget added here flows into its ACTIVE ProPays that had none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from protiv.domain.bonus import WorkerRole
from protiv.domain.errors import NotFound, ValidationFailed
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind
from protiv.persistence.models import Event, Job, Milestone, Worker
from protiv.services import sync_effects as effects
from protiv.services.context import ServiceContext
from protiv.services.logged import logged
from protiv.services.uow import UnitOfWork

T = TypeVar("T")
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Edited(Generic[T]):
    record: T
    event: Event | None  # None: nothing changed


def _mark(row: Any, *names: str) -> None:
    edited = {n for n in (row.local_edits or "").split(",") if n} | set(names)
    row.local_edits = ",".join(sorted(edited))


def _why(changes: Sequence[str], reason: str | None) -> str:
    text = "; ".join(changes)
    return f"{text} ({reason.strip()})" if reason and reason.strip() else text


def _positive(value: Decimal | None, field: str) -> None:
    if value is not None and (not value.is_finite() or value <= 0):
        raise ValidationFailed(f"{field} must be more than 0.", field=[field])


async def edit_worker(
    ctx: ServiceContext,
    actor: Actor,
    worker_id: int,
    *,
    wage: Decimal | None = None,
    role: WorkerRole | None = None,
    active: bool | None = None,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited[Worker]:
    """A worker's wage, role or active flag (admin)."""
    require(actor, "worker.edit")
    _positive(wage, "wage")
    async with UnitOfWork(ctx) as uow:
        row = await uow.lock(
            Worker, worker_id, actor, expected_version=expected_version, label="worker"
        )
        before = "ACTIVE" if row.active else "INACTIVE"
        changes = []
        for name, value in (("wage", wage), ("role", role), ("active", active)):
            if value is not None and getattr(row, name) != value:
                old = getattr(row, name)
                setattr(row, name, value)
                _mark(row, name)
                changes.append(f"{name} {_show(old)} → {_show(value)}")
        event = None
        if changes:
            await uow.session.flush()
            after = "ACTIVE" if row.active else "INACTIVE"
            event = uow.log(
                EntityKind.WORKER,
                logged(row, after),
                "edit",
                before,
                actor,
                reason=_why(changes, reason),
            )
        await uow.commit()
    return Edited(row, event)


def _show(value: Any) -> str:
    return str(getattr(value, "value", value))


async def edit_job(
    ctx: ServiceContext,
    actor: Actor,
    job_id: int,
    *,
    budget_hours: Decimal | None = None,
    budget_amount: Decimal | None = None,
    manager_id: int | None = None,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited[Job]:
    """Add a job's missing budget (hours or dollars) or manager (admin). A budget or manager the
    integration sent is changed there, not here."""
    require(actor, "job.edit")
    if budget_hours is not None and budget_amount is not None:
        raise ValidationFailed(
            "Give budget hours or a budget amount, not both.", field=["budgetAmount"]
        )
    _positive(budget_hours, "budgetHours")
    _positive(budget_amount, "budgetAmount")
    async with UnitOfWork(ctx) as uow:
        row = await uow.lock(Job, job_id, actor, expected_version=expected_version, label="job")
        local = {n for n in (row.local_edits or "").split(",") if n}
        changes: list[str] = []
        old_budget = effects.budget_from(row, row)
        if budget_hours is not None or budget_amount is not None:
            _budget(row, local, budget_hours, budget_amount, changes)
        if manager_id is not None and manager_id != row.manager_id:
            await _manager(uow, actor, row, local, manager_id, changes)
        event = None
        if changes:
            await uow.session.flush()
            status = row.status.value
            event = uow.log(
                EntityKind.JOB, row, "edit", status, actor, reason=_why(changes, reason)
            )
            await effects.follow_budget(
                uow,
                actor,
                [(row, old_budget)],
                overwrite=False,
                why="The job's missing budget was added here.",
            )
        await uow.commit()
    return Edited(row, event)


def _budget(
    row: Job,
    local: set[str],
    hours: Decimal | None,
    amount: Decimal | None,
    changes: list[str],
) -> None:
    synced = any((row.budget_hours, row.budget_amount, row.contract_price))
    if synced and "budget" not in local:
        raise ValidationFailed(
            "This job's budget comes from the integration: change it there (or edit the "
            "ProPay's budget). Only a missing budget can be added here.",
            field=["budgetHours" if hours is not None else "budgetAmount"],
        )
    row.budget_hours, row.budget_amount = hours, amount
    _mark(row, "budget")
    changes.append(
        f"budget {'hours ' + str(hours) if hours is not None else 'amount ' + str(amount)}"
    )


async def _manager(
    uow: UnitOfWork, actor: Actor, row: Job, local: set[str], manager_id: int, changes: list[str]
) -> None:
    if row.manager_id is not None and "manager" not in local:
        raise ValidationFailed(
            "This job's manager comes from the integration: change it there. Only a missing "
            "manager can be added here.",
            field=["managerId"],
        )
    manager = await uow.session.get(Worker, manager_id)
    if manager is None or manager.company_id != actor.company_id:
        raise NotFound("No worker with that id.", field=["managerId"])
    row.manager_id = manager.id
    _mark(row, "manager")
    changes.append(f"manager {manager.name}")


async def set_milestone_progress(
    ctx: ServiceContext,
    actor: Actor,
    milestone_id: int,
    progress_pct: Decimal,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited[Milestone]:
    """A milestone's progress, 0 to 100 percent (admin or manager)."""
    require(actor, "milestone.progress")
    if not progress_pct.is_finite() or not 0 <= progress_pct <= HUNDRED:
        raise ValidationFailed("progressPct must be between 0 and 100.", field=["progressPct"])
    async with UnitOfWork(ctx) as uow:
        row = await uow.lock(
            Milestone, milestone_id, actor, expected_version=expected_version, label="milestone"
        )
        event = None
        if row.progress_pct != progress_pct:
            old = row.progress_pct
            row.progress_pct = progress_pct
            await uow.session.flush()
            state = row.source_status
            event = uow.log(
                EntityKind.MILESTONE,
                logged(row, state),
                "edit",
                state,
                actor,
                reason=_why([f"progress {old}% → {progress_pct}%"], reason),
            )
        await uow.commit()
    return Edited(row, event)
