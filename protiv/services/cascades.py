"""Effects one transition carries to other records, each through that record's own machine,
each with its own event row, all in the caller's unit of work."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from protiv.domain.roles import Actor
from protiv.domain.statuses import (
    LineItemStatus,
    LineItemTrigger,
    ProPayStatus,
    ProPayTrigger,
    StatementStatus,
    StatementTrigger,
    VoidReason,
)
from protiv.persistence.models import LineItem, ProPay, ProPayGroup, Statement
from protiv.services import balances
from protiv.services.uow import UnitOfWork
from statemachines.base import Via
from statemachines.line_item import MACHINE as LINE_ITEM
from statemachines.pro_pay import MACHINE as PRO_PAY
from statemachines.pro_pay_group import MACHINE as GROUP
from statemachines.statement import MACHINE as STATEMENT

UNPAID = (LineItemStatus.HELD, LineItemStatus.PAYABLE)


async def void_unpaid(
    uow: UnitOfWork, items: Iterable[LineItem], actor: Actor, why: VoidReason
) -> None:
    """Void every HELD or PAYABLE item (PAID ones are guarded against by the caller)."""
    for item in items:
        if item.status in UNPAID:
            await uow.fire(
                LINE_ITEM,
                item,
                LineItemTrigger.VOID,
                actor,
                reason=why.value,
                via=Via.CASCADE,
                cascade=True,
            )


async def unpay(
    uow: UnitOfWork, items: Iterable[LineItem], actor: Actor, via: Via, reason: str
) -> list[LineItem]:
    """PAID items back to PAYABLE (a payment reverted or a statement reopened)."""
    unpaid = []
    for item in items:
        if item.status is LineItemStatus.PAID:
            await uow.fire(
                LINE_ITEM, item, LineItemTrigger.UNPAY, actor, reason=reason, via=via, cascade=True
            )
            unpaid.append(item)
    return unpaid


async def reopen_statements(
    uow: UnitOfWork, statement_ids: set[int], actor: Actor, reason: str
) -> None:
    """Statements of reverted items back to OPEN."""
    if not statement_ids:
        return
    rows = await uow.session.scalars(
        select(Statement)
        .where(Statement.id.in_(statement_ids))
        .order_by(Statement.id)
        .with_for_update()
    )
    for statement in rows:
        if statement.status is StatementStatus.PAID:
            carried_to = await balances.take_back(uow, statement, actor)
            await uow.fire(
                STATEMENT,
                statement,
                StatementTrigger.REOPEN,
                actor,
                reason=reason,
                via=Via.REVERT_PAYMENT,
                cascade=True,
            )
            if carried_to is not None:
                balances.log_taken_back(uow, statement, carried_to, actor)


async def settle_pro_pays(uow: UnitOfWork, pro_pay_ids: set[int], actor: Actor) -> None:
    """Mark PAID every APPROVED ProPay whose live items are now all PAID, then their groups."""
    if not pro_pay_ids:
        return
    pro_pays = await uow.session.scalars(
        select(ProPay)
        .where(ProPay.id.in_(pro_pay_ids))
        .order_by(ProPay.id)
        .options(selectinload(ProPay.line_items), selectinload(ProPay.disqualifiers))
        .with_for_update(of=ProPay)
        .execution_options(populate_existing=True)
    )
    group_ids: set[int] = set()
    for pro_pay in pro_pays:
        live = [i for i in pro_pay.line_items if i.status is not LineItemStatus.VOIDED]
        if (
            pro_pay.status is ProPayStatus.APPROVED
            and live
            and all(i.status is LineItemStatus.PAID for i in live)
        ):
            await uow.fire(
                PRO_PAY, pro_pay, ProPayTrigger.MARK_PAID, actor, via=Via.STATEMENT, cascade=True
            )
            if pro_pay.group_id is not None:
                group_ids.add(pro_pay.group_id)
    await settle_groups(uow, group_ids, actor)


async def settle_groups(uow: UnitOfWork, group_ids: set[int], actor: Actor) -> None:
    if not group_ids:
        return
    groups = await uow.session.scalars(
        select(ProPayGroup)
        .where(ProPayGroup.id.in_(group_ids))
        .options(selectinload(ProPayGroup.members).selectinload(ProPay.line_items))
        .with_for_update(of=ProPayGroup)
        .execution_options(populate_existing=True)
    )
    for group in groups:
        if group.status is ProPayStatus.APPROVED and all(
            m.status is ProPayStatus.PAID for m in group.members
        ):
            await uow.fire(
                GROUP, group, ProPayTrigger.MARK_PAID, actor, via=Via.STATEMENT, cascade=True
            )


async def unsettle(uow: UnitOfWork, pro_pay_ids: set[int], actor: Actor, reason: str) -> None:
    """PAID ProPays (and groups) that hold an item no longer PAID go back to APPROVED."""
    if not pro_pay_ids:
        return
    pro_pays = await uow.session.scalars(
        select(ProPay)
        .where(ProPay.id.in_(pro_pay_ids), ProPay.status == ProPayStatus.PAID)
        .order_by(ProPay.id)
        .options(selectinload(ProPay.line_items), selectinload(ProPay.disqualifiers))
        .with_for_update(of=ProPay)
        .execution_options(populate_existing=True)
    )
    group_ids: set[int] = set()
    for pro_pay in pro_pays:
        await uow.fire(
            PRO_PAY,
            pro_pay,
            ProPayTrigger.REVERT_PAYMENT,
            actor,
            reason=reason,
            via=Via.STATEMENT_REOPEN,
            cascade=True,
        )
        if pro_pay.group_id is not None:
            group_ids.add(pro_pay.group_id)
    if group_ids:
        groups = await uow.session.scalars(
            select(ProPayGroup)
            .where(ProPayGroup.id.in_(group_ids), ProPayGroup.status == ProPayStatus.PAID)
            .options(selectinload(ProPayGroup.members).selectinload(ProPay.line_items))
            .with_for_update(of=ProPayGroup)
        )
        for group in groups:
            await uow.fire(
                GROUP,
                group,
                ProPayTrigger.REVERT_PAYMENT,
                actor,
                reason=reason,
                via=Via.STATEMENT_REOPEN,
                cascade=True,
            )
