"""The payroll export (research §2.4: "Bonuses for Payroll" → CSV): the PAID statements of a
pay period, one row per statement, with what payroll needs to pay it: the worker, their payroll
id, the period, the pay date and the amounts by category.

Amount columns: ``propay`` (approval items), one per manual category (``custom`` sums every
custom label), ``rollover`` (a negative balance carried in), ``carried_forward`` and
``written_off`` (a negative net carried out or forgiven) and ``net_pay`` (what is paid: the
items plus the rollover, less what was carried out or written off; never negative).

Text cells that a spreadsheet would run as a formula (starting with = + - @ or a control
character) are prefixed with an apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from protiv.domain.errors import NotFound
from protiv.domain.money import ZERO
from protiv.domain.payouts import ManualCategory
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.domain.statuses import LineItemStatus, StatementStatus
from protiv.persistence.models import PayPeriod, Statement, Worker
from protiv.services.context import ServiceContext

CATEGORIES = ("PROPAY", *(c.value for c in ManualCategory))
COLUMNS = (
    "worker",
    "worker_external_id",
    "payroll_id",
    "statement",
    "period_start",
    "period_end",
    "pay_date",
    *(c.lower() for c in CATEGORIES),
    "rollover",
    "carried_forward",
    "written_off",
    "net_pay",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Export:
    filename: str
    csv: str
    rows: int
    total: Decimal


async def export_period(ctx: ServiceContext, actor: Actor, period_id: int) -> Export:
    """The CSV of one pay period (by id)."""
    require(actor, "payroll.export")
    async with ctx.db.read() as session:
        period = await session.scalar(
            select(PayPeriod).where(
                PayPeriod.id == period_id, PayPeriod.company_id == actor.company_id
            )
        )
    if period is None:
        raise NotFound("No pay period with that id.", field=["periodId"])
    return await _export(ctx, actor, [period])


async def export_starting(ctx: ServiceContext, actor: Actor, starts_on: date) -> Export:
    """The CSV of the pay period(s) starting on ``starts_on`` (one per payroll cycle in use)."""
    require(actor, "payroll.export")
    async with ctx.db.read() as session:
        periods = list(
            await session.scalars(
                select(PayPeriod)
                .where(PayPeriod.company_id == actor.company_id, PayPeriod.starts_on == starts_on)
                .order_by(PayPeriod.id)
            )
        )
    if not periods:
        raise NotFound(f"No pay period starts on {starts_on.isoformat()}.", field=["period"])
    return await _export(ctx, actor, periods)


async def _export(ctx: ServiceContext, actor: Actor, periods: Sequence[PayPeriod]) -> Export:
    by_id = {p.id: p for p in periods}
    async with ctx.db.read() as session:
        rows = list(
            await session.execute(
                select(Statement, Worker)
                .join(Worker, Worker.id == Statement.worker_id)
                .where(
                    Statement.company_id == actor.company_id,
                    Statement.pay_period_id.in_(by_id),
                    Statement.status == StatementStatus.PAID,
                )
                .order_by(Worker.name, Worker.id, Statement.id)
                .options(selectinload(Statement.line_items))
            )
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    total = ZERO
    for statement, worker in rows:
        line, net = _line(statement, worker, by_id[statement.pay_period_id])
        writer.writerow(line)
        total += net
    first = min(p.starts_on for p in periods)
    return Export(f"payroll-{first.isoformat()}.csv", out.getvalue(), len(rows), total)


def _line(statement: Statement, worker: Worker, period: PayPeriod) -> tuple[list[str], Decimal]:
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in statement.line_items:
        if item.status is LineItemStatus.PAID:
            category = item.category if item.category in CATEGORIES else "CUSTOM"
            amounts[category] += item.amount
    net = (
        sum(amounts.values(), ZERO)
        + statement.rollover
        - statement.carried_forward
        - statement.written_off
    )
    text = [
        worker.name,
        worker.external_id,
        worker.payroll_id or "",
        statement.number,
        period.starts_on.isoformat(),
        period.ends_on.isoformat(),
        statement.pay_date.isoformat() if statement.pay_date else "",
    ]
    money = [amounts[c] for c in CATEGORIES]
    money += [statement.rollover, statement.carried_forward, statement.written_off, net]
    return [_safe(t) for t in text] + [f"{m:.2f}" for m in money], net


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell
