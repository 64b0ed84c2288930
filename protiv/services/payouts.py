"""Bulk payout actions, all or nothing (one unit of work; the first refusal rolls everything
back and names the record at fault): pay every open statement of a pay period, and release,
hold or void many line items at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from protiv.domain.errors import NotFound, ValidationFailed
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.domain.statuses import LineItemTrigger, StatementStatus
from protiv.persistence.models import Event, LineItem, PayPeriod, Statement
from protiv.services import cascades, paying
from protiv.services.batch import by_label, by_position, fire_all
from protiv.services.context import ServiceContext
from protiv.services.uow import UnitOfWork
from statemachines.line_item import MACHINE as LINE_ITEM

BULK_TRIGGERS = (LineItemTrigger.RELEASE, LineItemTrigger.HOLD, LineItemTrigger.VOID)
MAX_BULK = 1000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Bulk(Generic[T]):
    """What a bulk action changed: the records as committed and one event each."""

    records: list[T]
    events: list[Event]


async def pay_period(
    ctx: ServiceContext,
    actor: Actor,
    period_id: int,
    pay_date: date | None,
    *,
    reason: str | None = None,
) -> Bulk[Statement]:
    """Pay every OPEN statement of the pay period (as ``statements.pay`` pays one)."""
    require(actor, "statements.pay_period")
    async with UnitOfWork(ctx) as uow:
        period = await uow.session.scalar(
            select(PayPeriod).where(
                PayPeriod.id == period_id, PayPeriod.company_id == actor.company_id
            )
        )
        if period is None:
            raise NotFound("No pay period with that id.", field=["periodId"])
        found = await uow.session.scalars(
            select(Statement)
            .where(
                Statement.pay_period_id == period.id,
                Statement.status == StatementStatus.OPEN,
            )
            .order_by(Statement.id)
            .options(selectinload(Statement.line_items))
            .with_for_update(of=Statement)
            .execution_options(populate_existing=True)
        )
        statements = list(found)
        events = await paying.pay_statements(
            uow,
            statements,
            actor,
            pay_date,
            reason=reason,
            blame=by_label(lambda s: s.number),
        )
        await uow.commit()
    return Bulk(statements, events)


async def line_items(
    ctx: ServiceContext,
    actor: Actor,
    item_ids: Sequence[int],
    trigger: LineItemTrigger,
    *,
    reason: str | None = None,
) -> Bulk[LineItem]:
    """Release, hold or void every item in ``item_ids`` (each through its machine, with the
    same reason); voids may complete a ProPay's payment."""
    require(actor, "line_items.bulk")
    if trigger not in BULK_TRIGGERS:
        raise ValidationFailed(f"Bulk {trigger.value} is not offered.", field=["trigger"])
    ids = _checked_ids(item_ids)
    async with UnitOfWork(ctx) as uow:
        found = await uow.session.scalars(
            select(LineItem)
            .where(LineItem.id.in_(ids), LineItem.company_id == actor.company_id)
            .order_by(LineItem.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        by_id = {item.id: item for item in found}
        for index, pk in enumerate(ids):
            if pk not in by_id:
                raise NotFound(
                    f"ids[{index}]: no line item with that id.", field=["ids", str(index)]
                )
        items = [by_id[pk] for pk in ids]
        events = await fire_all(
            uow, LINE_ITEM, items, trigger, actor, reason=reason, blame=by_position("ids")
        )
        if trigger is LineItemTrigger.VOID:
            settled = {i.pro_pay_id for i in items if i.pro_pay_id is not None}
            await cascades.settle_pro_pays(uow, settled, actor)
        await uow.commit()
    return Bulk(items, events)


def _checked_ids(item_ids: Sequence[int]) -> list[int]:
    ids = list(item_ids)
    if not ids:
        raise ValidationFailed("Give at least one line item id.", field=["ids"])
    if len(ids) > MAX_BULK:
        raise ValidationFailed(f"At most {MAX_BULK} line items at once.", field=["ids"])
    seen: set[int] = set()
    for index, pk in enumerate(ids):
        if pk in seen:
            raise ValidationFailed(f"ids[{index}]: listed twice.", field=["ids", str(index)])
        seen.add(pk)
    return ids
