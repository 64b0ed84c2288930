"""Paying statements, one or a whole period, in the caller's unit of work: every statement
OPEN → PAID with its pay date, its PAYABLE items PAID, its HELD items moved to the worker's
next open statement (a ``move`` event each), a negative balance rolled over or written off,
and every ProPay (and group) whose live items are now all PAID marked PAID, each through its
machine. A refusal anywhere leaves everything as it was (the caller's unit of work rolls back).

Lock order (the same as every ProPay and group transition, so the two cannot deadlock): the
statements, then the groups and ProPays of the items about to be paid, then the items, read
again because they may have changed while this waited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind, LineItemStatus, LineItemTrigger, StatementTrigger
from protiv.persistence.models import Company, Event, LineItem, ProPay, ProPayGroup, Statement
from protiv.services import cascades, ledger
from protiv.services.balances import Settlement
from protiv.services.batch import Blame, fire_all, flush, log_change
from protiv.services.uow import UnitOfWork
from statemachines.base import Via
from statemachines.line_item import MACHINE as LINE_ITEM
from statemachines.statement import MACHINE as STATEMENT


async def pay_statements(
    uow: UnitOfWork,
    statements: Sequence[Statement],
    actor: Actor,
    pay_date: date | None,
    *,
    reason: str | None = None,
    blame: Blame | None = None,
) -> list[Event]:
    """Pay locked ``statements`` (line items loaded); returns their pay events, in order."""
    if not statements:
        return []
    for index, statement in enumerate(statements):  # refuse before any side work is done
        refused = STATEMENT.refusal(statement, StatementTrigger.PAY, actor=actor, now=uow.now)
        if refused is not None:
            raise blame(index, statement, refused) if blame else refused
    await lock_pro_pays_first(uow, statements)
    company = await uow.session.get_one(Company, statements[0].company_id)
    settlements = [await Settlement.plan(uow, company, s, actor) for s in statements]
    for settlement in settlements:
        if settlement is not None:
            settlement.apply()
    events = await fire_all(
        uow,
        STATEMENT,
        statements,
        StatementTrigger.PAY,
        actor,
        reason=reason,
        blame=blame,
        pay_date=pay_date,
    )
    for settlement in settlements:
        if settlement is not None:
            settlement.log(uow, actor)
    payable = [i for s in statements for i in s.line_items if i.status is LineItemStatus.PAYABLE]
    await fire_all(
        uow, LINE_ITEM, payable, LineItemTrigger.PAY, actor, via=Via.STATEMENT, cascade=True
    )
    await move_held(uow, company, statements, actor)
    await cascades.settle_pro_pays(
        uow, {i.pro_pay_id for i in payable if i.pro_pay_id is not None}, actor
    )
    return events


async def move_held(
    uow: UnitOfWork, company: Company, statements: Sequence[Statement], actor: Actor
) -> None:
    """Items still HELD when their statement is paid go to the worker's next open statement."""
    moved: list[tuple[LineItem, str, str]] = []
    for statement in statements:
        held = [i for i in statement.line_items if i.status is LineItemStatus.HELD]
        if not held:
            continue
        target = await ledger.next_open_statement(uow, company, statement, actor)
        for item in held:
            item.statement_id = target.id
            moved.append((item, statement.number, target.number))
    await flush(uow)
    for item, source, target_number in moved:
        why = f"still held when {source} was paid: moved to {target_number}"
        log_change(uow, EntityKind.LINE_ITEM, item, "move", actor, why)


async def lock_pro_pays_first(uow: UnitOfWork, statements: Sequence[Statement]) -> None:
    """Lock the groups and ProPays of the items about to be paid before touching those items:
    every ProPay (group) transition locks the group, then the ProPay, then its items, so taking
    them the other way round (items, then the ProPay and group when settling them) deadlocks
    against a concurrent cancel. What changed while this waited is read again."""
    ids = {
        i.pro_pay_id
        for s in statements
        for i in s.line_items
        if i.status is LineItemStatus.PAYABLE and i.pro_pay_id is not None
    }
    if not ids:
        return
    group_ids = set(
        await uow.session.scalars(
            select(ProPay.group_id).where(ProPay.id.in_(ids), ProPay.group_id.is_not(None))
        )
    )
    if group_ids:
        await uow.session.execute(
            select(ProPayGroup.id)
            .where(ProPayGroup.id.in_(group_ids))
            .order_by(ProPayGroup.id)
            .with_for_update()
        )
    await uow.session.execute(
        select(ProPay.id).where(ProPay.id.in_(ids)).order_by(ProPay.id).with_for_update()
    )
    await uow.session.execute(
        select(LineItem)
        .where(LineItem.statement_id.in_([s.id for s in statements]))
        .execution_options(populate_existing=True)
    )
