"""Line item use cases by hand: release, hold, extend, void (each with its reason and event)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from protiv.domain.roles import Actor
from protiv.domain.statuses import LineItemTrigger
from protiv.persistence.models import LineItem
from protiv.services import cascades
from protiv.services.context import ServiceContext
from protiv.services.results import Transitioned
from protiv.services.uow import UnitOfWork
from statemachines.line_item import MACHINE as LINE_ITEM

BY_HAND = (
    LineItemTrigger.RELEASE,
    LineItemTrigger.HOLD,
    LineItemTrigger.EXTEND,
    LineItemTrigger.VOID,
)


async def transition(
    ctx: ServiceContext,
    actor: Actor,
    item_id: int,
    trigger: LineItemTrigger,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
    release_at: datetime | None = None,
) -> Transitioned[LineItem]:
    """Fire a by-hand trigger (pay and unpay happen only through statements and reverts,
    which the machine enforces). A void may complete a ProPay's payment."""
    context: dict[str, Any] = {}
    if trigger is LineItemTrigger.EXTEND:
        context["release_at"] = release_at
    async with UnitOfWork(ctx) as uow:
        item = await uow.lock(
            LineItem, item_id, actor, expected_version=expected_version, label="line item"
        )
        event = await uow.fire(LINE_ITEM, item, trigger, actor, reason=reason, **context)
        if trigger is LineItemTrigger.VOID and item.pro_pay_id is not None:
            await cascades.settle_pro_pays(uow, {item.pro_pay_id}, actor)
        await uow.commit()
    return Transitioned(item, event)
