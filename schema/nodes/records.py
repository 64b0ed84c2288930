"""Synced records (workers, jobs) and the event log, as GraphQL nodes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from protiv.domain.statuses import EntityKind as DomainEntityKind
from protiv.persistence import models
from schema.context import Info
from schema.enums import EntityKind, JobStatus, WorkerRole
from schema.ids import feed_cursor, to_global

if TYPE_CHECKING:
    from schema.nodes.integrations import ExclusionRule, Milestone
    from schema.nodes.pro_pay import ProPay

NODE_TYPE_OF = {
    DomainEntityKind.PRO_PAY: "ProPay",
    DomainEntityKind.PRO_PAY_GROUP: "ProPayGroup",
    DomainEntityKind.LINE_ITEM: "LineItem",
    DomainEntityKind.STATEMENT: "Statement",
    DomainEntityKind.JOB: "Job",
    DomainEntityKind.INTEGRATION: "Integration",
    DomainEntityKind.WORKER: "Worker",
    DomainEntityKind.MILESTONE: "Milestone",
    DomainEntityKind.EXCLUSION_RULE: "ExclusionRule",
}


@strawberry.type(description="A worker, synced from the integration (read-only here).")
class Worker(relay.Node):
    id: relay.NodeID[int]
    external_id: str = strawberry.field(description="The worker's id in the integration.")
    name: str = strawberry.field(description="The worker's name.")
    role: WorkerRole = strawberry.field(
        description="Crew, crew lead or manager: decides the role bucket."
    )
    wage: Decimal = strawberry.field(description="Base hourly wage, without burden.")
    active: bool = strawberry.field(description="Inactive workers take part in no new ProPay.")
    remove_bonus: bool = strawberry.field(description="Adds cost to ProPays but takes no share.")
    version: int = strawberry.field(description="Bumped by every change.")
    edited_here: list[str] = strawberry.field(
        description="Fields edited in Protiv (wage, role, active): sync leaves them as edited."
    )

    @classmethod
    def from_row(cls, row: models.Worker) -> Worker:
        return cls(
            id=row.id,
            external_id=row.external_id,
            name=row.name,
            role=row.role,
            wage=row.wage,
            active=row.active,
            remove_bonus=row.remove_bonus,
            version=row.version,
            edited_here=[f for f in (row.local_edits or "").split(",") if f],
        )

    @strawberry.field(description="Its edits here, oldest first.")
    async def events(self, info: Info) -> list[Event]:
        return await history(info, DomainEntityKind.WORKER, self.id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Worker | None]:
        rows = await info.context.loaders.worker.load_many([int(i) for i in node_ids])
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(description="A job, synced from the integration (read-only here).")
class Job(relay.Node):
    id: relay.NodeID[int]
    external_id: str = strawberry.field(description="The job's id in the integration.")
    name: str = strawberry.field(description="The job's name.")
    status: JobStatus = strawberry.field(
        description="PENDING, IN_PROGRESS, COMPLETED or CANCELED, as synced."
    )
    version: int = strawberry.field(description="Bumped by every change.")
    client_name: str | None = strawberry.field(description="The customer, as synced.")
    service_type: str | None = strawberry.field(
        description="The service type, as synced (exclusion rules may match it)."
    )
    budget_hours: Decimal | None = strawberry.field(
        description="Budgeted hours, as synced or added here."
    )
    budget_amount: Decimal | None = strawberry.field(
        description="Budgeted labour dollars, as synced or added here."
    )
    contract_price: Decimal | None = strawberry.field(description="The job's price, as synced.")
    excluded_reason: str | None = strawberry.field(
        description="Why this job makes no ProPay (the exclusion rule), if it does not."
    )
    edited_here: list[str] = strawberry.field(
        description="Fields added in Protiv (budget, manager): sync keeps them (a budget "
        "unless the integration's budget sync is on)."
    )
    manager_id: strawberry.Private[int | None]
    exclusion_rule_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Job) -> Job:
        return cls(
            id=row.id,
            external_id=row.external_id,
            name=row.name,
            status=row.status,
            version=row.version,
            client_name=row.client_name,
            service_type=row.service_type,
            budget_hours=row.budget_hours,
            budget_amount=row.budget_amount,
            contract_price=row.contract_price,
            excluded_reason=row.excluded_reason,
            edited_here=[f for f in (row.local_edits or "").split(",") if f],
            manager_id=row.manager_id,
            exclusion_rule_pk=row.exclusion_rule_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Job | None]:
        rows = await info.context.loaders.job.load_many([int(i) for i in node_ids])
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="The job's manager, who gets the manager bucket.")
    async def manager(self, info: Info) -> Worker | None:
        if self.manager_id is None:
            return None
        row = await info.context.loaders.worker.load(self.manager_id)
        return Worker.from_row(row) if row else None

    @strawberry.field(description="The ProPays made from this job.")
    async def pro_pays(
        self, info: Info
    ) -> list[Annotated[ProPay, strawberry.lazy("schema.nodes.pro_pay")]]:
        from schema.nodes.pro_pay import ProPay

        rows = await info.context.loaders.pro_pays_of_job.load(self.id)
        return [ProPay.from_row(r) for r in rows]

    @strawberry.field(description="The exclusion rule that keeps it from making a ProPay.")
    async def exclusion_rule(
        self, info: Info
    ) -> Annotated[ExclusionRule, strawberry.lazy("schema.nodes.integrations")] | None:
        from schema.nodes.integrations import ExclusionRule

        if self.exclusion_rule_pk is None:
            return None
        row = await info.context.loaders.exclusion_rule.load(self.exclusion_rule_pk)
        return ExclusionRule.from_row(row) if row else None

    @strawberry.field(description="Its synced milestones (work tickets, visits).")
    async def milestones(
        self, info: Info
    ) -> list[Annotated[Milestone, strawberry.lazy("schema.nodes.integrations")]]:
        from schema.nodes.integrations import Milestone

        rows = await info.context.loaders.milestones_of_job.load(self.id)
        return [Milestone.from_row(r) for r in rows]

    @strawberry.field(description="Its history (created, status changes, edits), oldest first.")
    async def events(self, info: Info) -> list[Event]:
        return await history(info, DomainEntityKind.JOB, self.id)


@strawberry.type(description="One fired transition, written in the same transaction as the change.")
class Event(relay.Node):
    id: relay.NodeID[int]
    entity: EntityKind = strawberry.field(description="The kind of record that changed.")
    trigger: str = strawberry.field(description="The trigger fired (create: the record was made).")
    from_status: str | None = strawberry.field(
        name="from", description="The status before; null when the record was created."
    )
    to_status: str = strawberry.field(name="to", description="The status after.")
    version: int = strawberry.field(description="The record's version after the change.")
    actor: str = strawberry.field(
        description="Who fired it: a user, a token's name, sync or the scheduler."
    )
    reason: str | None = strawberry.field(description="Why, as given by the actor.")
    occurred_at: datetime = strawberry.field(description="When the change was committed.")
    entity_pk: strawberry.Private[int]
    position: strawberry.Private[int | None] = None

    @strawberry.field(description="The global id of the record that changed.")
    def entity_id(self) -> strawberry.ID:
        return strawberry.ID(to_global(NODE_TYPE_OF[self.entity], self.entity_pk))

    @strawberry.field(
        description="This event's place in the feed: pass it as `after` to `events` or to a "
        "subscription to resume right after it. Null only for a moment after the commit."
    )
    def cursor(self) -> str | None:
        return feed_cursor(self.position) if self.position is not None else None

    @classmethod
    def from_row(cls, row: Any) -> Event:
        return cls(
            id=row.id,
            entity=row.entity,
            trigger=row.trigger,
            from_status=row.from_status,
            to_status=row.to_status,
            version=row.version,
            actor=row.actor,
            reason=row.reason,
            occurred_at=row.occurred_at,
            entity_pk=row.entity_id,
            position=row.position,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Event | None]:
        rows = await info.context.loaders.event.load_many([int(i) for i in node_ids])
        return [cls.from_row(r) if r else None for r in rows]


async def history(info: Info, kind: DomainEntityKind, pk: int) -> list[Event]:
    return [Event.from_row(r) for r in await info.context.loaders.events_of.load((kind, pk))]
