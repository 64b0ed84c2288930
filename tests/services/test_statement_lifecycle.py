"""SPEC §3, statement: pay (PAYABLE items paid, HELD ones moved to the next open statement, the
ProPay PAID with its last item), void (unpaid items voided), reopen (admin, reason: items back to
PAYABLE, a PAID ProPay back to APPROVED); on a real database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

import pytest

from protiv.domain.errors import ErrorCode
from protiv.domain.statuses import LineItemStatus, ProPayStatus, StatementStatus, VoidReason
from protiv.services import pro_pays, statements
from tests.services import scenarios
from tests.services.scenarios import (
    PAY_DATE,
    Log,
    ev,
    items_of,
    load_pro_pay,
    load_statement,
    refused,
    statements_of,
)

L = LineItemStatus
S = StatementStatus


@pytest.fixture
async def two(ctx, admin) -> list[int]:
    """Two ProPays approved one by one: each worker's statement holds an item of each."""
    ids = await scenarios.seed(ctx, admin, jobs=2)
    for pro_pay_id in ids:
        await pro_pays.approve(ctx, admin, pro_pay_id)
    return ids


async def w1_statement(ctx) -> int:
    worker = (await scenarios.workers(ctx))["W-1"]
    return (await statements_of(ctx, worker))[0].id


async def test_pay_pays_payable_items_and_moves_held_ones(ctx, payroll, two):
    first, second = two
    await scenarios.release_all(ctx, payroll, first)  # second's items stay HELD
    statement_id = await w1_statement(ctx)
    before = await load_statement(ctx, statement_id)
    log = Log(ctx)
    await log.mark()

    done = await statements.pay(
        ctx, payroll, statement_id, PAY_DATE, expected_version=before.version, reason="week 45"
    )

    after = await load_statement(ctx, statement_id)
    assert done.record.status is after.status is S.PAID
    assert (after.pay_date, after.paid_at, after.version) == (PAY_DATE, done.event.occurred_at, 2)
    assert (done.event.trigger, done.event.actor, done.event.reason) == (
        "pay",
        "payroll:pat",
        "week 45",
    )
    paid, held = (await items_of(ctx, first))[0], (await items_of(ctx, second))[0]
    assert paid.status is L.PAID
    assert paid.statement_id == statement_id
    assert held.status is L.HELD
    nxt = await load_statement(ctx, held.statement_id)
    assert nxt.status is S.OPEN
    assert nxt.worker_id == after.worker_id
    assert nxt.pay_period.starts_on > after.pay_period.ends_on  # the following period
    assert [i.id for i in after.line_items] == [paid.id]
    assert await log.shape() == (
        ev("STATEMENT", "pay", "OPEN", "PAID")
        + ev("LINE_ITEM", "pay", "PAYABLE", "PAID")
        + ev("STATEMENT", "open", None, "OPEN")  # the next period's statement, made for the move
        + ev("LINE_ITEM", "move", "HELD", "HELD")  # not a transition, but logged as a change
    )
    assert (await load_pro_pay(ctx, first)).status is ProPayStatus.APPROVED  # W-2, W-9 unpaid


async def test_void_voids_its_unpaid_items(ctx, admin, two):
    statement_id = await w1_statement(ctx)
    log = Log(ctx)
    await log.mark()
    done = await statements.void(ctx, admin, statement_id, reason="worker left")
    assert done.record.status is S.VOID
    items = (await load_statement(ctx, statement_id)).line_items
    assert {(i.status, i.void_reason) for i in items} == {
        (L.VOIDED, VoidReason.STATEMENT_VOIDED.value)
    }
    assert await log.shape() == ev("STATEMENT", "void", "OPEN", "VOID") + ev(
        "LINE_ITEM", "void", "HELD", "VOIDED", 2
    )


