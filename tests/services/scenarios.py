"""Drive ProPays, groups, line items and statements into any status through the services (never
by writing a status), and read back what the lifecycle tests check: rows, events, snapshots.

    ids = await seed(ctx, admin, jobs=2)            # synced jobs -> ACTIVE ProPays
    await drive(ctx, admin, ids[0], PAID)            # approve, release, pay its statements
    before = await snapshot(ctx)                     # every lifecycle row + the event count
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from protiv.domain.bonus import DisqualifierResult
from protiv.domain.errors import DomainError, ErrorCode
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import LineItemStatus, LineItemTrigger, ProPayStatus, ProPayTrigger
from protiv.persistence.database import Database, create_database
from protiv.persistence.models import (
    Base,
    Company,
    Disqualifier,
    Event,
    LineItem,
    PayPeriod,
    ProPay,
    ProPayGroup,
    Statement,
    Worker,
)
from protiv.services import groups, line_items, pro_pays, statements, sync
from protiv.services.calculation import thaw
from protiv.services.context import ServiceContext

PAY_DATE = date(2026, 11, 13)
# The crew of every seeded job: W-1 16 h and W-2 14 h at $50 against a 40 h budget, W-9 manages.
# Budget 2000, actual 1500, saved 500, worker pool 250: W-1 120.00, W-2 105.00, W-9 25.00.
EXPECTED_SHARES = {"W-1": Decimal("120.00"), "W-2": Decimal("105.00"), "W-9": Decimal("25.00")}


# -- the database ------------------------------------------------------------------------------


_ENGINES: dict[str, Database] = {}


async def empty_database(url: str) -> AsyncIterator[Database]:
    """What tests/conftest.py's ``db`` fixture gives, made cheaper for a suite of many short
    tests: the engine is kept for the whole run (so SQLAlchemy compiles each statement once, not
    once per test; its pool is disposed after every test, so no connection outlives the test's
    event loop), and the tables are emptied with DELETE rather than a TRUNCATE of every table
    (0.02 s instead of 0.19 s on PostgreSQL). Ids are not restarted; no test here needs them to be.
    """
    database = _ENGINES.get(url)
    if database is None:
        database = _ENGINES[url] = create_database(url, pool_size=5)
    try:
        async with database.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                await conn.execute(delete(table))
        yield database
    finally:
        await database.dispose()  # the pool only: the engine and its statement cache stay


# -- seeding -----------------------------------------------------------------------------------


def jobs_batch(
    jobs: int = 1, *, no_budget: Iterable[int] = (), solo: bool = False, start: int = 1
) -> dict[str, Any]:
    """``jobs`` jobs on one route, each worked by W-1 (16 h) and W-2 (14 h) and managed by W-9,
    with a 40 h budget except the job numbers in ``no_budget``, which sync without any. ``solo``:
    W-1 alone and no manager, so each approval makes a single line item. Jobs are numbered from
    ``start`` (J-1 ... by default), so a second batch can add more."""
    without = set(no_budget)
    crew = (("W-1", "16"),) if solo else (("W-1", "16"), ("W-2", "14"))
    job_rows = []
    entries = []
    for n in range(start, start + jobs):
        job: dict[str, Any] = {
            "externalId": f"J-{n}",
            "name": f"Job {n}",
            "status": "IN_PROGRESS",
            "branch": "BR-1",
            "route": "RT-1",
        }
        if not solo:
            job["manager"] = "W-9"
        if n not in without:
            job["budgetHours"] = "40"
        job_rows.append(job)
        for worker, worked in crew:
            entries.append(
                {
                    "externalId": f"T-{n}-{worker}",
                    "worker": worker,
                    "job": f"J-{n}",
                    "date": "2026-11-02",
                    "hours": worked,
                }
            )
    return {
        "branches": [{"externalId": "BR-1", "name": "Austin"}],
        "routes": [{"externalId": "RT-1", "name": "Route North", "branch": "BR-1"}],
        "workers": [
            {"externalId": "W-1", "name": "Ana Ruiz", "wage": "50", "branch": "BR-1"},
            {"externalId": "W-2", "name": "Ben Cole", "wage": "50", "branch": "BR-1"},
            {"externalId": "W-3", "name": "Cy Lead", "wage": "50", "role": "CREW_LEAD"},
            {"externalId": "W-9", "name": "Mia Manager", "wage": "40", "role": "MANAGER"},
        ],
        "jobs": job_rows,
        "timeEntries": entries,
    }


async def seed(
    ctx: ServiceContext,
    admin: Actor,
    jobs: int = 1,
    *,
    no_budget: Iterable[int] = (),
    solo: bool = False,
    start: int = 1,
) -> list[int]:
    """Sync ``jobs_batch(...)``; the ids of its new (ACTIVE) ProPays, in job order."""
    batch = jobs_batch(jobs, no_budget=no_budget, solo=solo, start=start)
    report = await sync.sync_batch(ctx, admin, batch)
    assert report.pro_pays_created == jobs, report.as_dict()
    async with ctx.db.read() as session:
        ids = await session.scalars(
            select(ProPay.id).where(ProPay.company_id == admin.company_id).order_by(ProPay.id)
        )
        return list(ids)[-jobs:]


async def workers(ctx: ServiceContext) -> dict[str, int]:
    """Worker ids by external id."""
    async with ctx.db.read() as session:
        return {w.external_id: w.id for w in await session.scalars(select(Worker))}


async def stranger(ctx: ServiceContext) -> Actor:
    """An admin of another company (whose lookups of our ids must find nothing)."""
    async with ctx.db.write() as session, session.begin():
        other = Company(slug="elsewhere", name="Elsewhere Lawns")
        session.add(other)
    return Actor(company_id=other.id, role=Role.ADMIN, name="eve")


async def add_disqualifier(
    ctx: ServiceContext, pro_pay_id: int, result: DisqualifierResult = DisqualifierResult.PENDING
) -> None:
    """Setup by hand (there is no service for it yet): a disqualifier question on a ProPay."""
    async with ctx.db.write() as session, session.begin():
        session.add(Disqualifier(pro_pay_id=pro_pay_id, name="Site left clean", result=result))


async def make_group(ctx: ServiceContext, actor: Actor, pro_pay_ids: Sequence[int]) -> int:
    group = await groups.create(ctx, actor, "Route North, week 45", pro_pay_ids)
    return group.id


# -- driving -----------------------------------------------------------------------------------


async def release_all(ctx: ServiceContext, actor: Actor, pro_pay_id: int) -> None:
    """Release every HELD item of the ProPay by hand (the waiting period is not waited out)."""
    for item in await items_of(ctx, pro_pay_id):
        if item.status is LineItemStatus.HELD:
            await line_items.transition(ctx, actor, item.id, LineItemTrigger.RELEASE)


async def pay_statements_of(
    ctx: ServiceContext, actor: Actor, pro_pay_id: int, *, only: int | None = None
) -> list[int]:
    """Pay the OPEN statements holding the ProPay's PAYABLE items (``only``: the first n)."""
    ids = sorted(
        {
            i.statement_id
            for i in await items_of(ctx, pro_pay_id)
            if i.status is LineItemStatus.PAYABLE
        }
    )
    ids = ids if only is None else ids[:only]
    for statement_id in ids:
        await statements.pay(ctx, actor, statement_id, PAY_DATE)
    return ids


