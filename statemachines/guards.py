"""Guards and stamps more than one machine uses. Each guard is pure: it reads the record and the
context and answers None (go on) or why the transition is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from protiv.domain.errors import ErrorCode
from protiv.domain.protocols import LineItemLike
from protiv.domain.statuses import LineItemStatus
from statemachines.base import Context, guard, stamp


class HasLineItems(Protocol):
    @property
    def line_items(self) -> Sequence[LineItemLike]: ...


class HasPaidAt(Protocol):
    paid_at: datetime | None


class HasApproval(Protocol):
    approved_at: datetime | None
    approved_by: str | None


def live_items(items: Sequence[LineItemLike]) -> list[LineItemLike]:
    """The line items that still count: every one but the VOIDED."""
    return [item for item in items if item.status is not LineItemStatus.VOIDED]


def paid_count(items: Sequence[LineItemLike]) -> int:
    return sum(1 for item in items if item.status is LineItemStatus.PAID)


def all_live_items_paid(items: Sequence[LineItemLike]) -> bool:
    """At least one live line item, and every live one PAID."""
    live = live_items(items)
    return bool(live) and all(item.status is LineItemStatus.PAID for item in live)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@guard(ErrorCode.REASON_REQUIRED, field="reason")
def reason_is_given(c: Context[Any]) -> str | None:
    """A non-blank reason is given (not held against availability)."""
    if c.checking or c.given_reason:
        return None
    return f"A reason is required to {c.trigger}: say why, for the audit trail."


@guard(ErrorCode.BUDGET_INVALID)
def budget_is_valid(c: Context[Any]) -> str | None:
    """The service found no problem with the budget (context ``budget_error``)."""
    error = c.extra.get("budget_error")
    if isinstance(error, str) and error.strip():
        return error
    return None


@guard(ErrorCode.BONUS_ALREADY_PAID)
def no_paid_line_items(c: Context[HasLineItems]) -> str | None:
    """None of its line items is PAID."""
    paid = paid_count(c.record.line_items)
    if not paid:
        return None
    return (
        f"Cannot {c.trigger}: {_plural(paid, 'line item')} already PAID. Paid money is not "
        "taken back here: revert the payment first (revert_payment, admin only), or deduct "
        "it next period."
    )


@stamp
def stamp_paid_at(c: Context[HasPaidAt]) -> None:
    c.record.paid_at = c.now


@stamp
def clear_paid_at(c: Context[HasPaidAt]) -> None:
    c.record.paid_at = None


@stamp
def stamp_approval(c: Context[HasApproval]) -> None:
    c.record.approved_at = c.now
    c.record.approved_by = c.actor.label


@stamp
def clear_approval(c: Context[HasApproval]) -> None:
    c.record.approved_at = None
    c.record.approved_by = None
