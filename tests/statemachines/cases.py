"""Each machine's expected edges (written out by hand from SPEC §3, independent of the tables) and
a record and context that pass every guard of a trigger."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from protiv.domain.bonus import DisqualifierResult
from protiv.domain.statuses import (
    IntegrationStatus,
    IntegrationTrigger,
    JobStatus,
    JobTrigger,
    LineItemStatus,
    LineItemTrigger,
    ProPayStatus,
    ProPayTrigger,
    StatementStatus,
    StatementTrigger,
)
from statemachines import (
    StateMachine,
    integration,
    job,
    line_item,
    pro_pay,
    pro_pay_group,
    statement,
)
from tests.statemachines.factories import (
    INPUTS,
    NOW,
    Disqualifier,
    Integration,
    Job,
    LineItem,
    ProPay,
    ProPayGroup,
    Statement,
    items,
    line_item_via,
    paid_items,
)

P, PT = ProPayStatus, ProPayTrigger
L, LT = LineItemStatus, LineItemTrigger
St, StT = StatementStatus, StatementTrigger
J, JT = JobStatus, JobTrigger
I, IT = IntegrationStatus, IntegrationTrigger  # noqa: E741

PRO_PAY_EDGES: dict[tuple[Any, Any], Any] = {
    (P.ACTIVE, PT.APPROVE): P.APPROVED,
    (P.APPROVED, PT.UNAPPROVE): P.ACTIVE,
    (P.APPROVED, PT.MARK_PAID): P.PAID,
    (P.PAID, PT.REVERT_PAYMENT): P.APPROVED,
    (P.ACTIVE, PT.CANCEL): P.CANCELED,
    (P.APPROVED, PT.CANCEL): P.CANCELED,
    (P.ACTIVE, PT.DELETE): P.DELETED,
    (P.APPROVED, PT.DELETE): P.DELETED,
    (P.CANCELED, PT.RESTORE): P.ACTIVE,
    (P.DELETED, PT.RESTORE): P.ACTIVE,
}

LINE_ITEM_EDGES: dict[tuple[Any, Any], Any] = {
    (L.HELD, LT.RELEASE): L.PAYABLE,
    (L.PAYABLE, LT.HOLD): L.HELD,
    (L.HELD, LT.EXTEND): L.HELD,
    (L.PAYABLE, LT.PAY): L.PAID,
    (L.HELD, LT.VOID): L.VOIDED,
    (L.PAYABLE, LT.VOID): L.VOIDED,
    (L.PAID, LT.UNPAY): L.PAYABLE,
}

STATEMENT_EDGES: dict[tuple[Any, Any], Any] = {
    (St.OPEN, StT.PAY): St.PAID,
    (St.OPEN, StT.VOID): St.VOID,
    (St.PAID, StT.REOPEN): St.OPEN,
}

JOB_EDGES: dict[tuple[Any, Any], Any] = {
    (J.PENDING, JT.START): J.IN_PROGRESS,
    (J.PENDING, JT.COMPLETE): J.COMPLETED,
    (J.IN_PROGRESS, JT.COMPLETE): J.COMPLETED,
    (J.PENDING, JT.CANCEL): J.CANCELED,
    (J.IN_PROGRESS, JT.CANCEL): J.CANCELED,
    (J.COMPLETED, JT.CANCEL): J.CANCELED,
    (J.COMPLETED, JT.REOPEN): J.IN_PROGRESS,
    (J.CANCELED, JT.REOPEN): J.IN_PROGRESS,
}

INTEGRATION_EDGES: dict[tuple[Any, Any], Any] = {
    (I.PENDING, IT.SYNC_SUCCEEDED): I.CONNECTED,
    (I.FAILED, IT.SYNC_SUCCEEDED): I.CONNECTED,
    (I.PENDING, IT.SYNC_FAILED): I.FAILED,
    (I.CONNECTED, IT.SYNC_FAILED): I.FAILED,
    (I.PENDING, IT.DISCONNECT): I.DISCONNECTED,
    (I.CONNECTED, IT.DISCONNECT): I.DISCONNECTED,
    (I.FAILED, IT.DISCONNECT): I.DISCONNECTED,
    (I.DISCONNECTED, IT.RECONNECT): I.PENDING,
}


def _pro_pay(status: Any, trigger: Any) -> ProPay:
    return ProPay(
        status=status,
        line_items=paid_items() if trigger is PT.MARK_PAID else items(L.HELD),
        disqualifiers=[Disqualifier(DisqualifierResult.PASSED)],
    )


def _group(status: Any, trigger: Any) -> ProPayGroup:
    paying = trigger is PT.MARK_PAID
    member = ProPay(
        status=P.PAID if paying else P.APPROVED,
        group_id=1,
        line_items=paid_items() if paying else items(L.HELD),
        disqualifiers=[Disqualifier(DisqualifierResult.PASSED)],
    )
    return ProPayGroup(status=status, members=[member])


@dataclass(frozen=True)
class Case:
    machine: StateMachine[Any, Any, Any]
    edges: dict[tuple[Any, Any], Any]
    make: Callable[[Any, Any], Any]  # (status, trigger) -> a record that passes every guard
    via: Callable[[Any], str | None]  # trigger -> the via it is legitimately fired with

    @property
    def name(self) -> str:
        return self.machine.name

    def context(self, trigger: Any) -> dict[str, Any]:
        """A complete, valid context for ``trigger`` (without actor and now)."""
        return {**INPUTS[self.name], "via": self.via(trigger)}

    def cells(self) -> list[tuple[enum.Enum, enum.Enum]]:
        return list(itertools.product(self.machine.statuses, self.machine.trigger_members))


CASES: list[Case] = [
    Case(pro_pay.MACHINE, PRO_PAY_EDGES, _pro_pay, lambda _: None),
    Case(pro_pay_group.MACHINE, PRO_PAY_EDGES, _group, lambda _: None),
    Case(
        line_item.MACHINE,
        LINE_ITEM_EDGES,
        lambda status, _: LineItem(status=status, release_at=NOW),
        line_item_via,
    ),
    Case(
        statement.MACHINE,
        STATEMENT_EDGES,
        lambda status, _: Statement(status=status, line_items=items(L.PAYABLE, L.HELD)),
        lambda _: None,
    ),
    Case(job.MACHINE, JOB_EDGES, lambda status, _: Job(status=status), lambda _: "sync"),
    Case(
        integration.MACHINE,
        INTEGRATION_EDGES,
        lambda status, _: Integration(status=status, last_error="old"),
        lambda _: None,
    ),
]

CASE_BY_NAME = {case.name: case for case in CASES}
