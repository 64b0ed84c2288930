"""SPEC §3, bonus line item: release, hold, extend and void by hand; pay only through a statement;
unpay only through a payment correction; on a real database, through ``line_items.transition``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest

from protiv.domain.errors import ErrorCode
from protiv.domain.roles import Actor
from protiv.domain.statuses import LineItemStatus, LineItemTrigger, ProPayStatus
from protiv.services import line_items, pro_pays, statements
from tests.services import scenarios
from tests.services.scenarios import (
    PAY_DATE,
    Log,
    ev,
    items_of,
    load_item,
    refused,
    release_of,
)

L = LineItemStatus
T = LineItemTrigger


@pytest.fixture
async def item_ids(ctx, admin, pro_pay_id) -> list[int]:
    """The three HELD items of an approved ProPay."""
    await pro_pays.approve(ctx, admin, pro_pay_id)
    return [i.id for i in await items_of(ctx, pro_pay_id)]


async def to_status(ctx, actor, item_id: int, status: LineItemStatus) -> None:
    if status in (L.PAYABLE, L.PAID):
        await line_items.transition(ctx, actor, item_id, T.RELEASE)
    if status is L.PAID:
        await statements.pay(ctx, actor, (await load_item(ctx, item_id)).statement_id, PAY_DATE)
    if status is L.VOIDED:
        await line_items.transition(ctx, actor, item_id, T.VOID, reason="setup")
    assert (await load_item(ctx, item_id)).status is status


BY_HAND = [  # (source, trigger, dest, reason, the column the transition stamps)
    (L.HELD, T.RELEASE, L.PAYABLE, None, None),
    (L.PAYABLE, T.HOLD, L.HELD, "bad job review", "hold_reason"),
    (L.HELD, T.EXTEND, L.HELD, None, "release_at"),
    (L.HELD, T.VOID, L.VOIDED, "left before the period ended", "void_reason"),
    (L.PAYABLE, T.VOID, L.VOIDED, "duplicate", "void_reason"),
]


@pytest.mark.parametrize(
    ("source", "trigger", "dest", "reason", "stamped"),
    BY_HAND,
    ids=[f"{t.value}-{s.name}" for s, t, *_ in BY_HAND],
)
async def test_by_hand(ctx, clock, payroll, item_ids, source, trigger, dest, reason, stamped):
    item_id = item_ids[0]
    await to_status(ctx, payroll, item_id, source)
    before = await load_item(ctx, item_id)
    later = release_of(before) + timedelta(days=3)
    log = Log(ctx)
    await log.mark()

    done = await line_items.transition(
        ctx, payroll, item_id, trigger, expected_version=before.version, reason=reason,
        release_at=later if trigger is T.EXTEND else None,
    )  # fmt: skip

    after = await load_item(ctx, item_id)
    assert done.record.status is after.status is dest
    assert after.version == before.version + 1
    assert await log.shape() == ev("LINE_ITEM", trigger.value, source.value, dest.value)
    assert (done.event.actor, done.event.reason) == ("payroll:pat", reason)
    if stamped is not None:
        assert getattr(after, stamped) == (later if trigger is T.EXTEND else reason)


async def test_paid_and_unpaid_only_through_statements(ctx, admin, pro_pay_id, item_ids):
    item_id = item_ids[0]
    await to_status(ctx, admin, item_id, L.PAYABLE)
    error = await refused(
        ctx, lambda: line_items.transition(ctx, admin, item_id, T.PAY), ErrorCode.INVALID_TRANSITION
    )
    assert "through its statement" in error.message
    statement_id = (await load_item(ctx, item_id)).statement_id
    log = Log(ctx)
    await log.mark()
    await statements.pay(ctx, admin, statement_id, PAY_DATE)
    item = await load_item(ctx, item_id)
    assert item.status is L.PAID
    assert item.paid_at is not None
    assert await log.shape() == ev("STATEMENT", "pay", "OPEN", "PAID") + ev(
        "LINE_ITEM", "pay", "PAYABLE", "PAID"
    )
    error = await refused(
        ctx,
        lambda: line_items.transition(ctx, admin, item_id, T.UNPAY, reason="x"),
        ErrorCode.INVALID_TRANSITION,
    )
    assert "revert the ProPay's payment" in error.message
    await statements.reopen(ctx, admin, statement_id, reason="paid in error")
    item = await load_item(ctx, item_id)
    assert item.status is L.PAYABLE
    assert item.paid_at is None


async def test_voiding_the_last_unpaid_item_completes_the_payment(ctx, admin, pro_pay_id, item_ids):
    for item_id in item_ids[:2]:
        await to_status(ctx, admin, item_id, L.PAID)
    assert (await scenarios.load_pro_pay(ctx, pro_pay_id)).status is ProPayStatus.APPROVED
    log = Log(ctx)
    await log.mark()
    await line_items.transition(ctx, admin, item_ids[2], T.VOID, reason="manager left")
    assert (await scenarios.load_pro_pay(ctx, pro_pay_id)).status is ProPayStatus.PAID
    assert await log.shape() == ev("LINE_ITEM", "void", "HELD", "VOIDED") + ev(
        "PRO_PAY", "mark_paid", "APPROVED", "PAID"
    )


INVALID = {
    L.HELD: (T.HOLD, T.PAY, T.UNPAY),
    L.PAYABLE: (T.RELEASE, T.EXTEND, T.UNPAY),
    L.PAID: (T.RELEASE, T.HOLD, T.EXTEND, T.PAY, T.VOID, T.UNPAY),
    L.VOIDED: tuple(T),
}


@pytest.mark.parametrize("status", list(INVALID), ids=lambda s: s.name)
async def test_every_trigger_not_in_the_table_is_invalid(ctx, admin, item_ids, status):
    item_id = item_ids[0]
    await to_status(ctx, admin, item_id, status)
    release_at = release_of(await load_item(ctx, item_id)) + timedelta(days=30)
    for trigger in INVALID[status]:
        call = partial(line_items.transition, ctx, admin, item_id, trigger, release_at=release_at)
        await refused(ctx, partial(call, reason="x"), ErrorCode.INVALID_TRANSITION)


async def test_line_item_guards(ctx, clock, admin, manager, outsider, item_ids):
    held, other, _ = item_ids
    current = release_of(await load_item(ctx, held))

    def fire(
        item_id: int, trigger: LineItemTrigger, actor: Actor = admin, **kw: Any
    ) -> Callable[[], Awaitable[object]]:
        return partial(line_items.transition, ctx, actor, item_id, trigger, **kw)

    await refused(ctx, fire(held, T.VOID, reason="  "), ErrorCode.REASON_REQUIRED)
    await refused(ctx, fire(held, T.EXTEND), ErrorCode.VALIDATION)  # no releaseAt
    error = await refused(
        ctx, fire(held, T.EXTEND, release_at=current - timedelta(days=1)), ErrorCode.VALIDATION
    )
    assert error.field == ["releaseAt"]
    await refused(ctx, fire(held, T.RELEASE, manager), ErrorCode.FORBIDDEN)
    await refused(ctx, fire(held, T.RELEASE, expected_version=9), ErrorCode.CONFLICT)
    await refused(ctx, fire(held, T.RELEASE, outsider), ErrorCode.NOT_FOUND)
    await line_items.transition(ctx, admin, other, T.RELEASE)
    await refused(ctx, fire(other, T.HOLD), ErrorCode.REASON_REQUIRED)
