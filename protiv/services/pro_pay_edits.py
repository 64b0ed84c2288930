"""Edits of an ACTIVE ProPay's other settings: distribution, crew lead and manager, per-worker
overrides, cost settings (the budget: ``budget_edits``; the pool: ``pro_pay_pools``). Each is
one ``editing.edit``: LOCKED unless ACTIVE, VALIDATION (with the input's field path) before
anything is written, one version and one "edit" event when something changed. The preview is
computed on read, so it moves at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import selectinload

from protiv.domain.bonus import Distribution
from protiv.domain.errors import ValidationFailed
from protiv.domain.roles import Actor
from protiv.persistence.models import ProPay, ProPayWorker
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
    whole_cents,
)
from protiv.services.uow import UnitOfWork

COLUMNS = {
    "distribution": "distribution",
    "crew_lead_weight": "crewLeadWeight",
    "crew_lead_id": "crewLead",
    "manager_id": "manager",
    "use_burden": "useBurden",
    "include_drive_time": "includeDriveTime",
    "exclude_overtime_cost": "excludeOvertimeCost",
}


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
