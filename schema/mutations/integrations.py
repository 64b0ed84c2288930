"""Mutations of integrations and synced records: connection settings and lifecycle, a resync
now, exclusion rules, and the few edits a mirror allows (a worker's wage, role and active flag;
a job's missing budget and manager; a milestone's progress). There is no mutation that creates
a worker, job or milestone: they come from the integration (seed 004)."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
import decimal
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from protiv.domain.errors import ValidationFailed
from protiv.domain.statuses import IntegrationTrigger
from protiv.services import exclusions, integrations, mirror_edits
from protiv.services.results import Transitioned
from protiv.services.sync_report import FAILED
from schema.context import Info
from schema.enums import WorkerRole
from schema.errors import UserError, attempt
from schema.idempotency import key_field
from schema.ids import from_global
from schema.mutations.payloads import TransitionInput
from schema.mutations.sync import SyncPayload
from schema.nodes.integrations import ExclusionKind, ExclusionRule, Integration, Milestone
from schema.nodes.records import Event, Job, Worker
from schema.nodes.sync_runs import SyncReport


@strawberry.input(description="A new integration connection (PENDING until it first syncs).")
class IntegrationCreateInput:
    provider: str = strawberry.field(description="api, file, aspire or jobber.")
    name: str | None = strawberry.field(default=None, description="Its name here.")
    schedule_minutes: int | None = strawberry.field(
        default=None, description="How often it syncs, in minutes (default 20)."
    )
    budget_sync: bool | None = strawberry.field(
        default=None, description="Let its budgets overwrite budgets edited here (default off)."
    )
    drop_folder: str | None = strawberry.field(
        default=None, description="A folder to pick JSON, JSON Lines or CSV files up from."
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="Change an integration's settings; omitted fields stay.")
class IntegrationUpdateInput:
    id: strawberry.ID = strawberry.field(description="The integration.")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with CONFLICT if it is no longer at this version."
    )
    name: str | None = strawberry.field(default=None, description="Its name here.")
    schedule_minutes: int | None = strawberry.field(default=None, description="Minutes, 1–1440.")
    budget_sync: bool | None = strawberry.field(default=None, description="Budget sync on or off.")
    drop_folder: str | None = strawberry.field(
        default=strawberry.UNSET, description='Its drop folder ("" removes it).'
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="Run an integration's sync now.")
class IntegrationResyncInput:
    id: strawberry.ID = strawberry.field(description="The integration.")
    idempotency_key: str | None = key_field()


@strawberry.type(description="The integration as committed, the event written, or why not.")
class IntegrationPayload:
    integration: Integration | None = strawberry.field(default=None, description="As it is now.")
    event: Event | None = strawberry.field(default=None, description="The transition's event.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed."
    )


@strawberry.input(
    description="A new exclusion rule: jobs synced from now on that match it make no ProPay."
)
class ExclusionRuleCreateInput:
    kind: ExclusionKind = strawberry.field(description="What it matches.")
    value: str = strawberry.field(description="The value, or a pattern such as TEST*.")
    note: str | None = strawberry.field(default=None, description="Why the rule exists.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Change an exclusion rule; omitted fields stay.")
class ExclusionRuleUpdateInput:
    id: strawberry.ID = strawberry.field(description="The rule.")
    expected_version: int | None = strawberry.field(default=None, description="CONFLICT if stale.")
    kind: ExclusionKind | None = strawberry.field(default=None, description="What it matches.")
    value: str | None = strawberry.field(default=None, description="The value or pattern.")
    note: str | None = strawberry.field(default=None, description="Why the rule exists.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Delete an exclusion rule (kept for the jobs that name it).")
class ExclusionRuleDeleteInput:
    id: strawberry.ID = strawberry.field(description="The rule.")
    expected_version: int | None = strawberry.field(default=None, description="CONFLICT if stale.")
    idempotency_key: str | None = key_field()


@strawberry.type(description="The rule as committed, or why nothing changed.")
class ExclusionRulePayload:
    exclusion_rule: ExclusionRule | None = strawberry.field(default=None, description="The rule.")
    released_jobs: int = strawberry.field(
        default=0, description="Jobs it no longer excludes, which got their ProPay now."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed."
    )


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


def _settings(input: Any) -> integrations.Settings:
    folder = getattr(input, "drop_folder", None)
    return integrations.Settings(
        name=input.name,
        schedule_minutes=input.schedule_minutes,
        budget_sync=input.budget_sync,
        drop_folder=integrations.UNSET if folder is strawberry.UNSET else folder,
    )


def _event(event: Any) -> Event | None:
    return Event.from_row(event) if event is not None else None


async def _integration(call: Callable[[], Awaitable[Any]]) -> IntegrationPayload:
    done, errors = await attempt(call)
    if done is None:
        return IntegrationPayload(user_errors=errors)
    if isinstance(done, Transitioned):
        return IntegrationPayload(
            integration=Integration.from_row(done.record), event=Event.from_row(done.event)
        )
    return IntegrationPayload(integration=Integration.from_row(done))


def _connection(trigger: IntegrationTrigger, description: str) -> Any:
    async def resolve(info: Info, input: TransitionInput) -> IntegrationPayload:
        actor = info.context.actor
        return await _integration(
            lambda: integrations.transition(
                info.context.services,
                actor,
                from_global(input.id, "Integration"),
                trigger,
                expected_version=input.expected_version,
                reason=input.reason,
            )
        )

    return strawberry.mutation(resolver=resolve, description=description)


async def _rule(call: Callable[[], Awaitable[Any]]) -> ExclusionRulePayload:
    done, errors = await attempt(call)
    if done is None:
        return ExclusionRulePayload(user_errors=errors)
    if isinstance(done, exclusions.Changed):
        return ExclusionRulePayload(
            exclusion_rule=ExclusionRule.from_row(done.rule), released_jobs=done.released
        )
    return ExclusionRulePayload(exclusion_rule=ExclusionRule.from_row(done))


@strawberry.type
class IntegrationsMutations:
    integration_disconnect = _connection(
        IntegrationTrigger.DISCONNECT, "Disconnect an integration (admin): nothing syncs."
    )
    integration_reconnect = _connection(
        IntegrationTrigger.RECONNECT, "DISCONNECTED → PENDING (admin): its next sync connects it."
    )

    @strawberry.mutation(description="Connect a new integration (admin).")
    async def integration_create(
        self, info: Info, input: IntegrationCreateInput
    ) -> IntegrationPayload:
        actor = info.context.actor
        return await _integration(
            lambda: integrations.create(
                info.context.services, actor, input.provider, _settings(input)
            )
        )

    @strawberry.mutation(description="Change an integration's settings (admin).")
    async def integration_update(
        self, info: Info, input: IntegrationUpdateInput
    ) -> IntegrationPayload:
        actor = info.context.actor
        return await _integration(
            lambda: integrations.update(
                info.context.services,
                actor,
                from_global(input.id, "Integration"),
                _settings(input),
                expected_version=input.expected_version,
            )
        )

    @strawberry.mutation(
        description="Run an integration's sync now (seed 003 step 5): a file drop picks up its "
        "folder. A failed run is reported and marks the integration FAILED."
    )
    async def integration_resync(self, info: Info, input: IntegrationResyncInput) -> SyncPayload:
        actor = info.context.actor

        async def run() -> Any:
            pk = from_global(input.id, "Integration")
            return await integrations.resync(info.context.services, actor, pk)

        report, errors = await attempt(run)
        if report is None:
            return SyncPayload(user_errors=errors)
        if report.outcome == FAILED:
            errors = [
                UserError.of(ValidationFailed(report.error or "The sync failed.", field=["id"]))
            ]
        return SyncPayload(report=SyncReport.of(report), user_errors=errors)

    @strawberry.mutation(
        description="Add an exclusion rule (admin); it applies to new jobs at once."
    )
    async def exclusion_rule_create(
        self, info: Info, input: ExclusionRuleCreateInput
    ) -> ExclusionRulePayload:
        actor = info.context.actor
        return await _rule(
            lambda: exclusions.create(
                info.context.services, actor, input.kind, input.value, input.note
            )
        )

    @strawberry.mutation(
        description="Change an exclusion rule (admin); jobs it no longer excludes get their ProPay."
    )
    async def exclusion_rule_update(
        self, info: Info, input: ExclusionRuleUpdateInput
    ) -> ExclusionRulePayload:
        actor = info.context.actor
        return await _rule(
            lambda: exclusions.update(
                info.context.services,
                actor,
                from_global(input.id, "ExclusionRule"),
                kind=input.kind,
                value=input.value,
                note=input.note,
                expected_version=input.expected_version,
            )
        )

    @strawberry.mutation(
        description="Delete an exclusion rule (admin); the jobs it excluded get their ProPay."
    )
    async def exclusion_rule_delete(
        self, info: Info, input: ExclusionRuleDeleteInput
    ) -> ExclusionRulePayload:
        actor = info.context.actor
        return await _rule(
            lambda: exclusions.delete(
                info.context.services,
                actor,
                from_global(input.id, "ExclusionRule"),
                expected_version=input.expected_version,
            )
        )

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
