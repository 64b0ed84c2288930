"""SPEC §3, ProPayGroup: the ProPay's statuses and triggers, fired on the group through
``groups.transition`` and carried to every member (all or none), on a real database.

The group here pools two jobs of the same crew: budget 4000, actual 3000, worker pool 500, shared
W-1 240, W-2 210, W-9 50, and sliced per member by the worker's hours on it (120/105/25 each).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import pytest

from protiv.domain.errors import ErrorCode
from protiv.domain.roles import Actor
from protiv.domain.statuses import (
    LineItemStatus,
    LineItemTrigger,
    ProPayStatus,
    ProPayTrigger,
    VoidReason,
)
from protiv.persistence.models import LineItem
from protiv.services import groups, line_items, statements
from protiv.services.context import ServiceContext
from tests.services import scenarios
from tests.services.scenarios import Log, Shape, ev, items_of, load_group, refused

P = ProPayStatus
L = LineItemStatus
T = ProPayTrigger


@pytest.fixture
async def members(ctx: ServiceContext, admin: Actor) -> list[int]:
    return await scenarios.seed(ctx, admin, jobs=2)


@pytest.fixture
async def group_id(ctx: ServiceContext, admin: Actor, members: list[int]) -> int:
    return await scenarios.make_group(ctx, admin, members)


async def group_items(ctx, members: list[int]) -> list[LineItem]:
    return [item for member in members for item in await items_of(ctx, member)]


async def reach(ctx, admin, group_id: int, steps: tuple[str, ...]) -> None:
    for step in steps:
        if step == "pay":
            await scenarios.drive_group(ctx, admin, group_id, P.PAID)
        else:
            await groups.transition(ctx, admin, group_id, T(step), reason="setup")


def both(trigger: str, source: str, dest: str) -> Shape:
    """The group's event and one per member."""
    return ev("PRO_PAY_GROUP", trigger, source, dest) + ev("PRO_PAY", trigger, source, dest, 2)


VOIDS = ev("LINE_ITEM", "void", "HELD", "VOIDED", 6)


@dataclass(frozen=True)
class Allowed:
    setup: tuple[str, ...]
    trigger: ProPayTrigger
    source: ProPayStatus
    dest: ProPayStatus
    events: Shape
    items: LineItemStatus | None = None  # every item of every member ends so
    void_reason: VoidReason | None = None