async def drive(ctx: ServiceContext, actor: Actor, pro_pay_id: int, status: ProPayStatus) -> None:
    """Take an ACTIVE ProPay to ``status`` through the services."""
    if status is ProPayStatus.ACTIVE:
        return
    if status is ProPayStatus.CANCELED:
        await pro_pays.cancel(ctx, actor, pro_pay_id, reason="paused")
        return
    if status is ProPayStatus.DELETED:
        await pro_pays.delete(ctx, actor, pro_pay_id, reason="duplicate")
        return
    await pro_pays.approve(ctx, actor, pro_pay_id)
    if status is ProPayStatus.PAID:
        await release_all(ctx, actor, pro_pay_id)
        await pay_statements_of(ctx, actor, pro_pay_id)
    assert (await load_pro_pay(ctx, pro_pay_id)).status is status


async def approve_with_one_paid(ctx: ServiceContext, actor: Actor, pro_pay_id: int) -> None:
    """APPROVED with exactly one line item PAID (its statement paid), the rest HELD."""
    await pro_pays.approve(ctx, actor, pro_pay_id)
    first = (await items_of(ctx, pro_pay_id))[0]
    await line_items.transition(ctx, actor, first.id, LineItemTrigger.RELEASE)
    await statements.pay(ctx, actor, first.statement_id, PAY_DATE)


async def drive_group(
    ctx: ServiceContext, actor: Actor, group_id: int, status: ProPayStatus
) -> None:
    """Take an ACTIVE group to ``status`` through the services."""
    if status is ProPayStatus.ACTIVE:
        return
    trigger = {
        ProPayStatus.CANCELED: ProPayTrigger.CANCEL,
        ProPayStatus.DELETED: ProPayTrigger.DELETE,
    }.get(status, ProPayTrigger.APPROVE)
    await groups.transition(ctx, actor, group_id, trigger, reason="setup")
    if status is ProPayStatus.PAID:
        for member in (await load_group(ctx, group_id)).members:
            await release_all(ctx, actor, member.id)
        for member in (await load_group(ctx, group_id)).members:
            await pay_statements_of(ctx, actor, member.id)
    assert (await load_group(ctx, group_id)).status is status


# -- reading -----------------------------------------------------------------------------------


