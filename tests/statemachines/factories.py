"""Plain dataclasses that satisfy the domain protocols, and the context each trigger needs."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from protiv.domain.bonus import DisqualifierResult
from protiv.domain.errors import TransitionRefused
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import (
    IntegrationStatus,
    JobStatus,
    LineItemStatus,
    LineItemTrigger,
    ProPayStatus,
    StatementStatus,
)

NOW = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)
PAY_DATE = date(2025, 3, 21)


def actor(role: Role = Role.ADMIN) -> Actor:
    return Actor(company_id=1, role=role, name=f"{role.value.lower()}-tester")


ADMIN = actor(Role.ADMIN)


@dataclass
class LineItem:
    status: LineItemStatus = LineItemStatus.HELD
    release_at: datetime | None = None
    void_reason: str | None = None
    hold_reason: str | None = None
    paid_at: datetime | None = None


@dataclass
class Disqualifier:
    result: DisqualifierResult = DisqualifierResult.PENDING


@dataclass
class ProPay:
    status: ProPayStatus = ProPayStatus.ACTIVE
    group_id: int | None = None
    approved_at: datetime | None = None
    approved_by: str | None = None
    paid_at: datetime | None = None
    line_items: list[LineItem] = field(default_factory=list)
    disqualifiers: list[Disqualifier] = field(default_factory=list)


@dataclass
class ProPayGroup:
    status: ProPayStatus = ProPayStatus.ACTIVE
    approved_at: datetime | None = None
    approved_by: str | None = None
    paid_at: datetime | None = None
    members: list[ProPay] = field(default_factory=list)


@dataclass
class Statement:
    status: StatementStatus = StatementStatus.OPEN
    pay_date: date | None = None
    paid_at: datetime | None = None
    line_items: list[LineItem] = field(default_factory=list)


@dataclass
class Job:
    status: JobStatus = JobStatus.PENDING


@dataclass
class Integration:
    status: IntegrationStatus = IntegrationStatus.PENDING
    last_error: str | None = None


def items(*statuses: LineItemStatus) -> list[LineItem]:
    return [LineItem(status=status) for status in statuses]


def paid_items() -> list[LineItem]:
    return items(LineItemStatus.PAID, LineItemStatus.PAID, LineItemStatus.VOIDED)


def line_item_via(trigger: LineItemTrigger) -> str | None:
    """The orchestrating action through which a line item trigger is legitimately fired."""
    return {LineItemTrigger.PAY: "statement", LineItemTrigger.UNPAY: "revert_payment"}.get(trigger)


# The caller input each machine's input-requiring guards want, all of it valid.
INPUTS: dict[str, dict[str, Any]] = {
    "ProPay": {"reason": "paid in error"},
    "ProPayGroup": {"reason": "paid in error"},
    "LineItem": {"reason": "paid in error", "release_at": NOW + timedelta(days=30)},
    "Statement": {"reason": "paid in error", "pay_date": PAY_DATE},
    "Job": {"reason": None},
    "Integration": {"reason": None, "error": "401 from Aspire"},
}


def assert_refused(
    machine: Any, record: Any, trigger: Any, code: Any, *, actor: Actor = ADMIN, **context: Any
) -> TransitionRefused:
    """Fire, expect a TransitionRefused with ``code``, and check the record is untouched."""
    before = copy.deepcopy(record)
    context.setdefault("now", NOW)
    with pytest.raises(TransitionRefused) as refused:
        machine.fire(record, trigger, actor=actor, **context)
    assert refused.value.code is code, refused.value.message
    assert record == before
    return refused.value
