"""Statement use cases: pay (its PAYABLE items paid, HELD items moved to the next open
statement, a negative balance rolled over or written off, ProPays settled), void, and reopen
when paid in error. Paying a whole period at once: protiv/services/payouts.py."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import selectinload

from protiv.domain.roles import Actor
from protiv.domain.statuses import StatementStatus, StatementTrigger, VoidReason
from protiv.persistence.models import Company, Event, Statement
from protiv.services import balances, cascades, paying
from protiv.services.context import ServiceContext
from protiv.services.results import Transitioned
from protiv.services.uow import UnitOfWork
from statemachines.base import Via
from statemachines.statement import MACHINE as STATEMENT

LOAD = (selectinload(Statement.line_items),)


async def pay(
    ctx: ServiceContext,
    actor: Actor,
    statement_id: int,
    pay_date: date | None,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Transitioned[Statement]:
    """OPEN → PAID with a pay date."""
    async with UnitOfWork(ctx) as uow:
        statement = await _lock(uow, actor, statement_id, expected_version)
        (event,) = await paying.pay_statements(uow, [statement], actor, pay_date, reason=reason)
        await uow.commit()
    return Transitioned(statement, event)


async def void(
    ctx: ServiceContext,
    actor: Actor,
    statement_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Transitioned[Statement]:
    """OPEN → VOID: its unpaid items are voided with it; its rollover passes to the worker's
    next open statement."""
    async with UnitOfWork(ctx) as uow:
        statement = await _lock(uow, actor, statement_id, expected_version)
        target = None
        _check(uow, statement, StatementTrigger.VOID, actor)
        if statement.status is StatementStatus.OPEN:
            company = await uow.session.get_one(Company, statement.company_id)
            target = await balances.pass_on_rollover(uow, company, statement, actor)
        event = await uow.fire(STATEMENT, statement, StatementTrigger.VOID, actor, reason=reason)
        if target is not None:
            balances.log_rollover(uow, statement, target, actor)
        await cascades.void_unpaid(uow, statement.line_items, actor, VoidReason.STATEMENT_VOIDED)
        ids = {i.pro_pay_id for i in statement.line_items if i.pro_pay_id is not None}
        await cascades.settle_pro_pays(uow, ids, actor)
        await uow.commit()
    return Transitioned(statement, event)


async def reopen(
    ctx: ServiceContext,
    actor: Actor,
    statement_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Transitioned[Statement]:
    """PAID → OPEN (admin; paid in error): items back to PAYABLE, their ProPays to APPROVED,
    a carried negative balance taken back."""
    async with UnitOfWork(ctx) as uow:
        statement = await _lock(uow, actor, statement_id, expected_version)
        _check(uow, statement, StatementTrigger.REOPEN, actor)
        target = await balances.take_back(uow, statement, actor)
        event: Event = await uow.fire(
            STATEMENT, statement, StatementTrigger.REOPEN, actor, reason=reason
        )
        if target is not None:
            balances.log_taken_back(uow, statement, target, actor)
        text = reason or ""
        unpaid = await cascades.unpay(uow, statement.line_items, actor, Via.STATEMENT_REOPEN, text)
        await cascades.unsettle(
            uow, {i.pro_pay_id for i in unpaid if i.pro_pay_id is not None}, actor, text
        )
        await uow.commit()
    return Transitioned(statement, event)


def _check(uow: UnitOfWork, statement: Statement, trigger: StatementTrigger, actor: Actor) -> None:
    """Refuse (status, role, guards) before any side work of the transition is done."""
    refused = STATEMENT.refusal(statement, trigger, actor=actor, now=uow.now)
    if refused is not None:
        raise refused


async def _lock(
    uow: UnitOfWork, actor: Actor, statement_id: int, expected_version: int | None
) -> Statement:
    return await uow.lock(
        Statement,
        statement_id,
        actor,
        options=LOAD,
        expected_version=expected_version,
        label="statement",
    )
