"""ProPay guards (each refusal with its code, the record untouched) and stamps."""

from __future__ import annotations

import pytest

from protiv.domain.bonus import DisqualifierResult
from protiv.domain.errors import ErrorCode
from protiv.domain.roles import Role
from protiv.domain.statuses import LineItemStatus as L
from protiv.domain.statuses import ProPayStatus as P
from protiv.domain.statuses import ProPayTrigger as T
from statemachines.pro_pay import MACHINE
from tests.statemachines.factories import (
    ADMIN,
    NOW,
    Disqualifier,
    ProPay,
    actor,
    assert_refused,
    items,
    paid_items,
)


def test_approve_stamps_who_and_when() -> None:
    pro_pay = ProPay(line_items=items(L.HELD))
    MACHINE.fire(pro_pay, T.APPROVE, actor=actor(Role.MANAGER), now=NOW)
    assert pro_pay.status is P.APPROVED
    assert pro_pay.approved_at == NOW
    assert pro_pay.approved_by == "manager:manager-tester"


def test_approve_refuses_a_group_member() -> None:
    refused = assert_refused(MACHINE, ProPay(group_id=7), T.APPROVE, ErrorCode.GROUP_MEMBER)
    assert "approve its group instead" in refused.message


def test_a_group_member_is_approved_through_its_group() -> None:
    pro_pay = ProPay(group_id=7)
    MACHINE.fire(pro_pay, T.APPROVE, actor=ADMIN, now=NOW, via="group")
    assert pro_pay.status is P.APPROVED


def test_approve_refuses_pending_disqualifiers() -> None:
    pro_pay = ProPay(
        disqualifiers=[Disqualifier(DisqualifierResult.PASSED), Disqualifier()],
    )
    refused = assert_refused(MACHINE, pro_pay, T.APPROVE, ErrorCode.DISQUALIFIERS_PENDING)
    assert "unanswered" in refused.message


def test_answered_disqualifiers_do_not_block_approval() -> None:
    pro_pay = ProPay(
        disqualifiers=[
            Disqualifier(DisqualifierResult.PASSED),
            Disqualifier(DisqualifierResult.FAILED),
        ]
    )
    MACHINE.fire(pro_pay, T.APPROVE, actor=ADMIN, now=NOW)
    assert pro_pay.status is P.APPROVED


def test_approve_refuses_an_invalid_budget_with_the_services_message() -> None:
    refused = assert_refused(
        MACHINE,
        ProPay(),
        T.APPROVE,
        ErrorCode.BUDGET_INVALID,
        budget_error="The budget has no hours: set budget hours or an amount.",
    )
    assert refused.message == "The budget has no hours: set budget hours or an amount."


@pytest.mark.parametrize("budget_error", [None, "", "  "])
def test_no_budget_error_means_a_valid_budget(budget_error: str | None) -> None:
    pro_pay = ProPay()
    MACHINE.fire(pro_pay, T.APPROVE, actor=ADMIN, now=NOW, budget_error=budget_error)
    assert pro_pay.status is P.APPROVED


@pytest.mark.parametrize("role", [Role.WORKER, Role.PAYROLL, Role.INTEGRATION])
def test_approve_is_forbidden_to_roles_other_than_admin_and_manager(role: Role) -> None:
    refused = assert_refused(MACHINE, ProPay(), T.APPROVE, ErrorCode.FORBIDDEN, actor=actor(role))
    assert role.value in refused.message
    assert "ADMIN or MANAGER" in refused.message


def test_the_role_is_checked_before_the_guards() -> None:
    assert_refused(
        MACHINE, ProPay(group_id=1), T.APPROVE, ErrorCode.FORBIDDEN, actor=actor(Role.WORKER)
    )


def test_the_status_is_checked_before_the_role() -> None:
    refused = assert_refused(
        MACHINE,
        ProPay(status=P.PAID),
        T.CANCEL,
        ErrorCode.INVALID_TRANSITION,
        actor=actor(Role.WORKER),
    )
    assert refused.message.startswith("Cannot cancel a PAID ProPay: ")
    assert "revert_payment" in refused.message


def test_unapprove_refuses_when_a_line_item_is_paid() -> None:
    pro_pay = ProPay(
        status=P.APPROVED,
        approved_at=NOW,
        approved_by="admin:a",
        line_items=items(L.PAID, L.HELD),
    )
    refused = assert_refused(MACHINE, pro_pay, T.UNAPPROVE, ErrorCode.BONUS_ALREADY_PAID)
    assert "revert the payment first" in refused.message


