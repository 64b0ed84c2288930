"""The lifecycles of SPEC §3 as ``transitions`` machines, one module per aggregate.

    from statemachines import MACHINES
    fired = MACHINES[EntityKind.PRO_PAY].fire(pro_pay, ProPayTrigger.APPROVE, actor=actor, now=now)

``MACHINES`` maps each ``EntityKind`` to its ``StateMachine``; ``fire`` moves a record or raises
``TransitionRefused``, ``available`` lists what an actor may fire now. Diagrams of every machine
are generated into docs/state-machines/ by ``python -m statemachines.diagrams``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from protiv.domain.statuses import EntityKind
from statemachines import integration, job, line_item, pro_pay, pro_pay_group, statement
from statemachines.base import Context, Fired, Guard, StateMachine, Via

MACHINES: Mapping[EntityKind, StateMachine[Any, Any, Any]] = MappingProxyType(
    {
        each.kind: each
        for each in (
            pro_pay.MACHINE,
            pro_pay_group.MACHINE,
            line_item.MACHINE,
            statement.MACHINE,
            job.MACHINE,
            integration.MACHINE,
        )
    }
)

__all__ = ["MACHINES", "Context", "Fired", "Guard", "StateMachine", "Via"]
