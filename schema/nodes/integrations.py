"""Integrations, exclusion rules and milestones as GraphQL nodes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry import relay

from protiv.domain import exclusions, statuses
from protiv.domain.exclusions import Rule
from protiv.persistence import models
from protiv.services import integrations as integration_service
from protiv.services import queries
from schema.context import Info
from schema.enums import IntegrationStatus
from schema.nodes.records import Event, history
from schema.nodes.sync_runs import SyncRun
from statemachines.integration import MACHINE as INTEGRATION_MACHINE

IntegrationAction = Annotated[
    statuses.IntegrationTrigger,
    strawberry.enum(name="IntegrationAction", description="A transition of an integration."),
]
ExclusionKind = Annotated[
    exclusions.ExclusionKind,
    strawberry.enum(
        name="ExclusionKind",
        description="What an exclusion rule matches: service type and invoice type exactly, a "
        "job name pattern with * and ? wildcards (any case), a property id exactly.",
    ),
]


@strawberry.type(description="A connection to the company's job management system.")
class Integration(relay.Node):
    id: relay.NodeID[int]
    provider: str = strawberry.field(description="api, file, aspire or jobber.")
    name: str = strawberry.field(description="Its name here.")
    status: IntegrationStatus = strawberry.field(
        description="PENDING (first sync not done), CONNECTED, FAILED (see lastError), "
        "DISCONNECTED."
    )
    version: int = strawberry.field(description="Bumped by every change.")
    schedule_minutes: int = strawberry.field(description="How often it syncs (default 20).")
    budget_sync: bool = strawberry.field(
        description="Whether the integration's budgets overwrite budgets edited here."
    )
    drop_folder: str | None = strawberry.field(
        description="A file-drop integration's folder (null: the provider pushes)."
    )
    last_sync_at: datetime | None = strawberry.field(description="The last successful sync.")
    last_error: str | None = strawberry.field(description="Why the last sync failed.")
    row: strawberry.Private[models.Integration]

    @classmethod
    def from_row(cls, row: models.Integration) -> Integration:
        return cls(
            id=row.id,
            provider=row.provider,
            name=row.name,
            status=row.status,
            version=row.version,
            schedule_minutes=row.schedule_minutes,
            budget_sync=row.budget_sync,
            drop_folder=row.drop_folder,
            last_sync_at=row.last_sync_at,
            last_error=row.last_error,
            row=row,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Integration | None]:
        rows = await queries.by_ids(
            info.context.services,
            models.Integration,
            info.context.actor.company_id,
            [int(i) for i in node_ids],
        )
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="When its next scheduled sync is due (null: never ran).")
    async def next_sync_due(self, info: Info) -> datetime | None:
        started = await integration_service.last_started(info.context.services, [self.id])
        if self.id not in started:
            return None
        return integration_service.next_due(
            self.row, started[self.id], info.context.services.clock()
        )

    @strawberry.field(description="The transitions the caller may fire now.")
    def available_actions(self, info: Info) -> list[IntegrationAction]:
        return [
            t
            for t in INTEGRATION_MACHINE.available(
                self.row, actor=info.context.actor, now=info.context.services.clock()
            )
            if t in (statuses.IntegrationTrigger.DISCONNECT, statuses.IntegrationTrigger.RECONNECT)
        ]

    @strawberry.field(description="Its latest sync runs, newest first.")
    async def sync_runs(self, info: Info, first: int = 10) -> list[SyncRun]:
        rows = await integration_service.runs(
            info.context.services, info.context.actor, self.id, min(max(first, 1), 100)
        )
        return [SyncRun.from_row(r) for r in rows]

    @strawberry.field(description="Its history, oldest first.")
    async def events(self, info: Info) -> list[Event]:
        return await history(info, statuses.EntityKind.INTEGRATION, self.id)


@strawberry.type(description="A rule that keeps matching jobs from making a ProPay.")
class ExclusionRule(relay.Node):
    id: relay.NodeID[int]
    kind: ExclusionKind = strawberry.field(description="What it matches.")
    value: str = strawberry.field(description="The value or pattern (TEST*).")
    note: str | None = strawberry.field(description="Why the rule exists.")
    version: int = strawberry.field(description="Bumped by every change.")
    created_at: datetime = strawberry.field(description="When it was made.")
    created_by: str = strawberry.field(description="Who made it.")
    deleted_at: datetime | None = strawberry.field(
        description="When it was deleted (it is kept for the jobs that name it)."
    )

    @classmethod
    def from_row(cls, row: models.ExclusionRule) -> ExclusionRule:
        return cls(
            id=row.id,
            kind=row.kind,
            value=row.value,
            note=row.note,
            version=row.version,
            created_at=row.created_at,
            created_by=row.created_by,
            deleted_at=row.deleted_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ExclusionRule | None]:
        rows = await queries.by_ids(
            info.context.services,
            models.ExclusionRule,
            info.context.actor.company_id,
            [int(i) for i in node_ids],
        )
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="In words, as jobs it excluded name it.")
    def description(self) -> str:
        return Rule(self.id, self.kind, self.value).describe()

    @strawberry.field(description="Its history (create, edit, delete), oldest first.")
    async def events(self, info: Info) -> list[Event]:
        return await history(info, statuses.EntityKind.EXCLUSION_RULE, self.id)


@strawberry.type(description="A milestone of a job (Aspire work ticket, Jobber visit), synced.")
class Milestone(relay.Node):
    id: relay.NodeID[int]
    external_id: str = strawberry.field(description="Its id in the integration.")
    name: str = strawberry.field(description="Its name.")
    source_status: str = strawberry.field(description="Its status in the integration.")
    progress_pct: Decimal = strawberry.field(description="Progress, 0–100 (editable here).")
    budget_hours: Decimal | None = strawberry.field(description="Its labour budget in hours.")
    budget_amount: Decimal | None = strawberry.field(description="Its labour budget in dollars.")
    version: int = strawberry.field(description="Bumped by every change.")
    job_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.Milestone) -> Milestone:
        return cls(
            id=row.id,
            external_id=row.external_id,
            name=row.name,
            source_status=row.source_status,
            progress_pct=row.progress_pct,
            budget_hours=row.budget_hours,
            budget_amount=row.budget_amount,
            version=row.version,
            job_pk=row.job_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Milestone | None]:
        rows = await queries.by_ids(
            info.context.services,
            models.Milestone,
            info.context.actor.company_id,
            [int(i) for i in node_ids],
        )
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="Its history (progress edits), oldest first.")
    async def events(self, info: Info) -> list[Event]:
        return await history(info, statuses.EntityKind.MILESTONE, self.id)
