"""The few edits a synced record allows (seed 004): a worker's wage, role and active flag; a
job's missing budget and manager; a milestone's progress. No mutation creates a worker, job or
milestone: they come from the integration."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
import decimal
from typing import Any

import strawberry

from protiv.services import mirror_edits
from schema.context import Info
from schema.enums import WorkerRole
from schema.errors import UserError, attempt
from schema.idempotency import key_field
from schema.ids import from_global
from schema.nodes.integrations import Milestone
from schema.nodes.records import Event, Job, Worker


@strawberry.input(description="Edit a synced worker: wage, role, active flag (each kept on sync).")
class WorkerUpdateInput:
    id: strawberry.ID = strawberry.field(description="The worker.")
    expected_version: int | None = strawberry.field(default=None, description="CONFLICT if stale.")
    wage: decimal.Decimal | None = strawberry.field(default=None, description="Base hourly wage.")
    role: WorkerRole | None = strawberry.field(default=None, description="Role in the field.")
    active: bool | None = strawberry.field(default=None, description="False deactivates.")
    reason: str | None = strawberry.field(default=None, description="Why; kept in the event.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Add a synced job's missing budget (hours or dollars) or manager.")
class JobUpdateInput:
    id: strawberry.ID = strawberry.field(description="The job.")
    expected_version: int | None = strawberry.field(default=None, description="CONFLICT if stale.")
    budget_hours: decimal.Decimal | None = strawberry.field(
        default=None, description="A labour budget in hours."
    )
    budget_amount: decimal.Decimal | None = strawberry.field(
        default=None, description="A labour budget in dollars."
    )
    manager_id: strawberry.ID | None = strawberry.field(
        default=None, description="The Worker who manages the job."
    )
    reason: str | None = strawberry.field(default=None, description="Why; kept in the event.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Update a milestone's progress.")
class MilestoneProgressInput:
    id: strawberry.ID = strawberry.field(description="The milestone.")
    expected_version: int | None = strawberry.field(default=None, description="CONFLICT if stale.")
    progress_pct: decimal.Decimal = strawberry.field(description="0 to 100.")
    reason: str | None = strawberry.field(default=None, description="Why; kept in the event.")
    idempotency_key: str | None = key_field()


@strawberry.type(description="The worker as committed, the edit's event, or why not.")
class WorkerPayload:
    worker: Worker | None = strawberry.field(default=None, description="As it is now.")
    event: Event | None = strawberry.field(default=None, description="The edit (null: no change).")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed."
    )


@strawberry.type(description="The job as committed, the edit's event, or why not.")
class JobPayload:
    job: Job | None = strawberry.field(default=None, description="As it is now.")
    event: Event | None = strawberry.field(default=None, description="The edit (null: no change).")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed."
    )


@strawberry.type(description="The milestone as committed, the edit's event, or why not.")
class MilestonePayload:
    milestone: Milestone | None = strawberry.field(default=None, description="As it is now.")
    event: Event | None = strawberry.field(default=None, description="The edit (null: no change).")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed."
    )


def _event(event: Any) -> Event | None:
    return Event.from_row(event) if event is not None else None


@strawberry.type
class MirrorMutations:
    @strawberry.mutation(description="Edit a synced worker's wage, role or active flag (admin).")
    async def worker_update(self, info: Info, input: WorkerUpdateInput) -> WorkerPayload:
        actor = info.context.actor

        async def run() -> Any:
            return await mirror_edits.edit_worker(
                info.context.services,
                actor,
                from_global(input.id, "Worker"),
                wage=input.wage,
                role=input.role,
                active=input.active,
                expected_version=input.expected_version,
                reason=input.reason,
            )

        done, errors = await attempt(run)
        if done is None:
            return WorkerPayload(user_errors=errors)
        return WorkerPayload(worker=Worker.from_row(done.record), event=_event(done.event))

    @strawberry.mutation(description="Add a synced job's missing budget or manager (admin).")
    async def job_update(self, info: Info, input: JobUpdateInput) -> JobPayload:
        actor = info.context.actor

        async def run() -> Any:
            manager = (
                from_global(input.manager_id, "Worker", "managerId") if input.manager_id else None
            )
            return await mirror_edits.edit_job(
                info.context.services,
                actor,
                from_global(input.id, "Job"),
                budget_hours=input.budget_hours,
                budget_amount=input.budget_amount,
                manager_id=manager,
                expected_version=input.expected_version,
                reason=input.reason,
            )

        done, errors = await attempt(run)
        if done is None:
            return JobPayload(user_errors=errors)
        return JobPayload(job=Job.from_row(done.record), event=_event(done.event))

    @strawberry.mutation(description="Update a milestone's progress (admin or manager).")
    async def milestone_update_progress(
        self, info: Info, input: MilestoneProgressInput
    ) -> MilestonePayload:
        actor = info.context.actor

        async def run() -> Any:
            return await mirror_edits.set_milestone_progress(
                info.context.services,
                actor,
                from_global(input.id, "Milestone"),
                input.progress_pct,
                expected_version=input.expected_version,
                reason=input.reason,
            )

        done, errors = await attempt(run)
        if done is None:
            return MilestonePayload(user_errors=errors)
        return MilestonePayload(milestone=Milestone.from_row(done.record), event=_event(done.event))
