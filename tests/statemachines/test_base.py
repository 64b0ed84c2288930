"""The wrapper's contract: the registry, the arguments it accepts, and the shared machine setup."""

from __future__ import annotations

from datetime import datetime

import pytest
from transitions import Machine

from protiv.domain.errors import ErrorCode, TransitionRefused
from protiv.domain.statuses import (
    STATELESS_KINDS,
    EntityKind,
    JobTrigger,
    ProPayStatus,
    ProPayTrigger,
)
from statemachines import MACHINES, Fired, StateMachine
from statemachines.pro_pay import MACHINE
from tests.statemachines.factories import ADMIN, NOW, ProPay


def test_the_registry_has_one_machine_per_entity_kind() -> None:
    assert set(MACHINES) == set(EntityKind) - STATELESS_KINDS
    for kind, machine in MACHINES.items():
        assert isinstance(machine, StateMachine)
        assert machine.kind is kind


@pytest.mark.parametrize("machine", list(MACHINES.values()), ids=lambda m: m.name)
def test_each_machine_is_one_shared_transitions_machine(machine) -> None:
    inner = machine.machine
    assert isinstance(inner, Machine)
    assert inner.models == []  # model=None: records are never added
    assert inner.auto_transitions is False
    assert inner.send_event is True
    assert inner.model_attribute == "status"
    assert not inner.ignore_invalid_triggers
    assert set(inner.events) == {trigger.value for trigger in machine.triggers}


def test_fire_returns_what_happened() -> None:
    fired = MACHINE.fire(ProPay(), ProPayTrigger.CANCEL, actor=ADMIN, now=NOW)
    assert fired == Fired(trigger="cancel", source=ProPayStatus.ACTIVE, dest=ProPayStatus.CANCELED)
    with pytest.raises(AttributeError):
        fired.trigger = "x"  # type: ignore[misc]


def test_firing_the_shared_transitions_machine_directly_keeps_the_guards() -> None:
    pro_pay = ProPay(group_id=1)
    with pytest.raises(TransitionRefused) as refused:
        MACHINE.machine.events["approve"].trigger(pro_pay, actor=ADMIN, now=NOW)
    assert refused.value.code is ErrorCode.GROUP_MEMBER
    assert pro_pay.status is ProPayStatus.ACTIVE


def test_now_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        MACHINE.fire(ProPay(), ProPayTrigger.CANCEL, actor=ADMIN, now=datetime(2025, 1, 1))  # noqa: DTZ001


def test_unknown_context_keys_are_refused() -> None:
    with pytest.raises(TypeError, match="does not read pay_date"):
        MACHINE.fire(ProPay(), ProPayTrigger.CANCEL, actor=ADMIN, now=NOW, pay_date=None)


def test_checking_is_not_a_caller_key() -> None:
    with pytest.raises(TypeError):
        MACHINE.fire(ProPay(), ProPayTrigger.REVERT_PAYMENT, actor=ADMIN, now=NOW, checking=True)


def test_a_trigger_of_another_machine_is_refused() -> None:
    with pytest.raises(TypeError):
        MACHINE.fire(ProPay(), JobTrigger.START, actor=ADMIN, now=NOW)  # type: ignore[arg-type]


def test_a_record_with_a_foreign_status_is_refused() -> None:
    record = ProPay()
    record.status = "ACTIVE"  # type: ignore[assignment]
    with pytest.raises(TypeError):
        MACHINE.fire(record, ProPayTrigger.CANCEL, actor=ADMIN, now=NOW)


def test_via_must_be_text() -> None:
    with pytest.raises(TypeError):
        MACHINE.fire(ProPay(), ProPayTrigger.CANCEL, actor=ADMIN, now=NOW, via=3)
