"""Line item guards (each refusal with its code, the record untouched) and stamps."""

from __future__ import annotations

from datetime import timedelta

import pytest

from protiv.domain.errors import ErrorCode
from protiv.domain.roles import Role
from protiv.domain.statuses import LineItemStatus as L
from protiv.domain.statuses import LineItemTrigger as T
from statemachines.line_item import MACHINE
from tests.statemachines.factories import ADMIN, NOW, LineItem, actor, assert_refused

LATER = NOW + timedelta(days=14)


def test_hold_needs_a_reason_and_stamps_it() -> None:
    item = LineItem(status=L.PAYABLE)
    assert_refused(MACHINE, item, T.HOLD, ErrorCode.REASON_REQUIRED, reason="")
    MACHINE.fire(item, T.HOLD, actor=actor(Role.PAYROLL), now=NOW, reason="  damage claim ")
    assert (item.status, item.hold_reason) == (L.HELD, "damage claim")


def test_release_makes_it_payable() -> None:
    item = LineItem(release_at=NOW)
    MACHINE.fire(item, T.RELEASE, actor=ADMIN, now=NOW)
    assert item.status is L.PAYABLE


def test_extend_needs_a_release_at() -> None:
    refused = assert_refused(MACHINE, LineItem(release_at=NOW), T.EXTEND, ErrorCode.VALIDATION)
    assert refused.field == ["releaseAt"]


@pytest.mark.parametrize("release_at", [NOW, NOW - timedelta(seconds=1)], ids=["same", "earlier"])
def test_extend_needs_a_later_release_at(release_at) -> None:
    refused = assert_refused(
        MACHINE, LineItem(release_at=NOW), T.EXTEND, ErrorCode.VALIDATION, release_at=release_at
    )
    assert "later than the current one" in refused.message


def test_extend_refuses_a_naive_release_at() -> None:
    assert_refused(
        MACHINE,
        LineItem(release_at=NOW),
        T.EXTEND,
        ErrorCode.VALIDATION,
        release_at=LATER.replace(tzinfo=None),
    )


@pytest.mark.parametrize("current", [None, NOW])
def test_extend_stamps_the_new_release_at_and_stays_held(current) -> None:
    item = LineItem(release_at=current)
    fired = MACHINE.fire(item, T.EXTEND, actor=ADMIN, now=NOW, release_at=LATER)
    assert (fired.source, fired.dest, item.status, item.release_at) == (
        L.HELD,
        L.HELD,
        L.HELD,
        LATER,
    )


@pytest.mark.parametrize("via", [None, "group", "revert_payment"])
def test_pay_only_through_a_statement(via) -> None:
    refused = assert_refused(
        MACHINE, LineItem(status=L.PAYABLE), T.PAY, ErrorCode.INVALID_TRANSITION, via=via
    )
    assert "a line item is paid through its statement" in refused.message


def test_pay_through_a_statement_stamps_paid_at() -> None:
    item = LineItem(status=L.PAYABLE)
    MACHINE.fire(item, T.PAY, actor=actor(Role.PAYROLL), now=NOW, via="statement")
    assert (item.status, item.paid_at) == (L.PAID, NOW)


@pytest.mark.parametrize("status", [L.HELD, L.PAYABLE])
def test_void_needs_a_reason_and_stamps_it(status: L) -> None:
    item = LineItem(status=status)
    assert_refused(MACHINE, item, T.VOID, ErrorCode.REASON_REQUIRED)
    MACHINE.fire(item, T.VOID, actor=ADMIN, now=NOW, reason="UNAPPROVED", via="cascade")
    assert (item.status, item.void_reason) == (L.VOIDED, "UNAPPROVED")


@pytest.mark.parametrize("via", [None, "statement", "cascade"])
def test_unpay_only_through_a_payment_correction(via) -> None:
    item = LineItem(status=L.PAID, paid_at=NOW)
    assert_refused(MACHINE, item, T.UNPAY, ErrorCode.INVALID_TRANSITION, via=via)


@pytest.mark.parametrize("via", ["revert_payment", "statement_reopen"])
def test_unpay_clears_paid_at(via: str) -> None:
    item = LineItem(status=L.PAID, paid_at=NOW)
    MACHINE.fire(item, T.UNPAY, actor=ADMIN, now=NOW, via=via)
    assert (item.status, item.paid_at) == (L.PAYABLE, None)


def test_unpay_is_for_admins_only() -> None:
    item = LineItem(status=L.PAID, paid_at=NOW)
    assert_refused(
        MACHINE, item, T.UNPAY, ErrorCode.FORBIDDEN, actor=actor(Role.PAYROLL), via="revert_payment"
    )


def test_voided_is_final() -> None:
    assert MACHINE.triggers_from(L.VOIDED) == []
    refused = assert_refused(
        MACHINE, LineItem(status=L.VOIDED), T.RELEASE, ErrorCode.INVALID_TRANSITION
    )
    assert refused.message == "Cannot release a VOIDED line item: VOIDED is final."
