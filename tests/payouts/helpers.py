"""Seeding and reading for the payout tests, through the services only (never a status
written by hand): synced jobs, approvals, and what the ledger holds afterwards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from protiv.domain.roles import Actor
from protiv.domain.statuses import LineItemStatus
from protiv.persistence.models import Event, LineItem, ProPay, Statement, Worker
from protiv.services import pro_pays, sync
from protiv.services.context import ServiceContext

PAY_DATE = date(2026, 11, 13)
D = Decimal
# Every job below: W-1 16 h and W-2 14 h at $50 against a 40 h budget, W-9 managing.
# Saved 500, pool 250: W-1 120.00, W-2 105.00, W-9 25.00.
SHARES = {"W-1": D("120.00"), "W-2": D("105.00"), "W-9": D("25.00")}


def batch(jobs: int = 1, *, start: int = 1, day: str = "2026-11-02") -> dict[str, Any]:
    rows, entries = [], []
    for n in range(start, start + jobs):
        rows.append(
            {
                "externalId": f"J-{n}",
                "name": f"Job {n}",
                "status": "IN_PROGRESS",
                "branch": "BR-1",
                "route": "RT-1",
                "manager": "W-9",
                "budgetHours": "40",
            }
        )
        for worker, hours in (("W-1", "16"), ("W-2", "14")):
            entries.append(
                {
                    "externalId": f"T-{n}-{worker}",
                    "worker": worker,
                    "job": f"J-{n}",
                    "date": day,
                    "hours": hours,
                }
            )
    return {
        "branches": [{"externalId": "BR-1", "name": "Austin"}],
        "routes": [{"externalId": "RT-1", "name": "Route North", "branch": "BR-1"}],
        "workers": [
            {"externalId": "W-1", "name": "Ana Ruiz", "wage": "50", "branch": "BR-1"},
            {"externalId": "W-2", "name": "Ben Cole", "wage": "50", "branch": "BR-1"},
            {"externalId": "W-9", "name": "Mia Manager", "wage": "40", "role": "MANAGER"},
        ],
        "jobs": rows,
        "timeEntries": entries,
    }


async def seed(ctx: ServiceContext, admin: Actor, jobs: int = 1, *, start: int = 1) -> list[int]:
    """Sync ``jobs`` jobs; the ids of their new ACTIVE ProPays, in job order."""
    report = await sync.sync_batch(ctx, admin, batch(jobs, start=start))
    assert report.pro_pays_created == jobs, report.as_dict()
    async with ctx.db.read() as session:
        ids = await session.scalars(
            select(ProPay.id).where(ProPay.company_id == admin.company_id).order_by(ProPay.id)
        )
        return list(ids)[-jobs:]


async def approved(
    ctx: ServiceContext, admin: Actor, jobs: int = 1, *, start: int = 1
) -> list[int]:
    ids = await seed(ctx, admin, jobs, start=start)
    for pro_pay_id in ids:
        await pro_pays.approve(ctx, admin, pro_pay_id)
    return ids


async def workers(ctx: ServiceContext) -> dict[str, int]:
    async with ctx.db.read() as session:
        return {w.external_id: w.id for w in await session.scalars(select(Worker))}


async def items(ctx: ServiceContext, **where: Any) -> list[LineItem]:
    """Line items (oldest first), narrowed by column equality: ``items(ctx, worker_id=3)``."""
    stmt = select(LineItem).order_by(LineItem.id)
    for column, value in where.items():
        stmt = stmt.where(getattr(LineItem, column) == value)
    async with ctx.db.read() as session:
        return list(await session.scalars(stmt))


async def statement(ctx: ServiceContext, statement_id: int) -> Statement:
    async with ctx.db.read() as session:
        return (
            await session.scalars(
                select(Statement)
                .where(Statement.id == statement_id)
                .options(selectinload(Statement.line_items), selectinload(Statement.pay_period))
            )
        ).one()


async def statements(ctx: ServiceContext, worker_id: int | None = None) -> list[Statement]:
    stmt = (
        select(Statement)
        .order_by(Statement.id)
        .options(selectinload(Statement.line_items), selectinload(Statement.pay_period))
    )
    if worker_id is not None:
        stmt = stmt.where(Statement.worker_id == worker_id)
    async with ctx.db.read() as session:
        return list(await session.scalars(stmt))


async def pro_pay(ctx: ServiceContext, pro_pay_id: int) -> ProPay:
    async with ctx.db.read() as session:
        return (
            await session.scalars(
                select(ProPay)
                .where(ProPay.id == pro_pay_id)
                .options(selectinload(ProPay.line_items))
            )
        ).one()


class Log:
    """The events written since ``mark()``, as (entity, trigger, from, to) tuples."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.last = 0

    async def mark(self) -> None:
        async with self.ctx.db.read() as session:
            self.last = int(await session.scalar(select(func.coalesce(func.max(Event.id), 0))) or 0)

    async def new(self) -> list[Event]:
        async with self.ctx.db.read() as session:
            return list(
                await session.scalars(select(Event).where(Event.id > self.last).order_by(Event.id))
            )

    async def shape(self) -> list[tuple[str, str, str | None, str]]:
        return [(e.entity.value, e.trigger, e.from_status, e.to_status) for e in await self.new()]


def live_sum(rows: Sequence[LineItem]) -> Decimal:
    return sum((i.amount for i in rows if i.status is not LineItemStatus.VOIDED), D(0))