def test_unapprove_refuses_a_group_member_outside_its_group() -> None:
    pro_pay = ProPay(status=P.APPROVED, group_id=3, line_items=items(L.HELD))
    refused = assert_refused(MACHINE, pro_pay, T.UNAPPROVE, ErrorCode.GROUP_MEMBER)
    assert "unapprove its group instead" in refused.message


def test_unapprove_clears_the_approval() -> None:
    pro_pay = ProPay(status=P.APPROVED, group_id=3, approved_at=NOW, approved_by="admin:a")
    MACHINE.fire(pro_pay, T.UNAPPROVE, actor=ADMIN, now=NOW, via="group")
    assert (pro_pay.status, pro_pay.approved_at, pro_pay.approved_by) == (P.ACTIVE, None, None)


@pytest.mark.parametrize(
    "line_items",
    [[], items(L.VOIDED), items(L.PAID, L.PAYABLE), items(L.PAID, L.HELD, L.VOIDED)],
    ids=["none", "only-voided", "one-payable", "one-held"],
)
def test_mark_paid_needs_every_live_line_item_paid(line_items) -> None:
    pro_pay = ProPay(status=P.APPROVED, line_items=line_items)
    assert_refused(MACHINE, pro_pay, T.MARK_PAID, ErrorCode.LINE_ITEMS_UNPAID)


def test_mark_paid_ignores_voided_items_and_stamps_paid_at() -> None:
    pro_pay = ProPay(status=P.APPROVED, line_items=paid_items())
    MACHINE.fire(pro_pay, T.MARK_PAID, actor=actor(Role.PAYROLL), now=NOW)
    assert (pro_pay.status, pro_pay.paid_at) == (P.PAID, NOW)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_revert_payment_needs_a_reason(reason: str | None) -> None:
    pro_pay = ProPay(status=P.PAID, paid_at=NOW, line_items=paid_items())
    refused = assert_refused(
        MACHINE, pro_pay, T.REVERT_PAYMENT, ErrorCode.REASON_REQUIRED, reason=reason
    )
    assert refused.field == ["reason"]


@pytest.mark.parametrize("role", [Role.PAYROLL, Role.MANAGER])
def test_revert_payment_is_for_admins_only(role: Role) -> None:
    pro_pay = ProPay(status=P.PAID, paid_at=NOW, line_items=paid_items())
    assert_refused(
        MACHINE, pro_pay, T.REVERT_PAYMENT, ErrorCode.FORBIDDEN, actor=actor(role), reason="x"
    )


def test_revert_payment_clears_paid_at() -> None:
    pro_pay = ProPay(status=P.PAID, paid_at=NOW, line_items=paid_items())
    MACHINE.fire(pro_pay, T.REVERT_PAYMENT, actor=ADMIN, now=NOW, reason="paid twice")
    assert (pro_pay.status, pro_pay.paid_at) == (P.APPROVED, None)


@pytest.mark.parametrize(
    ("status", "trigger"),
    [
        (P.ACTIVE, T.CANCEL),
        (P.APPROVED, T.CANCEL),
        (P.ACTIVE, T.DELETE),
        (P.APPROVED, T.DELETE),
        (P.CANCELED, T.RESTORE),
        (P.DELETED, T.RESTORE),
    ],
)
def test_nothing_paid_may_be_canceled_deleted_or_restored(status: P, trigger: T) -> None:
    pro_pay = ProPay(status=status, line_items=items(L.PAID, L.VOIDED))
    refused = assert_refused(MACHINE, pro_pay, trigger, ErrorCode.BONUS_ALREADY_PAID)
    assert f"Cannot {trigger.value}" in refused.message


def test_restore_clears_the_approval() -> None:
    pro_pay = ProPay(status=P.CANCELED, approved_at=NOW, approved_by="admin:a")
    MACHINE.fire(pro_pay, T.RESTORE, actor=ADMIN, now=NOW)
    assert (pro_pay.status, pro_pay.approved_at, pro_pay.approved_by) == (P.ACTIVE, None, None)


def test_an_integration_token_may_not_cancel_a_pro_pay_itself() -> None:
    """Integrations sync and read (the permission matrix); a job canceled by sync cancels its
    ProPays as a cascade of the job's transition, not with the integration's own rights."""
    assert_refused(
        MACHINE,
        ProPay(line_items=items(L.HELD)),
        T.CANCEL,
        ErrorCode.FORBIDDEN,
        actor=actor(Role.INTEGRATION),
    )
