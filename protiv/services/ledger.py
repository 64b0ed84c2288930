"""Placing line items on statements: the worker's OPEN statement for the pay period a moment
falls in (made when the first item lands), or the next open one when that period is closed.

Which payroll cycle: an approval's items follow the branch of the ProPay's job, a manual item
the worker's branch; a branch without its own cycle (``Branch.pay_period_kind`` unset) pays on
the company's. Periods are in the company's time zone. Items moved on at payment stay in the
cycle of the statement they leave.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from protiv.calc import Share
from protiv.domain.bonus import Bucket, LineItemKind, LineItemSource
from protiv.domain.periods import PayCycle, Period, PeriodKind
from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind, StatementStatus
from protiv.persistence.models import (
    BonusPool,
    Branch,
    Company,
    Job,
    LineItem,
    PayPeriod,
    ProPay,
    Statement,
    Worker,
)
from protiv.services.uow import UnitOfWork

MAX_PERIODS_AHEAD = 260  # five years of weekly periods


def _insert(uow: UnitOfWork, table: type[PayPeriod] | type[Statement]) -> Any:
    return (sqlite_insert if uow.ctx.db.is_sqlite else pg_insert)(table)


async def cycle_of_branch(uow: UnitOfWork, company: Company, branch_id: int | None) -> PayCycle:
    """The branch's own payroll cycle, else the company's."""
    branch = await uow.session.get(Branch, branch_id) if branch_id is not None else None
    return cycle_of(company, branch)


def cycle_of(company: Company, branch: Branch | None) -> PayCycle:
    """The branch's own payroll cycle, else the company's, from rows already loaded."""
    own = (branch.pay_period_kind, branch.pay_period_anchor) if branch is not None else None
    return PayCycle.of((company.pay_period_kind, company.pay_period_anchor), own)


async def cycle_of_worker(uow: UnitOfWork, company: Company, worker: Worker) -> PayCycle:
    return await cycle_of_branch(uow, company, worker.branch_id)


async def cycle_of_pro_pay(uow: UnitOfWork, company: Company, pro_pay_id: int) -> PayCycle:
    branch_id = await uow.session.scalar(
        select(Job.branch_id).join(ProPay, ProPay.job_id == Job.id).where(ProPay.id == pro_pay_id)
    )
    return await cycle_of_branch(uow, company, branch_id)


def local_day(company: Company, moment: datetime) -> Any:
    return moment.astimezone(ZoneInfo(company.timezone)).date()


async def pay_period(
    uow: UnitOfWork, company: Company, kind: PeriodKind, period: Period
) -> PayPeriod:
    """The PayPeriod row for ``period``, made if missing (race-safe: insert or nothing, then
    read again). Most approvals land in a period that exists: one query."""
    row = await _find_period(uow, company, kind, period)
    if row is not None:
        return row
    stmt = (
        _insert(uow, PayPeriod)
        .values(
            company_id=company.id,
            kind=kind.value,
            starts_on=period.starts_on,
            ends_on=period.ends_on,
        )
        .on_conflict_do_nothing(index_elements=["company_id", "kind", "starts_on"])
    )
    await uow.session.execute(stmt)
    row = await _find_period(uow, company, kind, period)
    assert row is not None
    return row


async def _find_period(
    uow: UnitOfWork, company: Company, kind: PeriodKind, period: Period
) -> PayPeriod | None:
    return await uow.session.scalar(
        select(PayPeriod).where(
            PayPeriod.company_id == company.id,
            PayPeriod.kind == kind.value,
            PayPeriod.starts_on == period.starts_on,
        )
    )


async def statement_in(
    uow: UnitOfWork, company: Company, cycle: PayCycle, worker_id: int, period: Period, actor: Actor
) -> Statement:
    """The worker's statement for ``period`` (any status), made OPEN if there is none yet;
    locked for update."""
    row = await pay_period(uow, company, cycle.kind, period)
    inserted = await uow.session.execute(
        _insert(uow, Statement)
        .values(company_id=company.id, worker_id=worker_id, pay_period_id=row.id)
        .on_conflict_do_nothing(index_elements=["worker_id", "pay_period_id"])
        .returning(Statement.id)
    )
    new_id = inserted.scalar()
    statement = await uow.session.scalar(
        select(Statement)
        .where(Statement.worker_id == worker_id, Statement.pay_period_id == row.id)
        .with_for_update()
    )
    assert statement is not None
    if new_id is not None:
        uow.log(EntityKind.STATEMENT, statement, "open", None, actor)
    return statement


async def open_statement(
    uow: UnitOfWork,
    company: Company,
    cycle: PayCycle,
    worker_id: int,
    moment: datetime,
    actor: Actor,
) -> Statement:
    """The worker's OPEN statement for the period holding ``moment`` (company time zone), or
    for the first later period whose statement is still open."""
    return await _first_open(
        uow, company, cycle, worker_id, cycle.period(local_day(company, moment)), actor
    )


async def open_statements(
    uow: UnitOfWork,
    company: Company,
    cycle: PayCycle,
    worker_ids: Iterable[int],
    moment: datetime,
    actor: Actor,
) -> dict[int, Statement]:
    """``open_statement`` for many workers at once, by worker id: the period's row once, the
    missing statements in one insert, all of them locked by one select (in worker order, so
    two approvals sharing workers lock them in the same order); only a worker whose statement
    for the period is no longer OPEN goes on to later periods one by one. Once the week's
    statements exist (most approvals), that is two queries for any crew."""
    period = cycle.period(local_day(company, moment))
    row = await pay_period(uow, company, cycle.kind, period)
    ids = sorted(set(worker_ids))
    found = await _locked_statements(uow, ids, row.id)
    missing = [w for w in ids if w not in found]
    if missing:  # made here (insert or nothing: a racing approval may make some first)
        values = [
            {"company_id": company.id, "worker_id": w, "pay_period_id": row.id} for w in missing
        ]
        inserted = await uow.session.execute(
            _insert(uow, Statement)
            .values(values)
            .on_conflict_do_nothing(index_elements=["worker_id", "pay_period_id"])
            .returning(Statement.id)
        )
        new_ids = set(inserted.scalars())
        made = await _locked_statements(uow, missing, row.id)
        for statement in made.values():
            if statement.id in new_ids:
                uow.log(EntityKind.STATEMENT, statement, "open", None, actor)
        found |= made
    for worker_id, statement in found.items():
        if statement.status is not StatementStatus.OPEN:
            later = cycle.after(period)
            found[worker_id] = await _first_open(uow, company, cycle, worker_id, later, actor)
    return found


async def _locked_statements(
    uow: UnitOfWork, worker_ids: list[int], pay_period_id: int
) -> dict[int, Statement]:
    """The workers' statements of one period, locked for update in worker order."""
    if not worker_ids:
        return {}
    rows = await uow.session.scalars(
        select(Statement)
        .where(Statement.worker_id.in_(worker_ids), Statement.pay_period_id == pay_period_id)
        .order_by(Statement.worker_id)
        .with_for_update()
    )
    return {statement.worker_id: statement for statement in rows}


