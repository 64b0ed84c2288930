"""Line items and statements as GraphQL nodes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry import relay

from protiv.domain import statuses
from protiv.domain.money import ZERO
from protiv.persistence import models
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
from statemachines.line_item import MACHINE as LINE_ITEM_MACHINE
from statemachines.statement import MACHINE as STATEMENT_MACHINE

LIVE = (statuses.LineItemStatus.HELD, statuses.LineItemStatus.PAYABLE, statuses.LineItemStatus.PAID)


@strawberry.type(description="One bonus or deduction for one worker, on a statement.")
class LineItem(relay.Node):
    id: relay.NodeID[int]
    status: LineItemStatus
    version: int
    amount: Decimal
    kind: LineItemKind
    bucket: Bucket | None
    category: str
    created_at: datetime
    release_at: datetime | None = strawberry.field(description="When a HELD item is released.")
    hold_reason: str | None
    void_reason: str | None
    paid_at: datetime | None
    note: str | None
    row: strawberry.Private[models.LineItem]

    @classmethod
    def from_row(cls, row: models.LineItem) -> LineItem:
        return cls(
            id=row.id,
            status=row.status,
            version=row.version,
            amount=row.amount,
            kind=row.kind,
            bucket=row.bucket,
            category=row.category,
            created_at=row.created_at,
            release_at=row.release_at,
            hold_reason=row.hold_reason,
            void_reason=row.void_reason,
            paid_at=row.paid_at,
            note=row.note,
            row=row,
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

    @strawberry.field
    async def worker(self, info: Info) -> Worker:
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


@strawberry.type(description="A statement's figures; held items are not yet owed.")
class StatementTotals:
    bonuses: Decimal
    deductions: Decimal
    rollover: Decimal
    net: Decimal = strawberry.field(description="Bonuses + deductions + rollover, over live items.")
    held: Decimal
    payable: Decimal
    paid: Decimal


@strawberry.type(description="One worker's statement for one pay period.")
class Statement(relay.Node):
    id: relay.NodeID[int]
    number: str
    status: StatementStatus
    version: int
    pay_date: date | None
    paid_at: datetime | None
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

    @strawberry.field
    async def worker(self, info: Info) -> Worker:
        row = await info.context.loaders.worker.load(self.row.worker_id)
        assert row is not None
        return Worker.from_row(row)

    @strawberry.field(description="First day of the pay period.")
    async def period_start(self, info: Info) -> date:
        period = await info.context.loaders.pay_period.load(self.row.pay_period_id)
        assert period is not None
        return period.starts_on

    @strawberry.field(description="Last day of the pay period.")
    async def period_end(self, info: Info) -> date:
        period = await info.context.loaders.pay_period.load(self.row.pay_period_id)
        assert period is not None
        return period.ends_on

    @strawberry.field
    async def line_items(self, info: Info) -> list[LineItem]:
        rows = await info.context.loaders.line_items_of_statement.load(self.id)
        return [LineItem.from_row(r) for r in rows]

    @strawberry.field
    async def totals(self, info: Info) -> StatementTotals:
        rows = await info.context.loaders.line_items_of_statement.load(self.id)
        return totals(rows, self.row.rollover)

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


def totals(rows: list[models.LineItem], rollover: Decimal) -> StatementTotals:
    def total(items: Iterable[models.LineItem]) -> Decimal:
        return sum((i.amount for i in items), ZERO)

    live = [r for r in rows if r.status in LIVE]
    bonuses = total(r for r in live if r.amount > 0)
    deductions = total(r for r in live if r.amount < 0)
    return StatementTotals(
        bonuses=bonuses,
        deductions=deductions,
        rollover=rollover,
        net=bonuses + deductions + rollover,
        held=total(r for r in live if r.status is statuses.LineItemStatus.HELD),
        payable=total(r for r in live if r.status is statuses.LineItemStatus.PAYABLE),
        paid=total(r for r in live if r.status is statuses.LineItemStatus.PAID),
    )
