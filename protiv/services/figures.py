"""A statement's figures (research §1.3 "Bonus statement", §3.8), computed on read from its
line items, so they follow every change at once:

    bonuses, deductions       the live (not voided) items, positive and negative
    rollover                  a negative balance carried in from the worker's previous statement
    net                       bonuses + deductions + rollover
    carried_forward           a negative net carried out to the next statement at payment
    written_off               a negative net written off at payment (the pool does not roll over)
    payout                    net - carried_forward - written_off: what payroll pays (never < 0
                              for a paid statement)
    held, payable, paid       the live items by status
    base wage                 hours-weighted average wage of the worker's time in the period
    bonus per hour            (bonuses + deductions) / hours; effective wage = base + bonus per hour
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from protiv.domain.money import ZERO, cents
from protiv.domain.statuses import LineItemStatus
from protiv.persistence.models import LineItem, Statement, TimeEntry, Worker
from protiv.services.context import ServiceContext

LIVE = (LineItemStatus.HELD, LineItemStatus.PAYABLE, LineItemStatus.PAID)


@dataclass(frozen=True, slots=True)
class Totals:
    bonuses: Decimal
    deductions: Decimal
    rollover: Decimal
    net: Decimal
    carried_forward: Decimal
    written_off: Decimal
    payout: Decimal
    held: Decimal
    payable: Decimal
    paid: Decimal


@dataclass(frozen=True, slots=True)
class Wages:
    hours: Decimal
    base_wage: Decimal | None
    bonus_per_hour: Decimal | None
    effective_wage: Decimal | None


def _sum(items: Iterable[LineItem]) -> Decimal:
    return cents(sum((i.amount for i in items), ZERO))


def totals(statement: Statement, items: Sequence[LineItem]) -> Totals:
    live = [i for i in items if i.status in LIVE]
    bonuses = _sum(i for i in live if i.amount > 0)
    deductions = _sum(i for i in live if i.amount < 0)
    rollover, carried, written_off = (
        cents(statement.rollover),
        cents(statement.carried_forward),
        cents(statement.written_off),
    )
    net = bonuses + deductions + rollover
    return Totals(
        bonuses=bonuses,
        deductions=deductions,
        rollover=rollover,
        net=net,
        carried_forward=carried,
        written_off=written_off,
        payout=net - carried - written_off,
        held=_sum(i for i in live if i.status is LineItemStatus.HELD),
        payable=_sum(i for i in live if i.status is LineItemStatus.PAYABLE),
        paid=_sum(i for i in live if i.status is LineItemStatus.PAID),
    )


def wages(items_total: Decimal, hours: Decimal, cost: Decimal) -> Wages:
    """``items_total``: bonuses + deductions; ``hours`` and ``cost`` (Σ hours × wage) of the
    worker's time in the period. No time, no rates (None)."""
    hours = cents(hours)  # hours are shown to the hundredth, like money
    if hours <= 0:
        return Wages(hours=hours, base_wage=None, bonus_per_hour=None, effective_wage=None)
    base = cents(cost / hours)
    per_hour = cents(items_total / hours)
    return Wages(
        hours=hours, base_wage=base, bonus_per_hour=per_hour, effective_wage=base + per_hour
    )


TimeKey = tuple[int, date, date]  # worker id, first and last day of the period


async def time_in_periods(
    ctx: ServiceContext, company_id: int, keys: Sequence[TimeKey]
) -> list[tuple[Decimal, Decimal]]:
    """For each (worker, period) key: the hours the worker logged in it and their cost at the
    worker's wage, in one query for all keys."""
    wanted = set(keys)
    if not wanted:
        return []
    in_any = or_(
        *(
            and_(TimeEntry.worker_id == w, TimeEntry.work_date.between(start, end))
            for w, start, end in wanted
        )
    )
    stmt = (
        select(TimeEntry.worker_id, TimeEntry.work_date, func.sum(TimeEntry.hours), Worker.wage)
        .join(Worker, Worker.id == TimeEntry.worker_id)
        .where(TimeEntry.company_id == company_id, in_any)
        .group_by(TimeEntry.worker_id, TimeEntry.work_date, Worker.wage)
    )
    async with ctx.db.read() as session:
        rows = (await session.execute(stmt)).all()
    by_worker: dict[int, list[tuple[date, Decimal, Decimal]]] = defaultdict(list)
    for worker_id, day, hours, wage in rows:
        by_worker[worker_id].append((day, Decimal(hours), wage))
    found: dict[TimeKey, tuple[Decimal, Decimal]] = {}
    for key in wanted:
        worker_id, start, end = key
        days = [(h, wage) for d, h, wage in by_worker[worker_id] if start <= d <= end]
        found[key] = (sum((h for h, _ in days), ZERO), sum((h * w for h, w in days), ZERO))
    return [found[key] for key in keys]