async def _first_open(
    uow: UnitOfWork,
    company: Company,
    cycle: PayCycle,
    worker_id: int,
    period: Period,
    actor: Actor,
) -> Statement:
    for _ in range(MAX_PERIODS_AHEAD):
        statement = await statement_in(uow, company, cycle, worker_id, period, actor)
        if statement.status is StatementStatus.OPEN:
            return statement
        period = cycle.after(period)
    raise RuntimeError("no open statement within five years; check the pay period settings")


def release_at(
    approved_at: datetime, company: Company, pool: BonusPool | None, bucket: Bucket
) -> datetime:
    """Approval time + max(waiting days, the bucket's retention days)."""
    retention = 0
    if pool is not None:
        retention = {
            Bucket.CREW: pool.retention_days_crew,
            Bucket.CREW_LEAD: pool.retention_days_crew_lead,
            Bucket.MANAGER: pool.retention_days_manager,
            Bucket.OTHER: pool.retention_days_other,
        }.get(bucket, 0)
    return approved_at + timedelta(days=max(company.waiting_days, retention))


async def add_approval_items(
    uow: UnitOfWork,
    *,
    company: Company,
    pool: BonusPool | None,
    shares: Iterable[Share],
    actor: Actor,
    pro_pay_id: int | None,
    group_id: int | None,
    cycle: PayCycle | None = None,
) -> list[LineItem]:
    """One HELD line item per worker and paid bucket, on the worker's statement in the cycle
    of the job's branch (``cycle``, when the caller has it already)."""
    if cycle is None:
        cycle = (
            await cycle_of_pro_pay(uow, company, pro_pay_id)
            if pro_pay_id is not None
            else await cycle_of_branch(uow, company, None)
        )
    paid = [share for share in shares if share.amount > 0]
    statements = await open_statements(
        uow, company, cycle, [share.worker_id for share in paid], uow.now, actor
    )
    items = [
        LineItem(
            company_id=company.id,
            worker_id=share.worker_id,
            statement_id=statements[share.worker_id].id,
            pro_pay_id=pro_pay_id,
            group_id=group_id,
            source=LineItemSource.PRO_PAY_GROUP if group_id else LineItemSource.PRO_PAY,
            kind=LineItemKind.BONUS,
            bucket=share.bucket,
            category="PROPAY",
            amount=share.amount,
            created_at=uow.now,
            release_at=release_at(uow.now, company, pool, share.bucket),
            note=share.reason,
        )
        for share in paid
    ]
    uow.session.add_all(items)
    await uow.session.flush()
    for item in items:
        uow.log(EntityKind.LINE_ITEM, item, "create", None, actor)
    return items


async def period_of(uow: UnitOfWork, statement: Statement) -> tuple[PayCycle, Period]:
    """The statement's period and the cycle it belongs to."""
    row = await uow.session.get_one(PayPeriod, statement.pay_period_id)
    period = Period(row.starts_on, row.ends_on)
    return PayCycle.continuing(PeriodKind(row.kind), period), period


async def next_open_statement(
    uow: UnitOfWork, company: Company, statement: Statement, actor: Actor
) -> Statement:
    """The worker's first OPEN statement after ``statement``'s period, in the same cycle (where
    HELD items and a negative balance go when it is paid)."""
    cycle, period = await period_of(uow, statement)
    return await _first_open(uow, company, cycle, statement.worker_id, cycle.after(period), actor)