async def load_pro_pay(ctx: ServiceContext, pro_pay_id: int) -> ProPay:
    async with ctx.db.read() as session:
        return (
            await session.scalars(
                select(ProPay)
                .where(ProPay.id == pro_pay_id)
                .options(selectinload(ProPay.line_items), selectinload(ProPay.disqualifiers))
            )
        ).one()


async def load_group(ctx: ServiceContext, group_id: int) -> ProPayGroup:
    async with ctx.db.read() as session:
        return (
            await session.scalars(
                select(ProPayGroup)
                .where(ProPayGroup.id == group_id)
                .options(selectinload(ProPayGroup.members).selectinload(ProPay.line_items))
            )
        ).one()


async def items_of(ctx: ServiceContext, pro_pay_id: int) -> list[LineItem]:
    async with ctx.db.read() as session:
        return list(
            await session.scalars(
                select(LineItem).where(LineItem.pro_pay_id == pro_pay_id).order_by(LineItem.id)
            )
        )


async def load_item(ctx: ServiceContext, item_id: int) -> LineItem:
    async with ctx.db.read() as session:
        return await session.get_one(LineItem, item_id)


def release_of(item: LineItem) -> datetime:
    """An approval item's ``release_at`` (always set for those)."""
    assert item.release_at is not None
    return item.release_at


async def load_statement(ctx: ServiceContext, statement_id: int) -> Statement:
    async with ctx.db.read() as session:
        return (
            await session.scalars(
                select(Statement)
                .where(Statement.id == statement_id)
                .options(selectinload(Statement.line_items), selectinload(Statement.pay_period))
            )
        ).one()


async def statements_of(ctx: ServiceContext, worker_id: int) -> list[Statement]:
    """A worker's statements, earliest period first."""
    async with ctx.db.read() as session:
        return list(
            await session.scalars(
                select(Statement)
                .join(PayPeriod, PayPeriod.id == Statement.pay_period_id)
                .where(Statement.worker_id == worker_id)
                .order_by(PayPeriod.starts_on)
                .options(selectinload(Statement.line_items), selectinload(Statement.pay_period))
            )
        )


def frozen_shares(calculation: str | None) -> Counter[tuple[int, str]]:
    """The amounts of a frozen breakdown by (worker id, bucket), in cents."""
    assert calculation is not None
    shares: Counter[tuple[int, str]] = Counter()
    for share in thaw(calculation)["shares"]:
        shares[(int(share["worker_id"]), share["bucket"])] += int(Decimal(share["amount"]) * 100)
    return +shares


def item_shares(items: Iterable[LineItem]) -> Counter[tuple[int, str]]:
    """The same, over line items."""
    shares: Counter[tuple[int, str]] = Counter()
    for item in items:
        assert item.bucket is not None
        shares[(item.worker_id, item.bucket.value)] += int(item.amount * 100)
    return +shares


# -- the event log and "nothing changed" -------------------------------------------------------

Shape = Counter[tuple[str, str, str | None, str]]  # events by (entity, trigger, from, to)
TRACKED = (
    "pro_pay",
    "pro_pay_group",
    "line_item",
    "statement",
    "pay_period",
    "disqualifier",
    "time_entry",
)


async def snapshot(ctx: ServiceContext) -> dict[str, Any]:
    """Every row of every lifecycle table (all columns) and the number of events."""
    found: dict[str, Any] = {}
    async with ctx.db.read() as session:
        for name in TRACKED:
            table = Base.metadata.tables[name]
            rows = await session.execute(select(table).order_by(table.c.id))
            found[name] = [tuple(row) for row in rows]
        found["events"] = await session.scalar(select(func.count()).select_from(Event))
    return found


class Log:
    """The events written since ``mark()``."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.after = 0

    async def mark(self) -> None:
        async with self.ctx.db.read() as session:
            self.after = int(await session.scalar(select(func.max(Event.id))) or 0)

    async def new(self) -> list[Event]:
        async with self.ctx.db.read() as session:
            return list(
                await session.scalars(select(Event).where(Event.id > self.after).order_by(Event.id))
            )

    async def shape(self) -> Shape:
        """The new events counted by (entity, trigger, from, to)."""
        return Counter(
            (e.entity.value, e.trigger, e.from_status, e.to_status) for e in await self.new()
        )


def ev(entity: str, trigger: str, source: str | None, dest: str, n: int = 1) -> Shape:
    """``n`` events of one kind, to add up into what an action must write."""
    return Counter({(entity, trigger, source, dest): n})


async def refused(
    ctx: ServiceContext, call: Callable[[], Awaitable[object]], code: ErrorCode
) -> DomainError:
    """Run ``call``: it must raise ``code`` and leave every row, and the event count, as it was."""
    before = await snapshot(ctx)
    with pytest.raises(DomainError) as caught:
        await call()
    assert caught.value.code is code, caught.value.message
    assert await snapshot(ctx) == before
    return caught.value
