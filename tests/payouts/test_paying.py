"""Paying statements: PAYABLE items PAID, HELD ones moved on with a ``move`` event, the
ProPay PAID with its last item, a negative balance rolled over or written off; void passes a
rollover on; reopen takes a carry back. On a real database."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest

from protiv.domain.errors import ErrorCode, TransitionRefused
from protiv.domain.payouts import ManualCategory
from protiv.domain.statuses import LineItemStatus, LineItemTrigger, ProPayStatus, StatementStatus
from protiv.persistence.models import BonusPool
from protiv.services import line_items, manual_items, release, statements
from protiv.services.manual_items import ManualItem
from tests.payouts.helpers import (
    PAY_DATE,
    Log,
    approved,
    items,
    live_sum,
    pro_pay,
    statement,
    workers,
)
from tests.payouts.helpers import (
    statements as all_statements,
)

L, S = LineItemStatus, StatementStatus
D = Decimal
WEEK_45 = date(2026, 11, 2)


async def test_pay_pays_payable_items_moves_held_ones_and_settles_the_pro_pay(
    ctx, clock, admin, payroll
):
    (first,) = await approved(ctx, admin)
    w = await workers(ctx)
    referral = ManualItem(w["W-1"], D("50.00"), ManualCategory.REFERRAL, day=WEEK_45, held=True)
    await manual_items.create(ctx, payroll, referral)
    clock.advance(days=7)
    await release.release_due(ctx)  # the approval's items; the held referral waits
    (second,) = await approved(ctx, admin, start=2)  # a week later: the next period's statements
    bonus = (await items(ctx, worker_id=w["W-1"], pro_pay_id=first))[0]
    next_id = (await items(ctx, worker_id=w["W-1"], pro_pay_id=second))[0].statement_id
    log = Log(ctx)
    await log.mark()

    done = await statements.pay(ctx, payroll, bonus.statement_id, PAY_DATE, reason="week 45")

    paid = await statement(ctx, bonus.statement_id)
    assert done.record.status is paid.status is S.PAID
    assert [(i.status, i.amount) for i in paid.line_items] == [(L.PAID, D("120.00"))]
    (moved,) = await items(ctx, category="REFERRAL")
    assert (moved.status, moved.statement_id) == (L.HELD, next_id)
    assert await log.shape() == [
        ("STATEMENT", "pay", "OPEN", "PAID"),
        ("LINE_ITEM", "pay", "PAYABLE", "PAID"),
        ("LINE_ITEM", "move", "HELD", "HELD"),
    ]
    move = (await log.new())[-1]
    assert move.reason == f"still held when {paid.number} was paid: moved to ST-{next_id:06d}"
    assert (await pro_pay(ctx, first)).status is ProPayStatus.APPROVED  # W-2, W-9 unpaid
    for other in ("W-2", "W-9"):
        item = (await items(ctx, worker_id=w[other], pro_pay_id=first))[0]
        await statements.pay(ctx, payroll, item.statement_id, PAY_DATE)
    assert (await pro_pay(ctx, first)).status is ProPayStatus.PAID
    assert (await pro_pay(ctx, second)).status is ProPayStatus.APPROVED


async def _deduction(ctx, payroll, worker_id: int, amount: str, day: date = WEEK_45):
    item = ManualItem(worker_id, D(amount), ManualCategory.DAMAGE, note="mower", day=day)
    return (await manual_items.create(ctx, payroll, item)).record


async def carried_to(ctx, statement_id: int) -> int:
    """Where the statement's negative balance went (it must have gone somewhere)."""
    target = (await statement(ctx, statement_id)).carried_to_id
    assert target is not None
    return target


async def _release_bonus(ctx, payroll, worker_id: int) -> None:
    for item in await items(ctx, worker_id=worker_id, category="PROPAY", status=L.HELD):
        await line_items.transition(ctx, payroll, item.id, LineItemTrigger.RELEASE)


async def accounted(ctx) -> Decimal:
    """Σ over statements of items + rollover - carried forward (what each one accounts for)."""
    return sum(
        (
            live_sum(s.line_items) + s.rollover - s.carried_forward
            for s in await all_statements(ctx)
        ),
        D(0),
    )


async def test_a_negative_net_rolls_into_the_next_statement(ctx, admin, payroll):
    await approved(ctx, admin)  # W-1: 120.00 HELD
    w1 = (await workers(ctx))["W-1"]
    first_id = (await _deduction(ctx, payroll, w1, "-200.00")).statement_id
    log = Log(ctx)
    await log.mark()

    await statements.pay(ctx, payroll, first_id, PAY_DATE)  # only the deduction is payable

    first = await statement(ctx, first_id)
    assert (first.carried_forward, first.written_off) == (D("-200.00"), D(0))
    target = await statement(ctx, await carried_to(ctx, first_id))
    assert (target.status, target.rollover) == (S.OPEN, D("-200.00"))
    assert [i.amount for i in target.line_items] == [D("120.00")]  # the held bonus moved there
    rollover = [e for e in await log.new() if e.trigger == "rollover"]
    assert [(e.entity_id, e.from_status, e.to_status) for e in rollover] == [
        (target.id, "OPEN", "OPEN")
    ]
    assert rollover[0].reason == f"negative balance -200.00 of {first.number} rolled over"

    await _release_bonus(ctx, payroll, w1)
    await statements.pay(ctx, payroll, target.id, PAY_DATE)  # 120 - 200 = -80: rolled on again
    again = await statement(ctx, target.id)
    assert again.carried_forward == D("-80.00")
    assert (await statement(ctx, await carried_to(ctx, target.id))).rollover == D("-80.00")
    assert await accounted(ctx) == live_sum(await items(ctx))


