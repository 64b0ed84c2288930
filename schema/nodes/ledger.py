"""Line items and statements as GraphQL nodes."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry import relay

from protiv.domain import periods, statuses
from protiv.domain.permissions import reads_only_own
from protiv.persistence import models
from protiv.services import figures, queries
from schema.context import Info
from schema.enums import (
    Bucket,
    LineItemAction,
    LineItemKind,
    LineItemStatus,
    StatementAction,
    StatementStatus,
)
from schema.nodes.pro_pay import ProPay
from schema.nodes.records import Event, Worker, history
from schema.nodes.views import View
from schema.pagination import Connection, connection, page_args
from schema.payout_types import (
    LineItemSource,
    PeriodKind,
    StatementTotals,
    StatementWages,
)
from statemachines.line_item import MACHINE as LINE_ITEM_MACHINE
from statemachines.statement import MACHINE as STATEMENT_MACHINE


@strawberry.type(description="One bonus or deduction for one worker, on a statement.")
class LineItem(relay.Node):
    id: relay.NodeID[int]
    status: LineItemStatus = strawberry.field(description="HELD, PAYABLE, PAID or VOIDED.")
    version: int = strawberry.field(
        description="Bumped by every change; pass it as expectedVersion."
    )
    amount: Decimal = strawberry.field(
        description="Dollars, exact to the cent; negative for a deduction."
    )
    kind: LineItemKind = strawberry.field(description="A bonus or a deduction.")
    source: LineItemSource = strawberry.field(
        description="What made it: a ProPay approval, or a manual entry."
    )
    bucket: Bucket | None = strawberry.field(
        description="The role bucket it was paid from (approval items only)."
    )
    category: str = strawberry.field(
        description="PROPAY for an approval's items, else the ManualCategory of a manual one."
    )
    custom_category: str | None = strawberry.field(description="The name of a CUSTOM item.")
    created_at: datetime = strawberry.field(description="When it was made.")
    release_at: datetime | None = strawberry.field(description="When a HELD item is released.")
    hold_reason: str | None = strawberry.field(
        description="Why it was put back on hold, if it was."
    )
    void_reason: str | None = strawberry.field(description="Why it was voided, if it was.")
    paid_at: datetime | None = strawberry.field(description="When its statement was paid.")
    note: str | None = strawberry.field(description="A free note from whoever made it.")
    row: strawberry.Private[models.LineItem]
    worker_row: strawberry.Private[models.Worker | None] = None

    @classmethod
    def from_row(cls, row: models.LineItem, worker: models.Worker | None = None) -> LineItem:
        """``worker``: its worker's row when the caller fetched it with the item (a page's
        line items with their workers), so ``worker`` needs no await of its own."""
        return cls(
            id=row.id,
            status=row.status,
            version=row.version,
            amount=row.amount,
            kind=row.kind,
            source=row.source,
            bucket=row.bucket,
            category=row.category,
            custom_category=row.custom_category,
            created_at=row.created_at,
            release_at=row.release_at,
            hold_reason=row.hold_reason,
            void_reason=row.void_reason,
            paid_at=row.paid_at,
            note=row.note,
            row=row,
            worker_row=worker,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[LineItem | None]:
        rows = await info.context.loaders.line_item.load_many([int(i) for i in node_ids])
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="The transitions the caller may fire now.")
    def available_actions(self, info: Info) -> list[LineItemAction]:
        return LINE_ITEM_MACHINE.available(
            self.row, actor=info.context.actor, now=info.context.services.clock()
        )

    @strawberry.field(description="The worker it is for.", graphql_type=Worker)
    def worker(self, info: Info) -> Worker | Awaitable[Worker]:
        """Sync when the row came with the item (no coroutine or future per item on a page of
        hundreds); else loaded, and the executor awaits what this hands back."""
        if self.worker_row is not None:
            return Worker.from_row(self.worker_row)
        return self._load_worker(info)

    async def _load_worker(self, info: Info) -> Worker:
        row = await info.context.loaders.worker.load(self.row.worker_id)
        assert row is not None
        return Worker.from_row(row)

    @strawberry.field(description="The ProPay whose approval made it, if any.")
    async def pro_pay(self, info: Info) -> ProPay | None:
        if self.row.pro_pay_id is None:
            return None
        row = await info.context.loaders.pro_pay.load(self.row.pro_pay_id)
        return ProPay.from_row(row) if row else None

    @strawberry.field(description="The statement it is on.")
    async def statement(self, info: Info) -> Statement:
        row = await info.context.loaders.statement.load(self.row.statement_id)
        assert row is not None
        return Statement.from_row(row)

    @strawberry.field(description="Its history, oldest first.")
    async def events(self, info: Info) -> list[Event]:
        return await history(info, statuses.EntityKind.LINE_ITEM, self.id)


@strawberry.type(description="One worker's statement for one pay period.")
class Statement(relay.Node):
    id: relay.NodeID[int]
    number: str = strawberry.field(description="Its human-readable number, unique in the company.")
    status: StatementStatus = strawberry.field(description="OPEN, PAID or VOID.")
    version: int = strawberry.field(
        description="Bumped by every change; pass it as expectedVersion."
    )
    pay_date: date | None = strawberry.field(
        description="The date the worker is paid (set when paid)."
    )
    paid_at: datetime | None = strawberry.field(description="When it was marked paid.")
    row: strawberry.Private[models.Statement]

    @classmethod
    def from_row(cls, row: models.Statement) -> Statement:
        return cls(
            id=row.id,
            number=row.number,
            status=row.status,
            version=row.version,
            pay_date=row.pay_date,
            paid_at=row.paid_at,
            row=row,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Statement | None]:
        rows = await info.context.loaders.statement.load_many([int(i) for i in node_ids])
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="The worker it is for.")
    async def worker(self, info: Info) -> Worker:
        row = await info.context.loaders.worker.load(self.row.worker_id)
        assert row is not None
        return Worker.from_row(row)

    @strawberry.field(description="First day of the pay period.")
    async def period_start(self, info: Info) -> date:
        return (await self._period(info)).starts_on

    @strawberry.field(description="Last day of the pay period.")
    async def period_end(self, info: Info) -> date:
        return (await self._period(info)).ends_on

    @strawberry.field(description="The pay period (the payroll window, not the work dates).")
    async def pay_period(self, info: Info) -> PayPeriod:
        return PayPeriod.from_row(await self._period(info))

    async def _period(self, info: Info) -> models.PayPeriod:
        period = await info.context.loaders.pay_period.load(self.row.pay_period_id)
        assert period is not None
        return period

    @strawberry.field(
        description="Where a negative net went when this was paid (its rollover), if anywhere."
    )
    async def carried_to(self, info: Info) -> Statement | None:
        if self.row.carried_to_id is None:
            return None
        row = await info.context.loaders.statement.load(self.row.carried_to_id)
        return Statement.from_row(row) if row else None

    @strawberry.field(description="Its bonuses and deductions.")
    async def line_items(self, info: Info) -> list[LineItem]:
        rows = await info.context.loaders.line_items_of_statement.load(self.id)
        return [LineItem.from_row(r) for r in rows]

    @strawberry.field(description="Its sums by status, and the net to pay.")
    async def totals(self, info: Info) -> StatementTotals:
        rows = await info.context.loaders.line_items_of_statement.load(self.id)
        return StatementTotals.of(figures.totals(self.row, rows))

    @strawberry.field(description="Base wage, bonus per hour and effective wage in the period.")
    async def wages(self, info: Info) -> StatementWages:
        period = await self._period(info)
        key = (self.row.worker_id, period.starts_on, period.ends_on)
        hours, cost = await info.context.loaders.payouts.time_in_period.load(key)
        rows = await info.context.loaders.line_items_of_statement.load(self.id)
        t = figures.totals(self.row, rows)
        return StatementWages.of(figures.wages(t.bonuses + t.deductions, hours, cost))

    @strawberry.field(description="The transitions the caller may fire now.")
    async def available_actions(self, info: Info) -> list[StatementAction]:
        rows = await info.context.loaders.line_items_of_statement.load(self.id)
        view = View(status=self.row.status, line_items=rows, pay_date=self.row.pay_date)
        return STATEMENT_MACHINE.available(
            view, actor=info.context.actor, now=info.context.services.clock()
        )

    @strawberry.field(description="Its history, oldest first.")
    async def events(self, info: Info) -> list[Event]:
        return await history(info, statuses.EntityKind.STATEMENT, self.id)


@strawberry.type(description="A pay period of one payroll cycle: the window statements belong to.")
class PayPeriod(relay.Node):
    id: relay.NodeID[int]
    kind: PeriodKind = strawberry.field(
        description="The pay cycle: weekly, biweekly, semi-monthly or monthly."
    )
    starts_on: date = strawberry.field(description="The period's first day.")
    ends_on: date = strawberry.field(description="The last day (inclusive).")

    @classmethod
    def from_row(cls, row: models.PayPeriod) -> PayPeriod:
        return cls(
            id=row.id,
            kind=periods.PeriodKind(row.kind),
            starts_on=row.starts_on,
            ends_on=row.ends_on,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[PayPeriod | None]:
        rows = await info.context.loaders.pay_period.load_many([int(i) for i in node_ids])
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="Its statements (a worker token: only its own), oldest first.")
    async def statements(
        self,
        info: Info,
        status: list[StatementStatus] | None = None,
        first: int | None = 100,
        after: str | None = None,
    ) -> Connection[Statement]:
        actor = info.context.actor
        where = [models.Statement.pay_period_id == self.id]
        if status:
            where.append(models.Statement.status.in_(status))
        if reads_only_own(actor):
            where.append(models.Statement.worker_id == (actor.worker_id or -1))
        size, cursor = page_args(first, after, default=100)
        page = await queries.page(
            info.context.services,
            models.Statement,
            actor.company_id,
            where=where,
            first=size,
            after=cursor,
        )
        return connection(page, Statement.from_row)
