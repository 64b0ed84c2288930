"""SPEC §3, ProPay: every row of the table through the services on a real database.

An allowed row moves the ProPay, carries its effects to line items and statements, and writes one
event per fired transition; a refused row raises its code and changes nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import update

from protiv.domain.bonus import DisqualifierResult
from protiv.domain.errors import Conflict, ErrorCode, NotFound, TransitionRefused
from protiv.domain.statuses import (
    LineItemStatus,
    ProPayStatus,
    ProPayTrigger,
    StatementStatus,
    VoidReason,
)
from protiv.persistence.models import ProPay
from protiv.services import groups, pro_pays, statements
from tests.services import scenarios
from tests.services.scenarios import (
    EXPECTED_SHARES,
    Log,
    Shape,
    ev,
    items_of,
    load_pro_pay,
    refused,
    snapshot,
)

P = ProPayStatus
L = LineItemStatus

SERVICES = {
    "approve": pro_pays.approve,
    "unapprove": pro_pays.unapprove,
    "cancel": pro_pays.cancel,
    "delete": pro_pays.delete,
    "restore": pro_pays.restore,
    "revert_payment": pro_pays.revert_payment,
}


async def reach(ctx, admin, pro_pay_id: int, steps: tuple[str, ...]) -> None:
    """Run service steps on a fresh ProPay; "pay" releases its items and pays their statements."""
    for step in steps:
        if step == "pay":
            await scenarios.release_all(ctx, admin, pro_pay_id)
            await scenarios.pay_statements_of(ctx, admin, pro_pay_id)
        elif step == "pay_one":
            await scenarios.approve_with_one_paid(ctx, admin, pro_pay_id)
        else:
            await SERVICES[step](ctx, admin, pro_pay_id, reason="setup")


APPROVE_EVENTS = (
    ev("PRO_PAY", "approve", "ACTIVE", "APPROVED")
    + ev("LINE_ITEM", "create", None, "HELD", 3)
    + ev("STATEMENT", "open", None, "OPEN", 3)
)


@dataclass(frozen=True)
class Allowed:
    """One allowed row: from the status ``setup`` reaches, ``trigger`` moves the ProPay to
    ``dest``, writes ``events``, and leaves its line items in ``items`` (with ``void_reason``)."""

    setup: tuple[str, ...]
    trigger: str
    source: ProPayStatus
    dest: ProPayStatus
    events: Shape
    items: tuple[LineItemStatus, ...] = ()
    void_reason: VoidReason | None = None
    frozen: bool | None = None  # the calculation is kept (True) or cleared (False)
    approved: bool | None = None  # approved_at and approved_by set (True) or cleared (False)


VOIDS = ev("LINE_ITEM", "void", "HELD", "VOIDED", 3)
ALLOWED = [
    Allowed(
        (), "approve", P.ACTIVE, P.APPROVED, APPROVE_EVENTS, (L.HELD,) * 3,
        frozen=True, approved=True,
    ),
    Allowed(
        ("approve",), "unapprove", P.APPROVED, P.ACTIVE,
        ev("PRO_PAY", "unapprove", "APPROVED", "ACTIVE") + VOIDS, (L.VOIDED,) * 3,
        VoidReason.UNAPPROVED, frozen=False, approved=False,
    ),
    Allowed((), "cancel", P.ACTIVE, P.CANCELED, ev("PRO_PAY", "cancel", "ACTIVE", "CANCELED")),
    Allowed(
        ("approve",), "cancel", P.APPROVED, P.CANCELED,
        ev("PRO_PAY", "cancel", "APPROVED", "CANCELED") + VOIDS, (L.VOIDED,) * 3,
        VoidReason.CANCELED,
    ),
    Allowed((), "delete", P.ACTIVE, P.DELETED, ev("PRO_PAY", "delete", "ACTIVE", "DELETED")),
    Allowed(
        ("approve",), "delete", P.APPROVED, P.DELETED,
        ev("PRO_PAY", "delete", "APPROVED", "DELETED") + VOIDS, (L.VOIDED,) * 3,
        VoidReason.DELETED,
    ),
    Allowed(
        ("cancel",), "restore", P.CANCELED, P.ACTIVE,
        ev("PRO_PAY", "restore", "CANCELED", "ACTIVE"), frozen=False, approved=False,
    ),
    Allowed(
        ("approve", "delete"), "restore", P.DELETED, P.ACTIVE,
        ev("PRO_PAY", "restore", "DELETED", "ACTIVE"), (L.VOIDED,) * 3,  # old items stay void
        VoidReason.DELETED, frozen=False, approved=False,
    ),
    Allowed(
        ("approve", "pay"), "revert_payment", P.PAID, P.APPROVED,
        ev("PRO_PAY", "revert_payment", "PAID", "APPROVED")
        + ev("LINE_ITEM", "unpay", "PAID", "PAYABLE", 3)
        + ev("STATEMENT", "reopen", "PAID", "OPEN", 3),
        (L.PAYABLE,) * 3, frozen=True, approved=True,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    "row", ALLOWED, ids=[f"{r.trigger}-{r.source.name}-to-{r.dest.name}" for r in ALLOWED]
)
async def test_allowed_transition(ctx, clock, admin, pro_pay_id, row: Allowed):
    await reach(ctx, admin, pro_pay_id, row.setup)
    before = await load_pro_pay(ctx, pro_pay_id)
    assert before.status is row.source
    entries = (await snapshot(ctx))["time_entry"]
    clock.advance(hours=1)
    log = Log(ctx)
    await log.mark()

    done = await SERVICES[row.trigger](
        ctx, admin, pro_pay_id, expected_version=before.version, reason="why not"
    )

    after = await load_pro_pay(ctx, pro_pay_id)
    assert done.record.status is after.status is row.dest
    assert after.version == before.version + 1
    event = done.event
    assert (event.entity.value, event.entity_id) == ("PRO_PAY", pro_pay_id)
    assert (event.trigger, event.from_status, event.to_status) == (
        row.trigger, row.source.value, row.dest.value,
    )  # fmt: skip
    assert (event.actor, event.reason, event.occurred_at) == ("admin:ada", "why not", clock.now)
    assert event.version == after.version
    assert await log.shape() == row.events
    assert (await snapshot(ctx))["time_entry"] == entries  # time entries are never lost
    items = await items_of(ctx, pro_pay_id)
    assert tuple(i.status for i in items) == row.items
    if row.void_reason is not None:
        assert {i.void_reason for i in items} == {row.void_reason.value}
    if row.frozen is not None:
        assert (after.calculation is not None) is row.frozen
    if row.approved is not None:
        assert (after.approved_at is not None) is row.approved
        assert (after.approved_by is not None) is row.approved


async def test_approve_makes_held_items_summing_to_the_breakdown(ctx, clock, manager, pro_pay_id):
    done = await pro_pays.approve(ctx, manager, pro_pay_id)
    pro_pay = await load_pro_pay(ctx, pro_pay_id)
    items = pro_pay.line_items
    ids = await scenarios.workers(ctx)
    assert {(i.worker_id, i.amount) for i in items} == {
        (ids[w], a) for w, a in EXPECTED_SHARES.items()
    }
    assert scenarios.item_shares(items) == scenarios.frozen_shares(pro_pay.calculation)
    assert all(i.status is L.HELD for i in items)
    assert all(i.release_at == clock.now + timedelta(days=7) for i in items)  # waiting period
    assert (pro_pay.approved_at, pro_pay.approved_by) == (clock.now, "manager:max")
    assert done.event.actor == "manager:max"
    for item in items:  # each on its worker's OPEN statement for this pay period
        statement = await scenarios.load_statement(ctx, item.statement_id)
        assert statement.worker_id == item.worker_id
        assert statement.status is StatementStatus.OPEN
        assert statement.pay_period.starts_on <= clock.now.date() <= statement.pay_period.ends_on


@pytest.mark.parametrize("steps", [("approve", "unapprove"), ("approve", "cancel", "restore")])
async def test_reapproval_makes_new_items(ctx, admin, pro_pay_id, steps):
    await reach(ctx, admin, pro_pay_id, steps)
    old = await items_of(ctx, pro_pay_id)
    assert old
    assert all(i.status is L.VOIDED for i in old)
    assert (await load_pro_pay(ctx, pro_pay_id)).calculation is None  # a live preview again
    await pro_pays.approve(ctx, admin, pro_pay_id)
    items = await items_of(ctx, pro_pay_id)
    new = [i for i in items if i.id not in {o.id for o in old}]
    assert [i.status for i in new] == [L.HELD] * 3
    assert all(i.status is L.VOIDED for i in items if i not in new)
    assert sum(i.amount for i in new) == sum(EXPECTED_SHARES.values())


async def test_mark_paid_fires_when_the_last_live_item_is_paid(ctx, admin, payroll, pro_pay_id):
    await pro_pays.approve(ctx, admin, pro_pay_id)
    await scenarios.release_all(ctx, payroll, pro_pay_id)
    statement_ids = sorted({i.statement_id for i in await items_of(ctx, pro_pay_id)})
    log = Log(ctx)
    for n, statement_id in enumerate(statement_ids, start=1):
        await log.mark()
        await statements.pay(ctx, payroll, statement_id, scenarios.PAY_DATE)
        pro_pay = await load_pro_pay(ctx, pro_pay_id)
        expected = ev("STATEMENT", "pay", "OPEN", "PAID") + ev(
            "LINE_ITEM", "pay", "PAYABLE", "PAID"
        )
        if n < len(statement_ids):
            assert pro_pay.status is P.APPROVED  # a live item is still unpaid
            assert pro_pay.paid_at is None
        else:
            assert pro_pay.status is P.PAID
            assert pro_pay.paid_at is not None
            expected += ev("PRO_PAY", "mark_paid", "APPROVED", "PAID")
        assert await log.shape() == expected
    mark = [e for e in await log.new() if e.trigger == "mark_paid"]
    assert mark[0].actor == "payroll:pat"  # the cascade names who paid


async def test_revert_payment_reopens_statements(ctx, admin, pro_pay_id):
    await reach(ctx, admin, pro_pay_id, ("approve", "pay"))
    await pro_pays.revert_payment(ctx, admin, pro_pay_id, reason="paid twice")
    pro_pay = await load_pro_pay(ctx, pro_pay_id)
    assert pro_pay.paid_at is None
    for item in pro_pay.line_items:
        assert item.status is L.PAYABLE
        assert item.paid_at is None
        statement = await scenarios.load_statement(ctx, item.statement_id)
        assert statement.status is StatementStatus.OPEN
        assert (statement.pay_date, statement.paid_at) == (None, None)
    # and it can be paid again
    await scenarios.pay_statements_of(ctx, admin, pro_pay_id)
    assert (await load_pro_pay(ctx, pro_pay_id)).status is P.PAID


# -- refusals ----------------------------------------------------------------------------------

INVALID = {
    P.ACTIVE: ((), ("unapprove", "revert_payment", "restore")),
    P.APPROVED: (("approve",), ("approve", "revert_payment", "restore")),
    P.PAID: (("approve", "pay"), ("approve", "unapprove", "cancel", "delete", "restore")),
    P.CANCELED: (("cancel",), ("approve", "unapprove", "revert_payment", "cancel", "delete")),
    P.DELETED: (("delete",), ("approve", "unapprove", "revert_payment", "cancel", "delete")),
}


@pytest.mark.parametrize("status", list(INVALID), ids=lambda s: s.name)
async def test_every_trigger_not_in_the_table_is_invalid(ctx, admin, pro_pay_id, status):
    setup, triggers = INVALID[status]
    await reach(ctx, admin, pro_pay_id, setup)
    for trigger in triggers:
        error = await refused(
            ctx,
            partial(SERVICES[trigger], ctx, admin, pro_pay_id, reason="x"),
            ErrorCode.INVALID_TRANSITION,
        )
        assert isinstance(error, TransitionRefused)
        assert status.name in error.message


@pytest.mark.parametrize("trigger", ["unapprove", "cancel", "delete"])
async def test_nothing_goes_back_once_a_bonus_is_paid(ctx, admin, pro_pay_id, trigger):
    await reach(ctx, admin, pro_pay_id, ("pay_one",))
    assert [i.status for i in await items_of(ctx, pro_pay_id)] == [L.PAID, L.HELD, L.HELD]
    await refused(
        ctx,
        lambda: SERVICES[trigger](ctx, admin, pro_pay_id, reason="x"),
        ErrorCode.BONUS_ALREADY_PAID,
    )


async def test_restore_refuses_a_paid_bonus(ctx, admin, pro_pay_id):
    """No service path cancels a ProPay with a PAID item (cancel is refused first), so the state is
    written by hand, as legacy data or a bypassed lock would leave it: restore still refuses."""
    await reach(ctx, admin, pro_pay_id, ("pay_one",))
    async with ctx.db.write() as session, session.begin():
        await session.execute(
            update(ProPay).where(ProPay.id == pro_pay_id).values(status=P.CANCELED)
        )
    await refused(
        ctx, lambda: pro_pays.restore(ctx, admin, pro_pay_id), ErrorCode.BONUS_ALREADY_PAID
    )


async def test_a_group_member_moves_only_with_its_group(ctx, admin):
    ids = await scenarios.seed(ctx, admin, jobs=2)
    group_id = await scenarios.make_group(ctx, admin, ids)
    await refused(ctx, lambda: pro_pays.approve(ctx, admin, ids[0]), ErrorCode.GROUP_MEMBER)
    await groups.transition(ctx, admin, group_id, ProPayTrigger.APPROVE)
    await refused(ctx, lambda: pro_pays.unapprove(ctx, admin, ids[0]), ErrorCode.GROUP_MEMBER)


async def test_pending_disqualifier_blocks_approval(ctx, admin, pro_pay_id):
    await scenarios.add_disqualifier(ctx, pro_pay_id)
    error = await refused(
        ctx, lambda: pro_pays.approve(ctx, admin, pro_pay_id), ErrorCode.DISQUALIFIERS_PENDING
    )
    assert "1 disqualifier" in error.message


async def test_answered_disqualifiers_let_approval_through(ctx, admin, pro_pay_id):
    await scenarios.add_disqualifier(ctx, pro_pay_id, DisqualifierResult.PASSED)
    await pro_pays.approve(ctx, admin, pro_pay_id)
    assert (await load_pro_pay(ctx, pro_pay_id)).status is P.APPROVED


async def test_a_pro_pay_without_budget_cannot_be_approved(ctx, admin):
    (pro_pay_id,) = await scenarios.seed(ctx, admin, no_budget=[1])
    await refused(ctx, lambda: pro_pays.approve(ctx, admin, pro_pay_id), ErrorCode.BUDGET_INVALID)


@pytest.mark.parametrize("reason", [None, "   "])
async def test_revert_payment_needs_a_reason(ctx, admin, pro_pay_id, reason):
    await reach(ctx, admin, pro_pay_id, ("approve", "pay"))
    error = await refused(
        ctx,
        lambda: pro_pays.revert_payment(ctx, admin, pro_pay_id, reason=reason),
        ErrorCode.REASON_REQUIRED,
    )
    assert error.field == ["reason"]


FORBIDDEN = [  # (setup, trigger, role fixture): roles outside the permission table's row
    ((), "approve", "payroll"),
    ((), "delete", "integration"),
    ((), "cancel", "integration"),  # a job canceled by sync cancels its ProPays as a cascade
    (("approve",), "unapprove", "payroll"),
    (("approve",), "cancel", "payroll"),
    (("cancel",), "restore", "integration"),
    (("approve", "pay"), "revert_payment", "manager"),
]


@pytest.mark.parametrize(
    ("setup", "trigger", "role"), FORBIDDEN, ids=[f"{t}-by-{r}" for _, t, r in FORBIDDEN]
)
async def test_wrong_role_is_forbidden(ctx, request, admin, pro_pay_id, setup, trigger, role):
    await reach(ctx, admin, pro_pay_id, setup)
    actor = request.getfixturevalue(role)
    await refused(
        ctx, lambda: SERVICES[trigger](ctx, actor, pro_pay_id, reason="x"), ErrorCode.FORBIDDEN
    )


async def test_stale_expected_version_is_a_conflict(ctx, admin, pro_pay_id):
    version = (await load_pro_pay(ctx, pro_pay_id)).version
    error = await refused(
        ctx,
        lambda: pro_pays.approve(ctx, admin, pro_pay_id, expected_version=version - 1),
        ErrorCode.CONFLICT,
    )
    assert isinstance(error, Conflict)
    assert error.field == ["expectedVersion"]


async def test_another_companys_pro_pay_is_not_found(ctx, outsider, pro_pay_id):
    for trigger in SERVICES:
        error = await refused(
            ctx,
            partial(SERVICES[trigger], ctx, outsider, pro_pay_id, reason="x"),
            ErrorCode.NOT_FOUND,
        )
        assert isinstance(error, NotFound)
