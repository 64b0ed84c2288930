"""ProPayGroup guards, read over the members (each refusal with its code), and stamps."""

from __future__ import annotations

import pytest

from protiv.domain.bonus import DisqualifierResult
from protiv.domain.errors import ErrorCode
from protiv.domain.roles import Role
from protiv.domain.statuses import LineItemStatus as L
from protiv.domain.statuses import ProPayStatus as P
from protiv.domain.statuses import ProPayTrigger as T
from statemachines.pro_pay_group import MACHINE
from tests.statemachines.factories import (
    ADMIN,
    NOW,
    Disqualifier,
    ProPay,
    ProPayGroup,
    actor,
    assert_refused,
    items,
    paid_items,
)


def member(status: P = P.ACTIVE, **fields) -> ProPay:
    return ProPay(status=status, group_id=1, **fields)


def test_approve_stamps_and_does_not_touch_members() -> None:
    group = ProPayGroup(members=[member(), member()])
    MACHINE.fire(group, T.APPROVE, actor=actor(Role.MANAGER), now=NOW)
    assert (group.status, group.approved_at, group.approved_by) == (
        P.APPROVED,
        NOW,
        "manager:manager-tester",
    )
    assert [each.status for each in group.members] == [P.ACTIVE, P.ACTIVE]


def test_approve_refuses_an_empty_group() -> None:
    assert_refused(MACHINE, ProPayGroup(), T.APPROVE, ErrorCode.EMPTY_GROUP)


def test_approve_refuses_when_a_member_has_a_pending_disqualifier() -> None:
    group = ProPayGroup(
        members=[
            member(disqualifiers=[Disqualifier(DisqualifierResult.PASSED)]),
            member(disqualifiers=[Disqualifier(DisqualifierResult.PENDING)]),
        ]
    )
    refused = assert_refused(MACHINE, group, T.APPROVE, ErrorCode.DISQUALIFIERS_PENDING)
    assert refused.message.startswith("1 ProPay(s)")


def test_approve_refuses_an_invalid_budget() -> None:
    group = ProPayGroup(members=[member()])
    refused = assert_refused(
        MACHINE, group, T.APPROVE, ErrorCode.BUDGET_INVALID, budget_error="no budget"
    )
    assert refused.message == "no budget"


def test_the_group_itself_is_never_a_group_member() -> None:
    group = ProPayGroup(members=[member()])
    MACHINE.fire(group, T.APPROVE, actor=ADMIN, now=NOW)  # no via needed
    assert group.status is P.APPROVED


def test_approve_is_forbidden_to_a_worker() -> None:
    group = ProPayGroup(members=[member()])
    assert_refused(MACHINE, group, T.APPROVE, ErrorCode.FORBIDDEN, actor=actor(Role.WORKER))


@pytest.mark.parametrize(
    ("status", "trigger"),
    [
        (P.APPROVED, T.UNAPPROVE),
        (P.ACTIVE, T.CANCEL),
        (P.APPROVED, T.CANCEL),
        (P.ACTIVE, T.DELETE),
        (P.APPROVED, T.DELETE),
        (P.CANCELED, T.RESTORE),
        (P.DELETED, T.RESTORE),
    ],
)
def test_nothing_paid_in_any_member(status: P, trigger: T) -> None:
    group = ProPayGroup(
        status=status,
        members=[member(P.APPROVED, line_items=items(L.HELD)), member(line_items=items(L.PAID))],
    )
    refused = assert_refused(MACHINE, group, trigger, ErrorCode.BONUS_ALREADY_PAID)
    assert "1 line item(s)" in refused.message


def test_unapprove_clears_the_approval() -> None:
    group = ProPayGroup(
        status=P.APPROVED, approved_at=NOW, approved_by="admin:a", members=[member(P.APPROVED)]
    )
    MACHINE.fire(group, T.UNAPPROVE, actor=ADMIN, now=NOW)
    assert (group.status, group.approved_at, group.approved_by) == (P.ACTIVE, None, None)


def test_mark_paid_refuses_while_a_member_is_unpaid() -> None:
    group = ProPayGroup(
        status=P.APPROVED,
        members=[
            member(P.PAID, line_items=paid_items()),
            member(P.APPROVED, line_items=items(L.PAID, L.PAYABLE)),
        ],
    )
    assert_refused(MACHINE, group, T.MARK_PAID, ErrorCode.LINE_ITEMS_UNPAID)


def test_mark_paid_refuses_an_empty_group() -> None:
    assert_refused(MACHINE, ProPayGroup(status=P.APPROVED), T.MARK_PAID, ErrorCode.EMPTY_GROUP)


def test_mark_paid_accepts_members_paid_or_fully_paid_and_stamps() -> None:
    group = ProPayGroup(
        status=P.APPROVED,
        members=[
            member(P.PAID, line_items=paid_items()),
            member(P.APPROVED, line_items=paid_items()),
        ],
    )
    MACHINE.fire(group, T.MARK_PAID, actor=actor(Role.PAYROLL), now=NOW)
    assert (group.status, group.paid_at) == (P.PAID, NOW)


def test_revert_payment_needs_a_reason_and_an_admin() -> None:
    group = ProPayGroup(status=P.PAID, paid_at=NOW, members=[member(P.PAID)])
    assert_refused(MACHINE, group, T.REVERT_PAYMENT, ErrorCode.REASON_REQUIRED, reason=" ")
    assert_refused(
        MACHINE, group, T.REVERT_PAYMENT, ErrorCode.FORBIDDEN, actor=actor(Role.PAYROLL), reason="x"
    )
    MACHINE.fire(group, T.REVERT_PAYMENT, actor=ADMIN, now=NOW, reason="paid in error")
    assert (group.status, group.paid_at) == (P.APPROVED, None)
