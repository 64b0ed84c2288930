"""Bonus line item lifecycle (SPEC §3), initial HELD (approvals create held items).

          extend
          +---+
          |   v        release
     +--------+ ----------------> +---------+     pay     +------+
 --> |  HELD  |                   | PAYABLE | ----------> | PAID |
     +--------+ <---------------- +---------+ <---------- +------+
          |            hold            |         unpay
          | void                  void |
          v                            v
     +------------------------------------+
     |          VOIDED (final)            |
     +------------------------------------+

  release  (automatic when release_at passes, or by hand)
  hold     reason_is_given; stamps hold_reason, clears release_at (held until released by
           hand or extended: the scheduler never lets a hand-held item go)
  extend   release_at_is_later; stamps release_at
  pay      paid_through_statement (via="statement"); stamps paid_at
  void     reason_is_given; stamps void_reason
  unpay    unpaid_through_correction (via="revert_payment" or "statement_reopen"); clears paid_at

Every transition also needs the actor's role to be allowed (protiv.domain.permissions).
Context keys: actor, now, reason, via, and ``release_at`` (aware datetime, for extend).
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from protiv.domain.errors import ErrorCode
from protiv.domain.protocols import LineItemLike
from protiv.domain.statuses import EntityKind, LineItemStatus, LineItemTrigger
from statemachines.base import Context, Row, StateMachine, Via, guard, stamp
from statemachines.guards import clear_paid_at, reason_is_given, stamp_paid_at

S = LineItemStatus


@guard(ErrorCode.VALIDATION, field="releaseAt")
def release_at_is_later(c: Context[LineItemLike]) -> str | None:
    """A new ``release_at`` is given, aware, and later than the current one."""
    new = c.extra.get("release_at")
    if new is None:
        return None if c.checking else "releaseAt is required: give the new release date."
    if not isinstance(new, datetime) or new.utcoffset() is None:
        return "releaseAt must be a date and time with a time zone."
    current = c.record.release_at
    if current is not None and new <= current:
        return (
            f"releaseAt must be later than the current one ({current.isoformat()}): extend "
            "only moves the release later; release the item to pay it sooner."
        )
    return None


@guard(ErrorCode.INVALID_TRANSITION)
def paid_through_statement(c: Context[LineItemLike]) -> str | None:
    """Only a statement pays a line item (via="statement")."""
    if c.via == Via.STATEMENT:
        return None
    return "Cannot pay a line item by itself: a line item is paid through its statement."


@guard(ErrorCode.INVALID_TRANSITION)
def unpaid_through_correction(c: Context[LineItemLike]) -> str | None:
    """Only a payment correction unpays a line item (revert_payment or a statement reopen)."""
    if c.via in (Via.REVERT_PAYMENT, Via.STATEMENT_REOPEN):
        return None
    return (
        "Cannot unpay a line item by itself: revert the ProPay's payment, or reopen the paid "
        "statement (admin only)."
    )


@stamp
def stamp_hold_reason(c: Context[LineItemLike]) -> None:
    c.record.hold_reason = c.given_reason
    c.record.release_at = None


@stamp
def stamp_release_at(c: Context[LineItemLike]) -> None:
    c.record.release_at = cast(datetime, c.extra["release_at"])  # checked by release_at_is_later


@stamp
def stamp_void_reason(c: Context[LineItemLike]) -> None:
    c.record.void_reason = c.given_reason


TABLE: list[Row] = [
    {"trigger": "release", "source": S.HELD, "dest": S.PAYABLE},
    {
        "trigger": "hold",
        "source": S.PAYABLE,
        "dest": S.HELD,
        "conditions": [reason_is_given],
        "after": [stamp_hold_reason],
    },
    {
        "trigger": "extend",
        "source": S.HELD,
        "dest": S.HELD,
        "conditions": [release_at_is_later],
        "after": [stamp_release_at],
    },
    {
        "trigger": "pay",
        "source": S.PAYABLE,
        "dest": S.PAID,
        "conditions": [paid_through_statement],
        "after": [stamp_paid_at],
    },
    {
        "trigger": "void",
        "source": [S.HELD, S.PAYABLE],
        "dest": S.VOIDED,
        "conditions": [reason_is_given],
        "after": [stamp_void_reason],
    },
    {
        "trigger": "unpay",
        "source": S.PAID,
        "dest": S.PAYABLE,
        "conditions": [unpaid_through_correction],
        "after": [clear_paid_at],
    },
]

MACHINE: StateMachine[LineItemLike, LineItemStatus, LineItemTrigger] = StateMachine(
    kind=EntityKind.LINE_ITEM,
    name="LineItem",
    noun="line item",
    states=LineItemStatus,
    triggers=LineItemTrigger,
    initial=S.HELD,
    table=TABLE,
    context_keys=frozenset({"release_at"}),
    summary=(
        "A bonus line item is what one worker is owed from one ProPay bucket (or a manual bonus "
        "or deduction), on the worker's statement. It is held for the waiting period, then "
        "payable, and paid only through its statement; voiding is final."
    ),
)