ALLOWED = [
    Allowed(
        (), T.APPROVE, P.ACTIVE, P.APPROVED,
        both("approve", "ACTIVE", "APPROVED")
        + ev("LINE_ITEM", "create", None, "HELD", 6)
        + ev("STATEMENT", "open", None, "OPEN", 3),
        L.HELD,
    ),
    Allowed(
        ("approve",), T.UNAPPROVE, P.APPROVED, P.ACTIVE,
        both("unapprove", "APPROVED", "ACTIVE") + VOIDS, L.VOIDED, VoidReason.UNAPPROVED,
    ),
    Allowed((), T.CANCEL, P.ACTIVE, P.CANCELED, both("cancel", "ACTIVE", "CANCELED")),
    Allowed(
        ("approve",), T.CANCEL, P.APPROVED, P.CANCELED,
        both("cancel", "APPROVED", "CANCELED") + VOIDS, L.VOIDED, VoidReason.CANCELED,
    ),
    Allowed((), T.DELETE, P.ACTIVE, P.DELETED, both("delete", "ACTIVE", "DELETED")),
    Allowed(
        ("approve",), T.DELETE, P.APPROVED, P.DELETED,
        both("delete", "APPROVED", "DELETED") + VOIDS, L.VOIDED, VoidReason.DELETED,
    ),
    Allowed(("cancel",), T.RESTORE, P.CANCELED, P.ACTIVE, both("restore", "CANCELED", "ACTIVE")),
    Allowed(
        ("approve", "delete"), T.RESTORE, P.DELETED, P.ACTIVE,
        both("restore", "DELETED", "ACTIVE"), L.VOIDED, VoidReason.DELETED,
    ),
    Allowed(
        ("pay",), T.REVERT_PAYMENT, P.PAID, P.APPROVED,
        both("revert_payment", "PAID", "APPROVED")
        + ev("LINE_ITEM", "unpay", "PAID", "PAYABLE", 6)
        + ev("STATEMENT", "reopen", "PAID", "OPEN", 3),
        L.PAYABLE,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    "row", ALLOWED, ids=[f"{r.trigger.value}-{r.source.name}-to-{r.dest.name}" for r in ALLOWED]
)
async def test_allowed_group_transition(ctx, clock, admin, members, group_id, row: Allowed):
    await reach(ctx, admin, group_id, row.setup)
    before = await load_group(ctx, group_id)
    assert before.status is row.source
    assert {m.status for m in before.members} == {row.source}
    clock.advance(hours=1)
    log = Log(ctx)
    await log.mark()

    done = await groups.transition(
        ctx, admin, group_id, row.trigger, expected_version=before.version, reason="route done"
    )

    after = await load_group(ctx, group_id)
    assert done.record.status is after.status is row.dest
    assert after.version == before.version + 1
    assert {m.status for m in after.members} == {row.dest}  # all members moved with it
    event = done.event
    assert (event.entity.value, event.entity_id, event.trigger) == (
        "PRO_PAY_GROUP", group_id, row.trigger.value,
    )  # fmt: skip
    assert (event.from_status, event.to_status) == (row.source.value, row.dest.value)
    assert (event.actor, event.reason, event.occurred_at) == ("admin:ada", "route done", clock.now)
    assert await log.shape() == row.events
    member_events = [e for e in await log.new() if e.entity.value == "PRO_PAY"]
    assert {(e.entity_id, e.reason, e.actor) for e in member_events} == {
        (m, "route done", "admin:ada") for m in members
    }
    items = await group_items(ctx, members)
    if row.items is None:
        assert items == []
    else:
        assert {i.status for i in items} == {row.items}
        assert len(items) == 6
    if row.void_reason is not None:
        assert {i.void_reason for i in items} == {row.void_reason.value}


async def test_group_approval_slices_the_pooled_shares(ctx, admin, members, group_id):
    await groups.transition(ctx, admin, group_id, T.APPROVE)
    group = await load_group(ctx, group_id)
    items = await group_items(ctx, members)
    assert scenarios.item_shares(items) == scenarios.frozen_shares(group.calculation)
    ids = await scenarios.workers(ctx)
    assert scenarios.frozen_shares(group.calculation) == {
        (ids["W-1"], "CREW"): 24000,
        (ids["W-2"], "CREW"): 21000,
        (ids["W-9"], "MANAGER"): 5000,
    }
    for member in members:
        mine = await items_of(ctx, member)
        assert sorted(i.amount for i in mine) == sorted(scenarios.EXPECTED_SHARES.values())
        assert {(i.group_id, i.source.value) for i in mine} == {(group_id, "PRO_PAY_GROUP")}
    for member in group.members:  # members show the pooled figures they were approved from
        assert member.calculation == group.calculation
        assert member.approved_by == "admin:ada"


async def test_group_unapprove_and_restore_clear_the_frozen_figures(ctx, admin, group_id):
    await groups.transition(ctx, admin, group_id, T.APPROVE)
    await groups.transition(ctx, admin, group_id, T.UNAPPROVE)
    group = await load_group(ctx, group_id)
    assert group.calculation is None
    assert (group.approved_at, group.approved_by) == (None, None)
    assert all(m.calculation is None for m in group.members)
    await groups.transition(ctx, admin, group_id, T.APPROVE)
    await groups.transition(ctx, admin, group_id, T.CANCEL)
    await groups.transition(ctx, admin, group_id, T.RESTORE)
    group = await load_group(ctx, group_id)
    assert group.calculation is None
    assert all(m.calculation is None for m in group.members)


async def test_group_is_paid_when_its_last_member_is(ctx, admin, members, group_id):
    await groups.transition(ctx, admin, group_id, T.APPROVE)
    first, second = members
    await scenarios.release_all(ctx, admin, first)
    log = Log(ctx)
    await log.mark()
    await scenarios.pay_statements_of(ctx, admin, first)  # second's HELD items move on
    group = await load_group(ctx, group_id)
    assert [m.status for m in group.members] == [P.PAID, P.APPROVED]
    assert group.status is P.APPROVED
    shape = await log.shape()
    assert shape[("PRO_PAY", "mark_paid", "APPROVED", "PAID")] == 1
    assert shape[("PRO_PAY_GROUP", "mark_paid", "APPROVED", "PAID")] == 0

    await scenarios.release_all(ctx, admin, second)
    await log.mark()
    await scenarios.pay_statements_of(ctx, admin, second)
    group = await load_group(ctx, group_id)
    assert [m.status for m in group.members] == [P.PAID, P.PAID]
    assert group.status is P.PAID
    assert group.paid_at is not None
    shape = await log.shape()
    assert shape[("PRO_PAY", "mark_paid", "APPROVED", "PAID")] == 1
    assert shape[("PRO_PAY_GROUP", "mark_paid", "APPROVED", "PAID")] == 1


# -- refusals ----------------------------------------------------------------------------------

INVALID = {
    P.ACTIVE: ((), (T.UNAPPROVE, T.REVERT_PAYMENT, T.RESTORE)),
    P.APPROVED: (("approve",), (T.APPROVE, T.REVERT_PAYMENT, T.RESTORE)),
    P.PAID: (("pay",), (T.APPROVE, T.UNAPPROVE, T.CANCEL, T.DELETE, T.RESTORE)),
    P.CANCELED: (("cancel",), (T.APPROVE, T.UNAPPROVE, T.REVERT_PAYMENT, T.CANCEL, T.DELETE)),
    P.DELETED: (("delete",), (T.APPROVE, T.UNAPPROVE, T.REVERT_PAYMENT, T.CANCEL, T.DELETE)),
}


@pytest.mark.parametrize("status", list(INVALID), ids=lambda s: s.name)
async def test_every_group_trigger_not_in_the_table_is_invalid(ctx, admin, group_id, status):
    setup, triggers = INVALID[status]
    await reach(ctx, admin, group_id, setup)
    for trigger in triggers:
        error = await refused(
            ctx,
            partial(groups.transition, ctx, admin, group_id, trigger, reason="x"),
            ErrorCode.INVALID_TRANSITION,
        )
        assert status.name in error.message
    await refused(
        ctx, lambda: groups.transition(ctx, admin, group_id, T.MARK_PAID), ErrorCode.VALIDATION
    )


@pytest.mark.parametrize("trigger", [T.UNAPPROVE, T.CANCEL, T.DELETE])
async def test_group_cannot_go_back_once_a_member_bonus_is_paid(
    ctx, admin, members, group_id, trigger
):
    await groups.transition(ctx, admin, group_id, T.APPROVE)
    item = (await items_of(ctx, members[1]))[0]
    await line_items.transition(ctx, admin, item.id, LineItemTrigger.RELEASE)
    await statements.pay(ctx, admin, item.statement_id, scenarios.PAY_DATE)
    await refused(
        ctx,
        lambda: groups.transition(ctx, admin, group_id, trigger, reason="x"),
        ErrorCode.BONUS_ALREADY_PAID,
    )


async def test_a_member_with_a_pending_disqualifier_blocks_the_group(ctx, admin, members, group_id):
    await scenarios.add_disqualifier(ctx, members[1])
    await refused(
        ctx,
        lambda: groups.transition(ctx, admin, group_id, T.APPROVE),
        ErrorCode.DISQUALIFIERS_PENDING,
    )


async def test_a_member_without_budget_blocks_the_group(ctx, admin):
    ids = await scenarios.seed(ctx, admin, jobs=2, no_budget=[2])
    group_id = await scenarios.make_group(ctx, admin, ids)
    await refused(
        ctx, lambda: groups.transition(ctx, admin, group_id, T.APPROVE), ErrorCode.BUDGET_INVALID
    )


async def test_group_revert_payment_needs_a_reason(ctx, admin, group_id):
    await reach(ctx, admin, group_id, ("pay",))
    await refused(
        ctx,
        lambda: groups.transition(ctx, admin, group_id, T.REVERT_PAYMENT, reason=" "),
        ErrorCode.REASON_REQUIRED,
    )


async def test_group_guards_role_version_and_company(ctx, admin, payroll, manager, group_id):
    await refused(
        ctx, lambda: groups.transition(ctx, payroll, group_id, T.APPROVE), ErrorCode.FORBIDDEN
    )
    await refused(
        ctx,
        lambda: groups.transition(ctx, admin, group_id, T.APPROVE, expected_version=7),
        ErrorCode.CONFLICT,
    )
    outsider = await scenarios.stranger(ctx)
    await refused(
        ctx, lambda: groups.transition(ctx, outsider, group_id, T.CANCEL), ErrorCode.NOT_FOUND
    )
    await reach(ctx, admin, group_id, ("pay",))
    await refused(
        ctx,
        lambda: groups.transition(ctx, manager, group_id, T.REVERT_PAYMENT, reason="x"),
        ErrorCode.FORBIDDEN,
    )
