"""Property tests: a random ProPay life (hypothesis stateful), and reachability of every status."""

from __future__ import annotations

import contextlib
import copy
from collections import deque
from datetime import timedelta

import hypothesis.strategies as st
import pytest
from hypothesis import settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from protiv.domain.bonus import DisqualifierResult
from protiv.domain.errors import TransitionRefused
from protiv.domain.roles import Role
from protiv.domain.statuses import LineItemStatus, LineItemTrigger, ProPayStatus, ProPayTrigger
from statemachines import MACHINES, line_item, pro_pay
from tests.statemachines.cases import PRO_PAY_EDGES
from tests.statemachines.factories import NOW, Disqualifier, LineItem, ProPay, actor

L, LT = LineItemStatus, LineItemTrigger
P, PT = ProPayStatus, ProPayTrigger
VIAS = ["group", "statement", "revert_payment", "statement_reopen", "cascade"]


class ProPayLife(RuleBasedStateMachine):
    """Random triggers by random roles on one ProPay, while its line items move under it.

    Line items change only while the ProPay is not PAID: the service reverts a ProPay's payment
    before it unpays the items (SPEC §3 revert_payment), so this is the only orchestration the
    machines are asked to keep an invariant under.
    """

    def __init__(self) -> None:
        super().__init__()
        self.pro_pay = ProPay()

    @initialize(count=st.integers(min_value=0, max_value=3))
    def crew(self, count: int) -> None:
        self.pro_pay.line_items.extend(LineItem() for _ in range(count))

    @rule(
        data=st.data(),
        role=st.one_of(st.just(Role.ADMIN), st.sampled_from(Role)),
        reason=st.sampled_from(["paid twice", "paid twice", None, "", "  "]),
        via=st.sampled_from([None, None, None, "group"]),
        budget_error=st.sampled_from([None, None, None, "no budget hours"]),
    )
    def fire(self, data, role, reason, via, budget_error) -> None:
        leaving = pro_pay.MACHINE.triggers_from(self.pro_pay.status)
        trigger = data.draw(st.one_of(st.sampled_from(leaving), st.sampled_from(PT)))
        before = copy.deepcopy(self.pro_pay)
        who = actor(role)
        offered = trigger in pro_pay.MACHINE.available(
            self.pro_pay, actor=who, now=NOW, via=via, budget_error=budget_error
        )
        try:
            fired = pro_pay.MACHINE.fire(
                self.pro_pay,
                trigger,
                actor=who,
                reason=reason,
                now=NOW,
                via=via,
                budget_error=budget_error,
            )
        except TransitionRefused:
            assert self.pro_pay == before  # a refusal changes nothing
            needs_reason = trigger is PT.REVERT_PAYMENT and not (reason or "").strip()
            assert not offered or needs_reason
            return
        assert offered
        assert PRO_PAY_EDGES[(before.status, trigger)] is self.pro_pay.status  # a defined edge
        assert (fired.source, fired.dest) == (before.status, self.pro_pay.status)

    @precondition(lambda self: self.pro_pay.status is not P.PAID)
    @rule()
    def add_line_item(self) -> None:
        self.pro_pay.line_items.append(LineItem())

    @precondition(lambda self: self.pro_pay.status is not P.PAID and self.pro_pay.line_items)
    @rule(data=st.data(), trigger=st.sampled_from(LT), via=st.sampled_from([None, *VIAS]))
    def move_line_item(self, data, trigger, via) -> None:
        item = data.draw(st.sampled_from(self.pro_pay.line_items))
        release_at = (item.release_at or NOW) + timedelta(days=1)
        with contextlib.suppress(TransitionRefused):
            line_item.MACHINE.fire(
                item, trigger, actor=actor(), reason="x", now=NOW, via=via, release_at=release_at
            )

    @precondition(lambda self: self.pro_pay.status is not P.PAID and self.pro_pay.line_items)
    @rule()
    def pay_every_item(self) -> None:
        """A payroll run: every held or payable item is released and paid by its statement, and
        an APPROVED ProPay whose last item is paid is marked paid (SPEC §3: automatically)."""
        for item in self.pro_pay.line_items:
            for trigger in (LT.RELEASE, LT.PAY):
                if trigger in line_item.MACHINE.triggers_from(item.status):
                    line_item.MACHINE.fire(item, trigger, actor=actor(), now=NOW, via="statement")
        live = [item for item in self.pro_pay.line_items if item.status is not L.VOIDED]
        if self.pro_pay.status is P.APPROVED and live:
            payroll = actor(Role.PAYROLL)
            assert pro_pay.MACHINE.available(self.pro_pay, actor=payroll, now=NOW) == [PT.MARK_PAID]
            fired = pro_pay.MACHINE.fire(
                self.pro_pay, PT.MARK_PAID, actor=payroll, now=NOW, via="statement"
            )
            assert fired.dest is P.PAID

    @rule(change=st.sampled_from(["answer", "ask", "join_group", "leave_group"]))
    def change_circumstances(self, change: str) -> None:
        """What the service may change around a ProPay: disqualifiers and group membership."""
        if change == "answer":
            for each in self.pro_pay.disqualifiers:
                each.result = DisqualifierResult.PASSED
        elif change == "ask":
            self.pro_pay.disqualifiers.append(Disqualifier(DisqualifierResult.PENDING))
        else:
            self.pro_pay.group_id = 9 if change == "join_group" else None

    @invariant()
    def status_is_a_pro_pay_status(self) -> None:
        assert isinstance(self.pro_pay.status, P)

    @invariant()
    def paid_means_every_live_item_paid(self) -> None:
        if self.pro_pay.status is P.PAID:
            live = [i for i in self.pro_pay.line_items if i.status is not L.VOIDED]
            assert live
            assert all(i.status is L.PAID for i in live)
            assert self.pro_pay.paid_at is not None

    @invariant()
    def approved_states_carry_the_approval(self) -> None:
        if self.pro_pay.status in (P.APPROVED, P.PAID):
            assert self.pro_pay.approved_at is not None


ProPayLife.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, deadline=None, database=None
)
TestProPayLife = ProPayLife.TestCase


@pytest.mark.parametrize("machine", list(MACHINES.values()), ids=lambda m: m.name)
def test_every_status_is_reachable_from_the_initial_status(machine) -> None:
    seen = {machine.initial}
    queue = deque([machine.initial])
    while queue:
        status = queue.popleft()
        for trigger in machine.triggers_from(status):
            dest = machine.destination(status, trigger)
            if dest not in seen:
                seen.add(dest)
                queue.append(dest)
    assert seen == set(machine.states)


def test_voided_has_no_outgoing_trigger() -> None:
    assert line_item.MACHINE.triggers_from(L.VOIDED) == []
    assert all(
        L.VOIDED not in ([row["source"]] if not isinstance(row["source"], list) else row["source"])
        for row in line_item.TABLE
    )
