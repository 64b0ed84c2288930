"""Statement lifecycle (SPEC §3): one per worker and pay period, initial OPEN.

                 pay
     +------+ --------> +------+
 --> | OPEN |           | PAID |
     +------+ <-------- +------+
        |      reopen
        | void
        v
     +------+
     | VOID |
     +------+

  pay     pay_date_is_given; stamps pay_date, paid_at
  void    no_paid_line_items
  reopen  reason_is_given (admin only, by the role table; "paid in error");
          clears pay_date, paid_at

Paying a statement pays its PAYABLE items and moves its HELD items to the worker's next open
statement; reopening unpays its items: the service does both, not this machine.
Every transition also needs the actor's role to be allowed (protiv.domain.permissions).
Context keys: actor, now, reason, via, and ``pay_date`` (a date, for pay).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from protiv.domain.errors import ErrorCode
from protiv.domain.protocols import StatementLike
from protiv.domain.statuses import EntityKind, StatementStatus, StatementTrigger
from statemachines.base import Context, Row, StateMachine, guard, stamp
from statemachines.guards import no_paid_line_items, reason_is_given

S = StatementStatus


@guard(ErrorCode.VALIDATION, field="payDate")
def pay_date_is_given(c: Context[StatementLike]) -> str | None:
    """A pay date (a calendar date) is given."""
    pay_date = c.extra.get("pay_date")
    if pay_date is None:
        return None if c.checking else "payDate is required: give the date the payout is made."
    if not isinstance(pay_date, date) or isinstance(pay_date, datetime):
        return "payDate must be a calendar date (YYYY-MM-DD)."
    return None


@stamp
def stamp_payment(c: Context[StatementLike]) -> None:
    c.record.pay_date = cast(date, c.extra["pay_date"])  # checked by pay_date_is_given
    c.record.paid_at = c.now


@stamp
def clear_payment(c: Context[StatementLike]) -> None:
    c.record.pay_date = None
    c.record.paid_at = None


TABLE: list[Row] = [
    {
        "trigger": "pay",
        "source": S.OPEN,
        "dest": S.PAID,
        "conditions": [pay_date_is_given],
        "after": [stamp_payment],
    },
    {"trigger": "void", "source": S.OPEN, "dest": S.VOID, "conditions": [no_paid_line_items]},
    {
        "trigger": "reopen",
        "source": S.PAID,
        "dest": S.OPEN,
        "conditions": [reason_is_given],
        "after": [clear_payment],
    },
]

MACHINE: StateMachine[StatementLike, StatementStatus, StatementTrigger] = StateMachine(
    kind=EntityKind.STATEMENT,
    name="Statement",
    noun="statement",
    states=StatementStatus,
    triggers=StatementTrigger,
    initial=S.OPEN,
    table=TABLE,
    context_keys=frozenset({"pay_date"}),
    summary=(
        "A statement gathers one worker's line items for one pay period. Paying it (with a pay "
        "date) pays its payable items; an admin can reopen a statement paid in error; an open "
        "statement with nothing paid can be voided."
    ),
)
