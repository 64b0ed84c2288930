"""The read side of the API: Relay node lookup, single records, and cursor connections."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, select
from strawberry import relay

from protiv.domain import statuses
from protiv.domain.errors import DomainError
from protiv.persistence import models
from protiv.services import queries
from protiv.services.visibility import worker_scope
from schema.context import Info
from schema.enums import EntityKind, JobStatus, LineItemStatus, ProPayStatus, Role_, StatementStatus
from schema.feed import EVENTS_DESCRIPTION, events_connection
from schema.ids import from_global
from schema.nodes.ledger import LineItem, Statement
from schema.nodes.pro_pay import ProPay, ProPayGroup, prefetch
from schema.nodes.records import Event, Job, Worker
from schema.pagination import Connection, connection, page_args


@strawberry.input(description="Narrow a list of ProPays; all given conditions must hold.")
class ProPayFilter:
    status: list[ProPayStatus] | None = strawberry.field(
        default=None,
        description="Any of these statuses (DELETED ones are hidden unless asked for).",
    )
    job_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the ProPays of this job."
    )
    group_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the members of this group."
    )
    worker_id: strawberry.ID | None = strawberry.field(
        default=None, description="ProPays of jobs this worker logged time on."
    )
    ready_for_approval: bool | None = strawberry.field(
        default=None,
        description="true: the approval queue (ACTIVE, their job completed); false: the others.",
    )


@strawberry.input(description="Narrow a list of line items.")
class LineItemFilter:
    status: list[LineItemStatus] | None = strawberry.field(
        default=None, description="Only items in one of these statuses."
    )
    worker_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this worker's items."
    )
    pro_pay_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the items of this ProPay."
    )
    statement_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the items on this statement."
    )


@strawberry.input(description="Narrow a list of statements.")
class StatementFilter:
    status: list[StatementStatus] | None = strawberry.field(
        default=None, description="Only statements in one of these statuses."
    )
    worker_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this worker's statements."
    )


@strawberry.type(description="The company a token belongs to.")
class Company:
    id: strawberry.ID = strawberry.field(description="The company's id.")
    slug: str = strawberry.field(description="The short name the command line uses (--company).")
    name: str = strawberry.field(description="The company's name.")
    timezone: str = strawberry.field(
        description="The IANA time zone its pay periods and dates are in."
    )


@strawberry.type(description="Who is asking: the token's company and role.")
class Viewer:
    id: strawberry.ID = strawberry.field(description="Who is asking, as the event log names them.")
    name: str = strawberry.field(description="The name of the token's holder.")
    role: Role_ = strawberry.field(
        description="What the token may do: admin, manager, payroll, worker or integration."
    )
    company_pk: strawberry.Private[int]

    @strawberry.field(description="The company the token belongs to.")
    async def company(self, info: Info) -> Company:
        row = await queries.company(info.context.services, self.company_pk)
        return Company(
            id=strawberry.ID(str(row.id)), slug=row.slug, name=row.name, timezone=row.timezone
        )


async def _page(
    info: Info,
    model: Any,
    where: Sequence[ColumnElement[bool]],
    first: int | None,
    after: str | None,
) -> queries.Page:
    size, cursor = page_args(first, after)
    actor = info.context.actor
    return await queries.page(
        info.context.services,
        model,
        actor.company_id,
        where=where,
        first=size,
        after=cursor,
        worker_id=worker_scope(actor),
    )


def _pro_pay_where(f: ProPayFilter | None) -> list[ColumnElement[bool]]:
    f = f or ProPayFilter()
    where: list[ColumnElement[bool]] = []
    if f.status:
        where.append(models.ProPay.status.in_(f.status))
    else:
        where.append(models.ProPay.status != statuses.ProPayStatus.DELETED)
    if f.ready_for_approval is not None:
        queued = models.ProPay.ready_for_approval_at.is_not(None) & (
            models.ProPay.status == statuses.ProPayStatus.ACTIVE
        )
        where.append(queued if f.ready_for_approval else ~queued)
    if f.job_id is not None:
        where.append(models.ProPay.job_id == from_global(f.job_id, "Job", "filter.jobId"))
    if f.group_id is not None:
        where.append(
            models.ProPay.group_id == from_global(f.group_id, "ProPayGroup", "filter.groupId")
        )
    if f.worker_id is not None:
        worker = from_global(f.worker_id, "Worker", "filter.workerId")
        jobs = select(models.TimeEntry.job_id).where(models.TimeEntry.worker_id == worker)
        where.append(models.ProPay.job_id.in_(jobs))
    return where


def _line_item_where(f: LineItemFilter | None) -> list[ColumnElement[bool]]:
    f = f or LineItemFilter()
    m = models.LineItem
    where: list[ColumnElement[bool]] = []
    if f.status:
        where.append(m.status.in_(f.status))
    for value, column, type_name in (
        (f.worker_id, m.worker_id, "Worker"),
        (f.pro_pay_id, m.pro_pay_id, "ProPay"),
        (f.statement_id, m.statement_id, "Statement"),
    ):
        if value is not None:
            where.append(column == from_global(value, type_name, "filter"))
    return where


def _statement_where(f: StatementFilter | None) -> list[ColumnElement[bool]]:
    f = f or StatementFilter()
    where: list[ColumnElement[bool]] = []
    if f.status:
        where.append(models.Statement.status.in_(f.status))
    if f.worker_id is not None:
        where.append(
            models.Statement.worker_id == from_global(f.worker_id, "Worker", "filter.workerId")
        )
    return where


async def _one(
    info: Info, loader_name: str, id: strawberry.ID, type_name: str, convert: Any
) -> Any:
    try:
        pk = from_global(id, type_name)
    except DomainError:
        return None
    row = await getattr(info.context.loaders, loader_name).load(pk)
    return convert(row) if row else None


@strawberry.type
class Query:
    node: relay.Node | None = relay.node(description="Any record by its global id.")

    @strawberry.field(description="The caller: its company and role.")
    def viewer(self, info: Info) -> Viewer:
        actor = info.context.actor
        return Viewer(
            id=strawberry.ID(actor.label),
            name=actor.name,
            role=actor.role,
            company_pk=actor.company_id,
        )

    @strawberry.field(description="One ProPay by id (null if there is none in your company).")
    async def pro_pay(self, info: Info, id: strawberry.ID) -> ProPay | None:
        return await _one(info, "pro_pay", id, "ProPay", ProPay.from_row)  # type: ignore[no-any-return]

    @strawberry.field(description="ProPays, oldest first; DELETED ones only when asked for.")
    async def pro_pays(
        self,
        info: Info,
        filter: ProPayFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[ProPay]:
        page = await _page(info, models.ProPay, _pro_pay_where(filter), first, after)
        await prefetch(info, page.rows)  # the page's relations, so its fields answer in sync
        return connection(page, ProPay.from_row)

    @strawberry.field(description="One ProPay group by id.")
    async def pro_pay_group(self, info: Info, id: strawberry.ID) -> ProPayGroup | None:
        return await _one(info, "group", id, "ProPayGroup", ProPayGroup.from_row)  # type: ignore[no-any-return]

    @strawberry.field(description="ProPay groups, oldest first.")
    async def pro_pay_groups(
        self,
        info: Info,
        status: list[ProPayStatus] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[ProPayGroup]:
        where = [models.ProPayGroup.status.in_(status)] if status else []
        return connection(
            await _page(info, models.ProPayGroup, where, first, after), ProPayGroup.from_row
        )

    @strawberry.field(description="Synced jobs.")
    async def jobs(
        self,
        info: Info,
        status: list[JobStatus] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Job]:
        where = [models.Job.status.in_(status)] if status else []
        return connection(await _page(info, models.Job, where, first, after), Job.from_row)

    @strawberry.field(description="Synced workers.")
    async def workers(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Worker]:
        return connection(await _page(info, models.Worker, [], first, after), Worker.from_row)

    @strawberry.field(description="Bonus line items.")
    async def line_items(
        self,
        info: Info,
        filter: LineItemFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[LineItem]:
        return connection(
            await _page(info, models.LineItem, _line_item_where(filter), first, after),
            LineItem.from_row,
        )

    @strawberry.field(description="Workers' statements.")
    async def statements(
        self,
        info: Info,
        filter: StatementFilter | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[Statement]:
        return connection(
            await _page(info, models.Statement, _statement_where(filter), first, after),
            Statement.from_row,
        )

    @strawberry.field(description=EVENTS_DESCRIPTION)
    async def events(
        self,
        info: Info,
        after: str | None = None,
        first: int | None = 50,
        entity: EntityKind | None = None,
    ) -> Connection[Event]:
        return await events_connection(info, after, first, entity)
