"""Releasing line items whose waiting period (or retention) is over: HELD with ``release_at``
at or before now → PAYABLE, through the line item machine, one event each.

The server's scheduler runs ``release_due`` for every company; ``protiv release-due`` and the
``lineItemsReleaseDue`` mutation run it for one. Items are taken in chunks, each chunk its own
unit of work, so a long backlog never holds one huge transaction (and a crash loses at most a
chunk, which the next run picks up). On PostgreSQL, rows another transaction holds are skipped
(SKIP LOCKED) and released by the next run.

An item held by hand has no ``release_at`` (the hold clears it), so it waits for a person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from protiv.domain.permissions import require
from protiv.domain.roles import Actor, system_actor
from protiv.domain.statuses import LineItemStatus, LineItemTrigger
from protiv.persistence.models import LineItem
from protiv.services.batch import fire_all
from protiv.services.context import ServiceContext
from protiv.services.uow import UnitOfWork
from statemachines.line_item import MACHINE as LINE_ITEM

CHUNK = 500
REASON = "waiting period over"


@dataclass(frozen=True, slots=True)
class Released:
    count: int

    def __bool__(self) -> bool:
        return self.count > 0

    def __str__(self) -> str:
        return f"{self.count} line item(s) released"


async def release_due(
    ctx: ServiceContext,
    actor: Actor | None = None,
    *,
    chunk: int = CHUNK,
    progress: Callable[[str, int], None] | None = None,
) -> Released:
    """Release what is due: every company's items (the scheduler, ``actor`` None, events by
    ``admin:scheduler``), or only ``actor``'s company (events name the actor). ``progress``
    hears the running count after each chunk (the command line's progress bar)."""
    if actor is not None:
        require(actor, "line_items.release_due")
    total = 0
    while True:
        count = await _release_chunk(ctx, actor, chunk)
        total += count
        if progress is not None:
            progress("released", total)
        if count < chunk:
            return Released(total)


async def _release_chunk(ctx: ServiceContext, actor: Actor | None, chunk: int) -> int:
    async with UnitOfWork(ctx) as uow:
        stmt = (
            select(LineItem)
            .where(LineItem.status == LineItemStatus.HELD, LineItem.release_at <= uow.now)
            .order_by(LineItem.id)
            .limit(chunk)
            .with_for_update(skip_locked=True)
        )
        if actor is not None:
            stmt = stmt.where(LineItem.company_id == actor.company_id)
        items = list(await uow.session.scalars(stmt))
        by_company: dict[int, list[LineItem]] = defaultdict(list)
        for item in items:
            by_company[item.company_id].append(item)
        for company_id, its in by_company.items():
            who = actor or system_actor(company_id, "scheduler")
            await fire_all(uow, LINE_ITEM, its, LineItemTrigger.RELEASE, who, reason=REASON)
        await uow.commit()
    return len(items)