async def test_without_rollover_a_negative_net_is_written_off(ctx, admin, payroll):
    async with ctx.db.write() as session, session.begin():
        session.add(
            BonusPool(
                company_id=admin.company_id,
                name="No rollover",
                is_company_default=True,
                roll_over_negative=False,
            )
        )
    await approved(ctx, admin)
    w1 = (await workers(ctx))["W-1"]
    statement_id = (await _deduction(ctx, payroll, w1, "-30.00")).statement_id
    log = Log(ctx)
    await log.mark()
    await statements.pay(ctx, payroll, statement_id, PAY_DATE)
    paid = await statement(ctx, statement_id)
    assert (paid.written_off, paid.carried_forward) == (D("-30.00"), D(0))
    assert paid.carried_to_id is None
    (write_off,) = [e for e in await log.new() if e.trigger == "write_off"]
    assert (write_off.entity_id, write_off.from_status, write_off.to_status) == (
        statement_id,
        "PAID",
        "PAID",
    )
    assert (write_off.reason or "").startswith("negative balance -30.00 written off")


async def test_reopen_takes_a_carry_back_unless_it_was_paid_on(ctx, admin, payroll):
    await approved(ctx, admin)
    w1 = (await workers(ctx))["W-1"]
    first_id = (await _deduction(ctx, payroll, w1, "-200.00")).statement_id
    await statements.pay(ctx, payroll, first_id, PAY_DATE)
    target_id = await carried_to(ctx, first_id)

    done = await statements.reopen(ctx, admin, first_id, reason="paid in error")
    first = await statement(ctx, first_id)
    assert done.record.status is first.status is S.OPEN
    assert (first.carried_forward, first.carried_to_id) == (D(0), None)
    assert (await statement(ctx, target_id)).rollover == 0
    assert await accounted(ctx) == live_sum(await items(ctx))

    await statements.pay(ctx, payroll, first_id, PAY_DATE)  # carried again, then paid on
    target_id = await carried_to(ctx, first_id)
    await _release_bonus(ctx, payroll, w1)
    await statements.pay(ctx, payroll, target_id, PAY_DATE)
    before = await statement(ctx, first_id)
    with pytest.raises(TransitionRefused) as refused:
        await statements.reopen(ctx, admin, first_id, reason="paid in error")
    assert refused.value.code is ErrorCode.STATEMENT_CLOSED
    assert f"reopen ST-{target_id:06d} first" in refused.value.message
    after = await statement(ctx, first_id)
    assert (after.status, after.version) == (S.PAID, before.version)  # nothing changed


async def test_void_passes_a_rollover_on(ctx, admin, payroll):
    await approved(ctx, admin)
    w1 = (await workers(ctx))["W-1"]
    first_id = (await _deduction(ctx, payroll, w1, "-200.00")).statement_id
    await statements.pay(ctx, payroll, first_id, PAY_DATE)
    target_id = await carried_to(ctx, first_id)
    done = await statements.void(ctx, payroll, target_id, reason="worker left")
    voided = await statement(ctx, target_id)
    assert done.record.status is voided.status is S.VOID
    assert voided.carried_forward == D("-200.00")
    assert (await statement(ctx, await carried_to(ctx, target_id))).rollover == D("-200.00")
    assert await accounted(ctx) == live_sum(await items(ctx))


async def test_subscribers_get_every_line_item_and_statement_change(ctx, admin, payroll):
    await approved(ctx, admin)
    w1 = (await workers(ctx))["W-1"]
    statement_id = (await _deduction(ctx, payroll, w1, "-200.00")).statement_id
    seen: list[tuple[str, str, str | None, str]] = []
    async with ctx.hub.subscribe(lambda e: True) as events:
        await statements.pay(ctx, payroll, statement_id, PAY_DATE)
        while len(seen) < 5:
            record = await asyncio.wait_for(anext(events), 5)
            seen.append((record.entity.value, record.trigger, record.from_status, record.to_status))
    assert seen == [
        ("STATEMENT", "open", None, "OPEN"),  # the next period's, for the carry
        ("STATEMENT", "pay", "OPEN", "PAID"),
        ("STATEMENT", "rollover", "OPEN", "OPEN"),
        ("LINE_ITEM", "pay", "PAYABLE", "PAID"),
        ("LINE_ITEM", "move", "HELD", "HELD"),  # W-1's bonus, still held
    ]
