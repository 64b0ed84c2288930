"""The permission matrix, as data: who may fire which trigger (TRIGGER_ROLES), who may perform
which other action (ACTION_ROLES), what each role may read (READ_SCOPE), and which rights of a
manager reach only its branches (BRANCH_SCOPED_*). Read by the machines' guards, by the services
and by ``availableActions``, so they can never disagree; docs/permissions.md is generated from
it (``python -m protiv.domain.permission_docs``).

    admin        everything in its company
    manager      approve, unapprove, cancel, delete, restore, edit ProPays and groups, answer
                 disqualifiers, penalties: only for the ProPays of its branches
    payroll      statements, line items, payouts, exports
    worker       reads its own statements and line items and the ProPays it worked on; nothing else
    integration  sync, and read
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from protiv.domain.errors import Forbidden
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import EntityKind

A, M, P, I = Role.ADMIN, Role.MANAGER, Role.PAYROLL, Role.INTEGRATION  # noqa: E741

TRIGGER_ROLES: dict[tuple[EntityKind, str], frozenset[Role]] = {
    **{
        (kind, trigger): frozenset(roles)
        for kind in (EntityKind.PRO_PAY, EntityKind.PRO_PAY_GROUP)
        for trigger, roles in {
            "approve": (A, M),
            "unapprove": (A, M),
            "cancel": (A, M),  # a job canceled by sync cancels its ProPays as a cascade
            "delete": (A, M),
            "restore": (A, M),
            "mark_paid": (A, P),
            "revert_payment": (A,),
        }.items()
    },
    **{
        (EntityKind.LINE_ITEM, trigger): frozenset(roles)
        for trigger, roles in {
            "release": (A, P),
            "hold": (A, P),
            "extend": (A, P),
            "pay": (A, P),
            "void": (A, P),
            "unpay": (A,),
        }.items()
    },
    **{
        (EntityKind.STATEMENT, trigger): frozenset(roles)
        for trigger, roles in {"pay": (A, P), "void": (A, P), "reopen": (A,)}.items()
    },
    **{
        (EntityKind.JOB, trigger): frozenset((A, I))
        for trigger in ("start", "complete", "cancel", "reopen")
    },
    **{
        (EntityKind.INTEGRATION, trigger): frozenset(roles)
        for trigger, roles in {
            "sync_succeeded": (A, I),
            "sync_failed": (A, I),
            "disconnect": (A,),
            "reconnect": (A,),
        }.items()
    },
}


def may_fire(role: Role, kind: EntityKind, trigger: str) -> bool:
    """True when ``role`` may fire ``trigger`` on an entity of ``kind``."""
    return role in TRIGGER_ROLES.get((kind, trigger), frozenset())


# Actions that are not transitions (edits, sync, exports, ...): the same idea, one table.
ACTION_ROLES: dict[str, frozenset[Role]] = {
    "sync": frozenset((A, I)),
    "token.manage": frozenset((A,)),  # list and revoke the company's API tokens
    "integration.manage": frozenset((A,)),  # connect, configure, disconnect integrations
    "integration.resync": frozenset((A, I)),  # run an integration's sync now
    "exclusion_rule.manage": frozenset((A,)),  # ProPay creation exclusion rules
    "worker.edit": frozenset((A,)),  # a synced worker's wage, role, active flag
    "job.edit": frozenset((A,)),  # a synced job's missing budget and manager
    "milestone.progress": frozenset((A, M)),  # a synced milestone's progress
    "group.create": frozenset((A, M)),
    "line_items.release_due": frozenset((A, P)),  # release what the waiting period let go
    "line_items.bulk": frozenset((A, P)),  # release, hold, void many at once
    "line_items.create": frozenset((A, P)),  # manual bonuses and deductions
    "statements.pay_period": frozenset((A, P)),  # pay every open statement of a period
    "payroll.export": frozenset((A, P)),  # the paid statements of a period as CSV
    "pay_schedule.manage": frozenset((A,)),  # payroll cycles and the waiting period
    "pro_pay.edit": frozenset((A, M)),  # budget, pool, distribution, crew, cost settings
    "pro_pay.safeguard": frozenset((A, M)),  # add/answer disqualifiers, add/remove penalties
    "bonus_pool.manage": frozenset((A,)),  # create, change, delete, assign pools
    "division.manage": frozenset((A,)),  # create and rename divisions
    "webhook.manage": frozenset((A,)),  # register, change, delete endpoints; retry deliveries
    "webhook.read": frozenset((A, I)),  # endpoints, their deliveries and attempts
}


def may(role: Role, action: str) -> bool:
    """True when ``role`` may perform ``action`` (an entry of ACTION_ROLES)."""
    return role in ACTION_ROLES.get(action, frozenset())


def require(actor: Actor, action: str) -> None:
    """Refuse with FORBIDDEN unless the actor's role may perform ``action``."""
    if not may(actor.role, action):
        raise Forbidden(
            f"A {actor.role.value.lower()} token may not {action.replace('.', ' ').replace('_', ' ')}; "
            f"allowed: {', '.join(sorted(r.value for r in ACTION_ROLES.get(action, ())))}."
        )


class ReadScope(enum.Enum):
    """How much of its company a role may read."""

    COMPANY = "every record of its company"
    OWN = "its own statements and line items, and the ProPays it worked on (and their jobs)"


READ_SCOPE: dict[Role, ReadScope] = {
    Role.ADMIN: ReadScope.COMPANY,
    Role.MANAGER: ReadScope.COMPANY,
    Role.PAYROLL: ReadScope.COMPANY,
    Role.WORKER: ReadScope.OWN,
    Role.INTEGRATION: ReadScope.COMPANY,
}


def reads_only_own(actor: Actor) -> bool:
    """True for an actor that sees only its own records (a worker token)."""
    return READ_SCOPE[actor.role] is ReadScope.OWN


# A manager's rights on ProPays and groups reach only the ProPays of its branches (a ProPay's
# branch is its job's; a group's are its members'). A manager token without branches manages
# every branch; admins, payroll and integrations are never branch-bound.
BRANCH_SCOPED_ROLES: frozenset[Role] = frozenset((M,))
BRANCH_SCOPED_KINDS: frozenset[EntityKind] = frozenset(
    (EntityKind.PRO_PAY, EntityKind.PRO_PAY_GROUP)
)
BRANCH_SCOPED_ACTIONS: frozenset[str] = frozenset(
    ("group.create", "pro_pay.edit", "pro_pay.safeguard")
)


def branch_bound(actor: Actor) -> bool:
    """True when the actor's ProPay rights stop at its branches."""
    return actor.role in BRANCH_SCOPED_ROLES and actor.branch_ids is not None


def covers(actor: Actor, branch_ids: Iterable[int | None]) -> bool:
    """True when every branch given is one the actor may act in (a ProPay of no branch is
    outside every branch list)."""
    if not branch_bound(actor):
        return True
    mine = actor.branch_ids or frozenset()
    return all(branch is not None and branch in mine for branch in branch_ids)


def require_branches(actor: Actor, branch_ids: Iterable[int | None], what: str) -> None:
    """Refuse with FORBIDDEN when ``what`` lies outside the actor's branches."""
    if not covers(actor, branch_ids):
        raise Forbidden(
            f"This {what} is outside the branches your {actor.role.value.lower()} token "
            "manages; ask a manager of its branch or an admin."
        )
