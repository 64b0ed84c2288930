"""ProPayGroup lifecycle (SPEC §3), initial ACTIVE: the ProPay's statuses and triggers, with the
guards read over the group's members. The service fires each member's own trigger with
via="group" in the same unit of work, so a group moves all or none.

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

  approve         has_members, no_member_has_pending_disqualifiers, budget_is_valid
                  stamps approved_at, approved_by
  unapprove       no_member_has_paid_line_items; clears approved_at, approved_by
  mark_paid       has_members, every_member_paid; stamps paid_at
  revert_payment  reason_is_given (admin only, by the role table); clears paid_at
  cancel, delete  no_member_has_paid_line_items
  restore         no_member_has_paid_line_items; clears approved_at, approved_by

Every transition also needs the actor's role to be allowed (protiv.domain.permissions).
Context keys: actor, now, reason, via, and ``budget_error`` (str | None) as for a ProPay.
"""

from __future__ import annotations

from protiv.domain.bonus import DisqualifierResult
from protiv.domain.errors import ErrorCode
from protiv.domain.protocols import ProPayGroupLike, ProPayLike
from protiv.domain.statuses import EntityKind, ProPayStatus, ProPayTrigger
from statemachines.base import Context, Row, StateMachine, guard
from statemachines.guards import (
    all_live_items_paid,
    budget_is_valid,
    clear_approval,
    clear_paid_at,
    paid_count,
    reason_is_given,
    stamp_approval,
    stamp_paid_at,
)

S = ProPayStatus


def member_is_paid(member: ProPayLike) -> bool:
    """PAID already, or APPROVED with every live line item paid (its own mark_paid would pass)."""
    return member.status is S.PAID or (
        member.status is S.APPROVED and all_live_items_paid(member.line_items)
    )


@guard(ErrorCode.EMPTY_GROUP)
def has_members(c: Context[ProPayGroupLike]) -> str | None:
    """The group has at least one ProPay."""
    if c.record.members:
        return None
    return f"This group has no ProPays: add ProPays to it before you {c.trigger} it."


@guard(ErrorCode.DISQUALIFIERS_PENDING)
def no_member_has_pending_disqualifiers(c: Context[ProPayGroupLike]) -> str | None:
    """No member has an unanswered (PENDING) disqualifier."""
    waiting = sum(
        1
        for member in c.record.members
        if any(each.result is DisqualifierResult.PENDING for each in member.disqualifiers)
    )
    if not waiting:
        return None
    return (
        f"{waiting} ProPay(s) of this group still have unanswered disqualifier questions: answer "
        "them, then approve the group."
    )


@guard(ErrorCode.BONUS_ALREADY_PAID)
def no_member_has_paid_line_items(c: Context[ProPayGroupLike]) -> str | None:
    """No line item of any member is PAID."""
    paid = sum(paid_count(member.line_items) for member in c.record.members)
    if not paid:
        return None
    return (
        f"Cannot {c.trigger} the group: {paid} line item(s) of its ProPays are already PAID. "
        "Revert the payment first (revert_payment, admin only), or deduct it next period."
    )


@guard(ErrorCode.LINE_ITEMS_UNPAID)
def every_member_paid(c: Context[ProPayGroupLike]) -> str | None:
    """Every member is PAID (or has every live line item paid)."""
    unpaid = sum(1 for member in c.record.members if not member_is_paid(member))
    if not unpaid:
        return None
    return (
        f"{unpaid} ProPay(s) of this group are not fully paid yet: the group is marked paid "
        "when the statements holding their line items are paid."
    )


TABLE: list[Row] = [
    {
        "trigger": "approve",
        "source": S.ACTIVE,
        "dest": S.APPROVED,
        "conditions": [has_members, no_member_has_pending_disqualifiers, budget_is_valid],
        "after": [stamp_approval],
    },
    {
        "trigger": "unapprove",
        "source": S.APPROVED,
        "dest": S.ACTIVE,
        "conditions": [no_member_has_paid_line_items],
        "after": [clear_approval],
    },
    {
        "trigger": "mark_paid",
        "source": S.APPROVED,
        "dest": S.PAID,
        "conditions": [has_members, every_member_paid],
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
        "conditions": [no_member_has_paid_line_items],
    },
    {
        "trigger": "delete",
        "source": [S.ACTIVE, S.APPROVED],
        "dest": S.DELETED,
        "conditions": [no_member_has_paid_line_items],
    },
    {
        "trigger": "restore",
        "source": [S.CANCELED, S.DELETED],
        "dest": S.ACTIVE,
        "conditions": [no_member_has_paid_line_items],
        "after": [clear_approval],
    },
]

MACHINE: StateMachine[ProPayGroupLike, ProPayStatus, ProPayTrigger] = StateMachine(
    kind=EntityKind.PRO_PAY_GROUP,
    name="ProPayGroup",
    noun="ProPay group",
    states=ProPayStatus,
    triggers=ProPayTrigger,
    initial=S.ACTIVE,
    table=TABLE,
    context_keys=frozenset({"budget_error"}),
    summary=(
        "A ProPayGroup (a route and period, or built by hand) has the statuses and triggers of a "
        "ProPay, and its guards are read over its members. Its triggers drive every member, all "
        "or none: the service fires each member's trigger with via=group in the same unit of "
        "work."
    ),
)
