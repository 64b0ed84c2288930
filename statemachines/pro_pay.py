"""ProPay lifecycle (SPEC §3), initial ACTIVE.

                 approve                       mark_paid
     +--------+ ----------> +----------+ ----------------> +------+
 --> | ACTIVE |             | APPROVED |                   | PAID |
     +--------+ <---------- +----------+ <---------------- +------+
      |     ^    unapprove       |         revert_payment
      |     |                    |
      |     | restore            | cancel, delete
      |     |                    v
      |   +----------+-----------+
      +-->| CANCELED | DELETED   |     cancel -> CANCELED, delete -> DELETED
          +----------+-----------+

  approve         not_a_group_member, no_pending_disqualifiers, budget_is_valid
                  stamps approved_at, approved_by
  unapprove       no_paid_line_items, not_a_group_member; clears approved_at, approved_by
  mark_paid       all_live_line_items_paid; stamps paid_at
  revert_payment  reason_is_given (admin only, by the role table); clears paid_at
  cancel, delete  no_paid_line_items
  restore         no_paid_line_items; clears approved_at, approved_by

Every transition also needs the actor's role to be allowed (protiv.domain.permissions).
Context keys: actor, now, reason, via ("group" when a ProPayGroup drives its members), and
``budget_error`` (str | None: what the service found wrong with the budget; approve refuses it).
"""

from __future__ import annotations

from protiv.domain.bonus import DisqualifierResult
from protiv.domain.errors import ErrorCode
from protiv.domain.protocols import ProPayLike
from protiv.domain.statuses import EntityKind, ProPayStatus, ProPayTrigger
from statemachines.base import Context, Row, StateMachine, Via, guard
from statemachines.guards import (
    all_live_items_paid,
    budget_is_valid,
    clear_approval,
    clear_paid_at,
    no_paid_line_items,
    reason_is_given,
    stamp_approval,
    stamp_paid_at,
)

S = ProPayStatus


@guard(ErrorCode.GROUP_MEMBER)
def not_a_group_member(c: Context[ProPayLike]) -> str | None:
    """A ProPay in a group moves only with its group (via="group")."""
    if c.record.group_id is None or c.via == Via.GROUP:
        return None
    return (
        f"This ProPay belongs to a group, and a group moves as a whole: {c.trigger} its group "
        "instead."
    )


@guard(ErrorCode.DISQUALIFIERS_PENDING)
def no_pending_disqualifiers(c: Context[ProPayLike]) -> str | None:
    """Every disqualifier has been answered (none is PENDING)."""
    pending = sum(1 for each in c.record.disqualifiers if each.result is DisqualifierResult.PENDING)
    if not pending:
        return None
    return (
        f"{pending} disqualifier question(s) are still unanswered: answer each one (passed or "
        "failed), then approve."
    )


@guard(ErrorCode.LINE_ITEMS_UNPAID)
def all_live_line_items_paid(c: Context[ProPayLike]) -> str | None:
    """It has live line items and every one is PAID."""
    if all_live_items_paid(c.record.line_items):
        return None
    return (
        "Not every line item of this ProPay is PAID yet: it is marked paid when the statements "
        "holding its line items are paid."
    )


TABLE: list[Row] = [
    {
        "trigger": "approve",
        "source": S.ACTIVE,
        "dest": S.APPROVED,
        "conditions": [not_a_group_member, no_pending_disqualifiers, budget_is_valid],
        "after": [stamp_approval],
    },
    {
        "trigger": "unapprove",
        "source": S.APPROVED,
        "dest": S.ACTIVE,
        "conditions": [no_paid_line_items, not_a_group_member],
        "after": [clear_approval],
    },
    {
        "trigger": "mark_paid",
        "source": S.APPROVED,
        "dest": S.PAID,
        "conditions": [all_live_line_items_paid],
        "after": [stamp_paid_at],
    },
    {
        "trigger": "revert_payment",
        "source": S.PAID,
        "dest": S.APPROVED,
        "conditions": [reason_is_given],
        "after": [clear_paid_at],
    },
    {
        "trigger": "cancel",
        "source": [S.ACTIVE, S.APPROVED],
        "dest": S.CANCELED,
        "conditions": [no_paid_line_items],
    },
    {
        "trigger": "delete",
        "source": [S.ACTIVE, S.APPROVED],
        "dest": S.DELETED,
        "conditions": [no_paid_line_items],
    },
    {
        "trigger": "restore",
        "source": [S.CANCELED, S.DELETED],
        "dest": S.ACTIVE,
        "conditions": [no_paid_line_items],
        "after": [clear_approval],
    },
]

MACHINE: StateMachine[ProPayLike, ProPayStatus, ProPayTrigger] = StateMachine(
    kind=EntityKind.PRO_PAY,
    name="ProPay",
    noun="ProPay",
    states=ProPayStatus,
    triggers=ProPayTrigger,
    initial=S.ACTIVE,
    table=TABLE,
    context_keys=frozenset({"budget_error"}),
    summary=(
        "A ProPay holds a job's labour budget and its bonus calculation. A manager approves it "
        "(which creates its line items), it becomes PAID when every live line item is paid, and "
        "it can be canceled, deleted or restored while none of its bonuses is paid."
    ),
)
