"""Statement use cases: pay (its PAYABLE items paid, HELD items moved to the next open
statement, ProPays settled), void, and reopen when paid in error."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import selectinload

from protiv.domain.roles import Actor
from protiv.domain.statuses import LineItemStatus, LineItemTrigger, StatementTrigger, VoidReason
from protiv.persistence.models import Company, Event, LineItem, Statement
from protiv.services import cascades, ledger
from protiv.services.context import ServiceContext
from protiv.services.results import Transitioned
from protiv.services.uow import UnitOfWork
from statemachines.base import Via
from statemachines.line_item import MACHINE as LINE_ITEM
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
        event = await uow.fire(
            STATEMENT, statement, StatementTrigger.PAY, actor, reason=reason, pay_date=pay_date
        )
        await _pay_items(uow, statement, actor)
        await uow.commit()
    return Transitioned(statement, event)


async def _pay_items(uow: UnitOfWork, statement: Statement, actor: Actor) -> None:
    company = await uow.session.get_one(Company, statement.company_id)
    settled: set[int] = set()
    held: list[LineItem] = []
    for item in list(statement.line_items):
        if item.status is LineItemStatus.PAYABLE:
            await uow.fire(
                LINE_ITEM, item, LineItemTrigger.PAY, actor, via=Via.STATEMENT, cascade=True
            )
            if item.pro_pay_id is not None:
                settled.add(item.pro_pay_id)
        elif item.status is LineItemStatus.HELD:
            held.append(item)
    if held:
        target = await ledger.next_open_statement(uow, company, statement, actor)
        for item in held:
            item.statement_id = target.id
    await cascades.settle_pro_pays(uow, settled, actor)


async def void(
    ctx: ServiceContext,
    actor: Actor,
    statement_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Transitioned[Statement]:
    """OPEN → VOID: its unpaid items are voided with it."""
    async with UnitOfWork(ctx) as uow:
        statement = await _lock(uow, actor, statement_id, expected_version)
        event = await uow.fire(STATEMENT, statement, StatementTrigger.VOID, actor, reason=reason)
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
    """PAID → OPEN (admin; paid in error): items back to PAYABLE, their ProPays to APPROVED."""
    async with UnitOfWork(ctx) as uow:
        statement = await _lock(uow, actor, statement_id, expected_version)
        event: Event = await uow.fire(
            STATEMENT, statement, StatementTrigger.REOPEN, actor, reason=reason
        )
        text = reason or ""
        unpaid = await cascades.unpay(uow, statement.line_items, actor, Via.STATEMENT_REOPEN, text)
        await cascades.unsettle(
            uow, {i.pro_pay_id for i in unpaid if i.pro_pay_id is not None}, actor, text
        )
        await uow.commit()
    return Transitioned(statement, event)


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
