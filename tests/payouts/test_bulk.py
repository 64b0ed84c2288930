"""Bulk actions are all or nothing: one refusal anywhere, nothing changed, and the error names
the item (ids[i]) or statement (ST-…) at fault. Paying a whole period pays every OPEN
statement of it as statementPay would."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from protiv.domain.errors import DomainError, ErrorCode
from protiv.domain.statuses import LineItemStatus, LineItemTrigger, ProPayStatus, StatementStatus
from protiv.persistence.models import Event
from protiv.services import payouts, release, statements
from protiv.services.context import ServiceContext
from tests.payouts.helpers import PAY_DATE, approved, items, pro_pay
from tests.payouts.helpers import statements as all_statements

L, S = LineItemStatus, StatementStatus
R, H, V = LineItemTrigger.RELEASE, LineItemTrigger.HOLD, LineItemTrigger.VOID


async def event_count(ctx: ServiceContext) -> int:
    async with ctx.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Event)) or 0)


async def snapshot(ctx: ServiceContext) -> tuple[list[tuple[int, LineItemStatus, int]], int]:
    return [(i.id, i.status, i.version) for i in await items(ctx)], await event_count(ctx)


async def test_bulk_release_hold_and_void(ctx, payroll, admin):
    await approved(ctx, admin, jobs=2)
    ids = [i.id for i in await items(ctx)]
    done = await payouts.line_items(ctx, payroll, ids, R)
    assert [r.status for r in done.records] == [L.PAYABLE] * 6
    assert [(e.trigger, e.entity_id, e.actor) for e in done.events] == [
        ("release", pk, "payroll:pat") for pk in ids
    ]
    done = await payouts.line_items(ctx, payroll, ids[:2], H, reason="audit")
    assert {(r.status, r.hold_reason) for r in done.records} == {(L.HELD, "audit")}
    done = await payouts.line_items(ctx, payroll, ids[3:], V, reason="duplicate")
    assert {r.status for r in done.records} == {L.VOIDED}


async def test_one_refusal_changes_nothing_and_names_the_item(ctx, payroll, admin):
    await approved(ctx, admin)
    ids = [i.id for i in await items(ctx)]
    await payouts.line_items(ctx, payroll, ids[1:2], R)  # ids[1] is PAYABLE: cannot release
    before = await snapshot(ctx)
    with pytest.raises(DomainError) as refused:
        await payouts.line_items(ctx, payroll, ids, R)
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_TRANSITION, ["ids", "1"])
    assert refused.value.message.startswith("ids[1]: Cannot release a PAYABLE line item")
    assert await snapshot(ctx) == before
    with pytest.raises(DomainError) as refused:
        await payouts.line_items(ctx, payroll, ids, V)  # no reason
    assert (refused.value.code, refused.value.field) == (ErrorCode.REASON_REQUIRED, ["reason"])
    with pytest.raises(DomainError) as refused:
        await payouts.line_items(ctx, payroll, [ids[0], 999_999], R)
    assert (refused.value.code, refused.value.field) == (ErrorCode.NOT_FOUND, ["ids", "1"])
    with pytest.raises(DomainError) as refused:
        await payouts.line_items(ctx, payroll, [ids[0], ids[0]], R)
    assert (refused.value.code, refused.value.field) == (ErrorCode.VALIDATION, ["ids", "1"])
    assert await snapshot(ctx) == before


async def test_a_bulk_void_can_complete_a_pro_pays_payment(ctx, clock, payroll, admin):
    (pro_pay_id,) = await approved(ctx, admin)
    clock.advance(days=7)
    await release.release_due(ctx)
    first, *rest = await items(ctx)
    await statements.pay(ctx, payroll, first.statement_id, PAY_DATE)
    await payouts.line_items(ctx, payroll, [i.id for i in rest], V, reason="left the company")
    assert (await pro_pay(ctx, pro_pay_id)).status is ProPayStatus.PAID


async def test_pay_a_whole_period(ctx, clock, payroll, admin):
    ids = await approved(ctx, admin, jobs=2)
    clock.advance(days=7)
    await release.release_due(ctx)
    (period_id,) = {s.pay_period_id for s in await all_statements(ctx)}
    done = await payouts.pay_period(ctx, payroll, period_id, PAY_DATE, reason="week 45")
    assert [s.status for s in done.records] == [S.PAID] * 3  # W-1, W-2, W-9
    assert [(e.trigger, e.reason) for e in done.events] == [("pay", "week 45")] * 3
    assert {i.status for i in await items(ctx)} == {L.PAID}
    assert {(await pro_pay(ctx, p)).status for p in ids} == {ProPayStatus.PAID}
    again = await payouts.pay_period(ctx, payroll, period_id, PAY_DATE)  # nothing OPEN left
    assert again.records == []


async def test_paying_a_period_is_all_or_nothing(ctx, payroll, manager, admin):
    await approved(ctx, admin)
    (period_id,) = {s.pay_period_id for s in await all_statements(ctx)}
    before = await snapshot(ctx)
    first = (await all_statements(ctx))[0]
    with pytest.raises(DomainError) as refused:
        await payouts.pay_period(ctx, payroll, period_id, None)
    assert (refused.value.code, refused.value.field) == (ErrorCode.VALIDATION, ["payDate"])
    assert refused.value.message.startswith(f"{first.number}: payDate is required")
    with pytest.raises(DomainError) as refused:
        await payouts.pay_period(ctx, manager, period_id, PAY_DATE)
    assert refused.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(DomainError) as refused:
        await payouts.pay_period(ctx, payroll, 999_999, PAY_DATE)
    assert refused.value.code is ErrorCode.NOT_FOUND
    assert await snapshot(ctx) == before
    assert {s.status for s in await all_statements(ctx)} == {S.OPEN}
