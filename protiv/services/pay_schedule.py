"""Payroll cycles and the waiting period (admin): the company's cycle (kind, anchor date that
fixes the start day) and waiting days, and a branch's own cycle (or none, to follow the
company's). New line items land by the cycle in force when they are placed; statements already
made keep their periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from protiv.domain.errors import NotFound, ValidationFailed
from protiv.domain.periods import PayCycle, PeriodKind
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.persistence.models import Branch, Company
from protiv.services.context import ServiceContext
from protiv.services.uow import UnitOfWork

MAX_WAITING_DAYS = 365


@dataclass(frozen=True, slots=True)
class BranchCycle:
    branch_id: int
    name: str
    cycle: PayCycle | None  # None: the company's


@dataclass(frozen=True, slots=True)
class Schedule:
    cycle: PayCycle
    waiting_days: int
    timezone: str
    branches: list[BranchCycle]


async def read(ctx: ServiceContext, company_id: int) -> Schedule:
    async with ctx.db.read() as session:
        company = await session.get_one(Company, company_id)
        branches = list(
            await session.scalars(
                select(Branch).where(Branch.company_id == company_id).order_by(Branch.id)
            )
        )
    return _schedule(company, branches)


def _schedule(company: Company, branches: list[Branch]) -> Schedule:
    own = PayCycle.of((company.pay_period_kind, company.pay_period_anchor))
    return Schedule(
        cycle=own,
        waiting_days=company.waiting_days,
        timezone=company.timezone,
        branches=[
            BranchCycle(
                b.id,
                b.name,
                PayCycle.of(
                    (company.pay_period_kind, company.pay_period_anchor),
                    (b.pay_period_kind, b.pay_period_anchor),
                )
                if b.pay_period_kind
                else None,
            )
            for b in branches
        ],
    )


async def update_company(
    ctx: ServiceContext,
    actor: Actor,
    *,
    kind: PeriodKind | None = None,
    anchor: date | None = None,
    waiting_days: int | None = None,
) -> Schedule:
    """Change what is given; leave the rest."""
    require(actor, "pay_schedule.manage")
    if waiting_days is not None and not 0 <= waiting_days <= MAX_WAITING_DAYS:
        raise ValidationFailed(
            f"waitingDays must be 0 to {MAX_WAITING_DAYS}.", field=["waitingDays"]
        )
    async with UnitOfWork(ctx) as uow:
        company = await uow.session.get_one(Company, actor.company_id, with_for_update=True)
        if kind is not None:
            company.pay_period_kind = kind.value
        if anchor is not None:
            company.pay_period_anchor = anchor
        if waiting_days is not None:
            company.waiting_days = waiting_days
        await uow.commit()
    return await read(ctx, actor.company_id)


async def update_branch(
    ctx: ServiceContext,
    actor: Actor,
    branch_id: int,
    *,
    kind: PeriodKind | None,
    anchor: date | None = None,
) -> Schedule:
    """The branch's own cycle (``kind`` and optionally ``anchor``, else the company's anchor),
    or none (``kind`` None: the branch follows the company again)."""
    require(actor, "pay_schedule.manage")
    if kind is None and anchor is not None:
        raise ValidationFailed(
            "An anchor needs a kind (or give neither, to clear).", field=["anchor"]
        )
    async with UnitOfWork(ctx) as uow:
        branch = await uow.session.scalar(
            select(Branch)
            .where(Branch.id == branch_id, Branch.company_id == actor.company_id)
            .with_for_update()
        )
        if branch is None:
            raise NotFound("No branch with that id.", field=["branchId"])
        branch.pay_period_kind = kind.value if kind is not None else None
        branch.pay_period_anchor = anchor if kind is not None else None
        await uow.commit()
    return await read(ctx, actor.company_id)
