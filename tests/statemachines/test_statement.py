"""Statement guards (each refusal with its code, the record untouched) and stamps."""

from __future__ import annotations

from datetime import datetime

import pytest

from protiv.domain.errors import ErrorCode
from protiv.domain.roles import Role
from protiv.domain.statuses import LineItemStatus as L
from protiv.domain.statuses import StatementStatus as S
from protiv.domain.statuses import StatementTrigger as T
from statemachines.statement import MACHINE
from tests.statemachines.factories import (
    ADMIN,
    NOW,
    PAY_DATE,
    Statement,
    actor,
    assert_refused,
    items,
)


def test_pay_needs_a_pay_date() -> None:
    refused = assert_refused(MACHINE, Statement(), T.PAY, ErrorCode.VALIDATION)
    assert refused.message.startswith("payDate is required")
    assert refused.field == ["payDate"]


@pytest.mark.parametrize("pay_date", ["2025-03-21", NOW], ids=["text", "datetime"])
def test_pay_needs_a_calendar_date(pay_date: object) -> None:
    assert_refused(MACHINE, Statement(), T.PAY, ErrorCode.VALIDATION, pay_date=pay_date)


def test_pay_stamps_the_pay_date_and_paid_at() -> None:
    statement = Statement(line_items=items(L.PAYABLE))
    MACHINE.fire(statement, T.PAY, actor=actor(Role.PAYROLL), now=NOW, pay_date=PAY_DATE)
    assert (statement.status, statement.pay_date, statement.paid_at) == (S.PAID, PAY_DATE, NOW)


def test_void_refuses_a_statement_with_a_paid_item() -> None:
    statement = Statement(line_items=items(L.PAID, L.PAYABLE))
    assert_refused(MACHINE, statement, T.VOID, ErrorCode.BONUS_ALREADY_PAID)


def test_void_an_open_statement() -> None:
    statement = Statement(line_items=items(L.HELD, L.VOIDED))
    MACHINE.fire(statement, T.VOID, actor=ADMIN, now=NOW)
    assert statement.status is S.VOID
    assert MACHINE.triggers_from(S.VOID) == []


def paid() -> Statement:
    return Statement(
        status=S.PAID, pay_date=PAY_DATE, paid_at=datetime(2025, 3, 20, tzinfo=NOW.tzinfo)
    )


def test_reopen_needs_a_reason() -> None:
    assert_refused(MACHINE, paid(), T.REOPEN, ErrorCode.REASON_REQUIRED)


def test_reopen_is_for_admins_only() -> None:
    assert_refused(
        MACHINE, paid(), T.REOPEN, ErrorCode.FORBIDDEN, actor=actor(Role.PAYROLL), reason="x"
    )


def test_reopen_clears_the_payment() -> None:
    statement = paid()
    MACHINE.fire(statement, T.REOPEN, actor=ADMIN, now=NOW, reason="paid in error")
    assert (statement.status, statement.pay_date, statement.paid_at) == (S.OPEN, None, None)