async def test_reopen_unpays_and_sends_a_paid_pro_pay_back_to_approved(ctx, admin, pro_pay_id):
    await scenarios.drive(ctx, admin, pro_pay_id, ProPayStatus.PAID)
    statement_id = (await items_of(ctx, pro_pay_id))[0].statement_id
    log = Log(ctx)
    await log.mark()
    done = await statements.reopen(ctx, admin, statement_id, reason="paid in error")
    statement = await load_statement(ctx, statement_id)
    assert done.record.status is statement.status is S.OPEN
    assert (statement.pay_date, statement.paid_at) == (None, None)
    assert [i.status for i in statement.line_items] == [L.PAYABLE]
    pro_pay = await load_pro_pay(ctx, pro_pay_id)
    assert pro_pay.status is ProPayStatus.APPROVED
    assert pro_pay.paid_at is None
    assert await log.shape() == (
        ev("STATEMENT", "reopen", "PAID", "OPEN")
        + ev("LINE_ITEM", "unpay", "PAID", "PAYABLE")
        + ev("PRO_PAY", "revert_payment", "PAID", "APPROVED")
    )
    assert {e.reason for e in await log.new()} == {"paid in error"}
    # its other items stay PAID on their still PAID statements
    others = [i for i in pro_pay.line_items if i.statement_id != statement_id]
    assert {i.status for i in others} == {L.PAID}
    await statements.pay(ctx, admin, statement_id, PAY_DATE)
    assert (await load_pro_pay(ctx, pro_pay_id)).status is ProPayStatus.PAID


async def test_open_statement_with_a_paid_item_cannot_be_voided(ctx, admin, two):
    """A payment reverted on one ProPay reopens a statement that still holds the other's PAID
    item: the statement is OPEN again but cannot be voided."""
    for pro_pay_id in two:
        await scenarios.release_all(ctx, admin, pro_pay_id)
    await scenarios.pay_statements_of(ctx, admin, two[0])
    assert {(await load_pro_pay(ctx, p)).status for p in two} == {ProPayStatus.PAID}
    await pro_pays.revert_payment(ctx, admin, two[0], reason="wrong crew")
    statement_id = await w1_statement(ctx)
    statement = await load_statement(ctx, statement_id)
    assert statement.status is S.OPEN
    assert sorted(i.status.value for i in statement.line_items) == ["PAID", "PAYABLE"]
    await refused(
        ctx,
        lambda: statements.void(ctx, admin, statement_id, reason="x"),
        ErrorCode.BONUS_ALREADY_PAID,
    )


INVALID = {  # status -> what gets it there, and the triggers it refuses
    S.OPEN: ("open", ("reopen",)),
    S.PAID: ("pay", ("pay", "void")),
    S.VOID: ("void", ("pay", "void", "reopen")),
}
CALLS: dict[str, Callable[..., Awaitable[object]]] = {
    "pay": lambda ctx, actor, sid, **kw: statements.pay(ctx, actor, sid, PAY_DATE, **kw),
    "void": statements.void,
    "reopen": statements.reopen,
}


@pytest.mark.parametrize("status", list(INVALID), ids=lambda s: s.name)
async def test_every_trigger_not_in_the_table_is_invalid(ctx, admin, pro_pay_id, status):
    await pro_pays.approve(ctx, admin, pro_pay_id)
    statement_id = (await items_of(ctx, pro_pay_id))[0].statement_id
    setup, triggers = INVALID[status]
    if setup != "open":
        await CALLS[setup](ctx, admin, statement_id, reason="setup")
    for trigger in triggers:
        await refused(
            ctx,
            partial(CALLS[trigger], ctx, admin, statement_id, reason="x"),
            ErrorCode.INVALID_TRANSITION,
        )


async def test_statement_guards(ctx, admin, payroll, manager, outsider, pro_pay_id):
    await pro_pays.approve(ctx, admin, pro_pay_id)
    statement_id = (await items_of(ctx, pro_pay_id))[0].statement_id
    error = await refused(
        ctx, lambda: statements.pay(ctx, admin, statement_id, None), ErrorCode.VALIDATION
    )
    assert error.field == ["payDate"]
    await refused(
        ctx, lambda: statements.pay(ctx, manager, statement_id, PAY_DATE), ErrorCode.FORBIDDEN
    )
    await refused(
        ctx,
        lambda: statements.pay(ctx, admin, statement_id, PAY_DATE, expected_version=5),
        ErrorCode.CONFLICT,
    )
    await refused(ctx, lambda: statements.void(ctx, outsider, statement_id), ErrorCode.NOT_FOUND)
    await statements.pay(ctx, payroll, statement_id, PAY_DATE)
    await refused(
        ctx,
        lambda: statements.reopen(ctx, payroll, statement_id, reason="x"),
        ErrorCode.FORBIDDEN,
    )
    await refused(
        ctx, lambda: statements.reopen(ctx, admin, statement_id), ErrorCode.REASON_REQUIRED
    )
