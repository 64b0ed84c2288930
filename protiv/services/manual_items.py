"""Manual line items: a bonus (positive) or a deduction (negative) added by hand to a worker's
statement for a pay period, with a category and a note (seed 000: statements and statement
line items are made in Protiv).

Only on an OPEN statement (the worker's statement for the period holding ``day``, made if it
does not exist yet; a PAID or VOID one refuses with STATEMENT_CLOSED). The period follows the
worker's branch's payroll cycle, else the company's. The item is created, then (unless the
caller asks for it held) released at once, both through the line item machine, each with its
event: ``create`` (→ HELD) and ``release`` (HELD → PAYABLE). A held one waits for
``release_at`` if given, else for a release by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from protiv.domain.bonus import LineItemKind, LineItemSource
from protiv.domain.errors import ErrorCode, NotFound, TransitionRefused, ValidationFailed
from protiv.domain.money import CENT
from protiv.domain.payouts import ManualCategory, sign_problem
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind, LineItemTrigger, StatementStatus
from protiv.persistence.models import Company, LineItem, Worker
from protiv.services import ledger
from protiv.services.context import ServiceContext
from protiv.services.results import Transitioned
from protiv.services.uow import UnitOfWork
from statemachines.line_item import MACHINE as LINE_ITEM

MAX_AMOUNT = Decimal("1000000")


@dataclass(frozen=True, slots=True)
class ManualItem:
    worker_id: int
    amount: Decimal
    category: ManualCategory
    note: str | None = None
    custom_category: str | None = None
    day: date | None = None  # a day of the pay period; None: today (company time zone)
    held: bool = False
    release_at: datetime | None = None


def check(item: ManualItem) -> None:
    """Refuse bad input with VALIDATION and the field at fault."""
    amount = item.amount
    if not amount.is_finite() or amount != amount.quantize(CENT) or abs(amount) >= MAX_AMOUNT:
        raise ValidationFailed(
            "The amount must be dollars and cents, under a million.", field=["amount"]
        )
    problem = sign_problem(item.category, (amount > 0) - (amount < 0))
    if problem:
        raise ValidationFailed(problem, field=["amount"])
    label = (item.custom_category or "").strip()
    if item.category is ManualCategory.CUSTOM and not label:
        raise ValidationFailed("A CUSTOM item needs a customCategory.", field=["customCategory"])
    if item.category is not ManualCategory.CUSTOM and label:
        raise ValidationFailed("customCategory is only for CUSTOM items.", field=["customCategory"])
    if len(label) > 64:
        raise ValidationFailed("customCategory: at most 64 characters.", field=["customCategory"])
    if item.note is not None and len(item.note) > 1000:
        raise ValidationFailed("note: at most 1000 characters.", field=["note"])
    if item.release_at is not None and not item.held:
        raise ValidationFailed("releaseAt is only for an item created held.", field=["releaseAt"])
    if item.release_at is not None and item.release_at.utcoffset() is None:
        raise ValidationFailed("releaseAt needs a time zone.", field=["releaseAt"])


async def create(ctx: ServiceContext, actor: Actor, item: ManualItem) -> Transitioned[LineItem]:
    """Add the item; returns it with its last event (``release``, or ``create`` if held)."""
    require(actor, "line_items.create")
    check(item)
    async with UnitOfWork(ctx) as uow:
        worker = await uow.session.get(Worker, item.worker_id)
        if worker is None or worker.company_id != actor.company_id:
            raise NotFound("No worker with that id.", field=["workerId"])
        company = await uow.session.get_one(Company, actor.company_id)
        cycle = await ledger.cycle_of_worker(uow, company, worker)
        day = item.day or ledger.local_day(company, uow.now)
        statement = await ledger.statement_in(
            uow, company, cycle, worker.id, cycle.period(day), actor
        )
        if statement.status is not StatementStatus.OPEN:
            raise TransitionRefused(
                f"{statement.number} for that pay period is {statement.status.name}: manual items "
                "go only on an OPEN statement; choose a later pay period.",
                code=ErrorCode.STATEMENT_CLOSED,
                field=["day"],
            )
        row = _row(item, company, worker, statement.id, uow.now)
        uow.session.add(row)
        await uow.session.flush()
        event = uow.log(EntityKind.LINE_ITEM, row, "create", None, actor, reason=item.note)
        if not item.held:
            event = await uow.fire(
                LINE_ITEM, row, LineItemTrigger.RELEASE, actor, reason="manual item"
            )
        await uow.commit()
    return Transitioned(row, event)


def _row(
    item: ManualItem, company: Company, worker: Worker, statement_id: int, now: datetime
) -> LineItem:
    return LineItem(
        company_id=company.id,
        worker_id=worker.id,
        statement_id=statement_id,
        source=LineItemSource.MANUAL,
        kind=LineItemKind.BONUS if item.amount > 0 else LineItemKind.DEDUCTION,
        category=item.category.value,
        custom_category=(item.custom_category or "").strip() or None,
        amount=item.amount,
        created_at=now,
        release_at=item.release_at,
        note=item.note,
    )
