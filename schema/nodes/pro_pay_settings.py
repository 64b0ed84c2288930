"""The editable settings of a ProPay as GraphQL fields: whether it can be edited now, its pool
and where that pool came from, the crew lead and manager named on it, per-worker overrides, and
what counts as cost. ``ProPay`` (schema/nodes/pro_pay.py) inherits these fields."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from protiv.persistence import models
from protiv.services.calculation import DEFAULT_CREW_LEAD_WEIGHT
from protiv.services.editing import locked_reason
from schema.context import Info
from schema.nodes.org import BonusPool, PoolSource
from schema.nodes.records import Worker


@strawberry.type(description="One task's budget of a TASK_HOURS or TASK_AMOUNT budget.")
class TaskBudget:
    task: str = strawberry.field(description="The task name time entries carry.")
    hours: Decimal | None = strawberry.field(description="Budget hours (TASK_HOURS).")
    amount: Decimal | None = strawberry.field(description="Budget dollars (TASK_AMOUNT).")


@strawberry.type(description="A worker's overrides on this ProPay only (null: not overridden).")
class CrewOverride:
    remove_bonus: bool | None = strawberry.field(
        description="True: the worker's hours count as cost but earn no share; null: the worker's "
        "own setting."
    )
    wage_override: Decimal | None = strawberry.field(description="The wage on this ProPay.")
    manual_amount: Decimal | None = strawberry.field(
        description="The crew-bucket amount under the MANUAL distribution."
    )
    worker_id: strawberry.Private[int]

    @strawberry.field(description="The worker these overrides are for.")
    async def worker(self, info: Info) -> Worker | None:
        row = await info.context.loaders.worker.load(self.worker_id)
        return Worker.from_row(row) if row else None


async def _worker(info: Info, worker_id: int | None) -> Worker | None:
    if worker_id is None:
        return None
    row = await info.context.loaders.worker.load(worker_id)
    return Worker.from_row(row) if row else None


@strawberry.type
class ProPaySettings:
    row: strawberry.Private[models.ProPay]

    @strawberry.field(
        description="True while ACTIVE: budget, pool, crew and safeguards can change."
    )
    def editable(self) -> bool:
        return locked_reason(self.row.status) is None

    @strawberry.field(description="Why it cannot be edited now, and what to do instead.")
    def locked_reason(self) -> str | None:
        return locked_reason(self.row.status)

    @strawberry.field(description="The crew lead's weight under CREW_LEAD_WEIGHTED.")
    def crew_lead_weight(self) -> Decimal:
        return self.row.crew_lead_weight or DEFAULT_CREW_LEAD_WEIGHT

    @strawberry.field(description="Actual cost uses burdened wages (wage x (1 + burden %)).")
    def use_burden(self) -> bool:
        return self.row.use_burden

    @strawberry.field(description="Drive time counts as cost; null: the company's setting.")
    def include_drive_time(self) -> bool | None:
        return self.row.include_drive_time

    @strawberry.field(description="Overtime hours are costed at the base wage (premium left out).")
    def exclude_overtime_cost(self) -> bool:
        return self.row.exclude_overtime_cost

    @strawberry.field(
        description="The crew lead named on this ProPay; null: the first CREW_LEAD worker who "
        "logged time gets the crew lead bucket."
    )
    async def crew_lead(self, info: Info) -> Worker | None:
        return await _worker(info, self.row.crew_lead_id)

    @strawberry.field(
        description="The manager named on this ProPay; null: the job's manager gets the manager "
        "bucket."
    )
    async def manager(self, info: Info) -> Worker | None:
        return await _worker(info, self.row.manager_id)

    @strawberry.field(description="Per-worker overrides on this ProPay.")
    async def crew_overrides(self, info: Info) -> list[CrewOverride]:
        rows = await info.context.loaders.editing.crew_overrides.load(self.row.id)
        return [
            CrewOverride(
                remove_bonus=r.remove_bonus,
                wage_override=r.wage_override,
                manual_amount=r.manual_amount,
                worker_id=r.worker_id,
            )
            for r in rows
        ]

    @strawberry.field(description="The pool it splits with now (null: the built-in defaults).")
    async def pool(self, info: Info) -> BonusPool | None:
        choice = await info.context.loaders.editing.pool_choice.load(self.row.id)
        if choice is None or choice.pool_id is None:
            return None
        row = await info.context.loaders.editing.pool.load(choice.pool_id)
        return BonusPool.from_row(row) if row else None

    @strawberry.field(description="Where that pool comes from.")
    async def pool_source(self, info: Info) -> PoolSource:
        choice = await info.context.loaders.editing.pool_choice.load(self.row.id)
        return PoolSource(choice.source) if choice else PoolSource.BUILT_IN
