"""Placing line items on statements: the worker's OPEN statement for the pay period a moment
falls in (made when the first item lands), or the next open one when that period is closed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from protiv.calc import Share
from protiv.domain.bonus import Bucket, LineItemKind, LineItemSource
from protiv.domain.periods import Period, PeriodKind, next_period, period_containing
from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind, StatementStatus
from protiv.persistence.models import BonusPool, Company, LineItem, PayPeriod, Statement
from protiv.services.uow import UnitOfWork

MAX_PERIODS_AHEAD = 60


def _insert(uow: UnitOfWork, table: type[PayPeriod] | type[Statement]):  # type: ignore[no-untyped-def]
    return (sqlite_insert if uow.ctx.db.is_sqlite else pg_insert)(table)


async def pay_period(uow: UnitOfWork, company: Company, period: Period) -> PayPeriod:
    """The PayPeriod row for ``period``, made if missing (race-safe: insert or nothing)."""
    stmt = (
        _insert(uow, PayPeriod)
        .values(company_id=company.id, starts_on=period.starts_on, ends_on=period.ends_on)
        .on_conflict_do_nothing(index_elements=["company_id", "starts_on"])
    )
    await uow.session.execute(stmt)
    row = await uow.session.scalar(
        select(PayPeriod).where(
            PayPeriod.company_id == company.id, PayPeriod.starts_on == period.starts_on
        )
    )
    assert row is not None
    return row


async def open_statement(
    uow: UnitOfWork, company: Company, worker_id: int, moment: datetime, actor: Actor
) -> Statement:
    """The worker's OPEN statement for the period holding ``moment`` (company time zone), or
    for the first later period whose statement is still open."""
    kind = PeriodKind(company.pay_period_kind)
    period = period_containing(
        moment.astimezone(ZoneInfo(company.timezone)).date(), kind, company.pay_period_anchor
    )
    for _ in range(MAX_PERIODS_AHEAD):
        statement = await _statement_in(uow, company, worker_id, period, actor)
        if statement.status is StatementStatus.OPEN:
            return statement
        period = next_period(period, kind, company.pay_period_anchor)
    raise RuntimeError("no open statement within five years; check the pay period settings")


async def _statement_in(
    uow: UnitOfWork, company: Company, worker_id: int, period: Period, actor: Actor
) -> Statement:
    row = await pay_period(uow, company, period)
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
) -> list[LineItem]:
    """One HELD line item per worker and paid bucket, on the worker's statement."""
    items: list[LineItem] = []
    for share in shares:
        if share.amount <= 0:
            continue
        statement = await open_statement(uow, company, share.worker_id, uow.now, actor)
        item = LineItem(
            company_id=company.id,
            worker_id=share.worker_id,
            statement_id=statement.id,
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
        uow.session.add(item)
        items.append(item)
    await uow.session.flush()
    for item in items:
        uow.log(EntityKind.LINE_ITEM, item, "create", None, actor)
    return items


async def next_open_statement(
    uow: UnitOfWork, company: Company, statement: Statement, actor: Actor
) -> Statement:
    """The worker's first OPEN statement after ``statement``'s period (where HELD items go)."""
    period = await uow.session.get_one(PayPeriod, statement.pay_period_id)
    kind = PeriodKind(company.pay_period_kind)
    following = next_period(
        Period(period.starts_on, period.ends_on), kind, company.pay_period_anchor
    )
    for _ in range(MAX_PERIODS_AHEAD):
        candidate = await _statement_in(uow, company, statement.worker_id, following, actor)
        if candidate.status is StatementStatus.OPEN:
            return candidate
        following = next_period(following, kind, company.pay_period_anchor)
    raise RuntimeError("no open statement within five years; check the pay period settings")
