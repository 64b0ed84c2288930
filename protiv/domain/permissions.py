"""Which API role may fire which trigger: one table, read by the machines' guards, by the
services and by ``availableActions``, so the three can never disagree.
"""

from __future__ import annotations

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
            "cancel": (A, M, I),
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
    "group.create": frozenset((A, M)),
    "pro_pay.edit": frozenset((A, M)),  # budget, pool, distribution, crew, cost settings
    "pro_pay.safeguard": frozenset((A, M)),  # add/answer disqualifiers, add/remove penalties
    "bonus_pool.manage": frozenset((A,)),  # create, change, delete, assign pools
    "division.manage": frozenset((A,)),  # create and rename divisions
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
