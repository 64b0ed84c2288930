"""The shape every lifecycle shares: one module-level ``transitions.Machine`` per aggregate, wrapped
so that callers see typed triggers, exactly one kind of refusal, and what they may do next.

    fire(record, Trigger.X, actor=, now=, reason=, via=, **context)
      │
      ├─ the record's status has no X             → TransitionRefused(INVALID_TRANSITION)
      ├─ the actor's role may not fire X           → TransitionRefused(FORBIDDEN)    prepare_event
      ├─ a guard of the row says no (in order)     → TransitionRefused(<its code>)   conditions
      └─ status := dest; the row's stamps run      → Fired(trigger, source, dest)    after

The machine is shared and holds no records: ``MACHINE.events[name].trigger(record, **context)``
runs on any object with a ``status`` attribute (an ORM row or a test dataclass), with
``model=None``, ``initial=None``, ``auto_transitions=False`` and ``send_event=True``. A refusal
is raised before the status changes, so a refused record is untouched.

Guards are pure: they read the record and the context, and answer ``None`` (go on) or the reason
for refusing, which ``Guard`` raises as a ``TransitionRefused`` with the guard's code. Stamps only
set fields on the record. Everything else (line items, cascades, the event row, the commit) is the
service's job.

Context keys every machine reads: ``actor`` (Actor), ``now`` (aware datetime), ``reason``
(str | None), ``via`` (which orchestrating action fired this, see ``Via``); ``checking`` is set
only by ``available()``, and tells the guards that need caller input (a reason, a pay date, ...)
not to refuse for its absence. Each machine names its own further keys.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, NotRequired, Protocol, TypedDict, TypeVar

from transitions import EventData, Machine, MachineError

from protiv.domain.errors import ErrorCode, TransitionRefused
from protiv.domain.permissions import TRIGGER_ROLES, may_fire
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import EntityKind


class HasStatus(Protocol):
    @property
    def status(self) -> enum.Enum: ...


R = TypeVar("R", bound=HasStatus)
S = TypeVar("S", bound=enum.Enum)
T = TypeVar("T", bound=enum.Enum)
Rec = TypeVar("Rec")


class Via(enum.StrEnum):
    """Which orchestrating action fired a transition (the ``via`` context key)."""

    GROUP = "group"  # a ProPayGroup trigger driving its members
    STATEMENT = "statement"  # a statement paying its line items
    REVERT_PAYMENT = "revert_payment"  # a ProPay payment reverted, its items unpaid
    STATEMENT_REOPEN = "statement_reopen"  # a paid statement reopened, its items unpaid
    SYNC = "sync"  # the integration reported a change
    CASCADE = "cascade"  # a parent's transition carried to its children


STANDARD_KEYS = frozenset({"actor", "now", "reason", "via", "checking"})


@dataclass(frozen=True, slots=True)
class Context(Generic[Rec]):
    """What a guard or a stamp sees: the record, the trigger, and the keyword context."""

    record: Rec
    trigger: str
    actor: Actor
    now: datetime
    reason: str | None = None
    via: str | None = None
    checking: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def given_reason(self) -> str | None:
        """The reason with surrounding blanks removed; None when missing or blank."""
        text = (self.reason or "").strip()
        return text or None


def context_of(event: EventData) -> Context[Any]:
    """The typed view of what ``transitions`` hands to a callback."""
    return _context(event.model, event.event.name, event.kwargs)


def _context(record: object, trigger: str, kwargs: Mapping[str, Any]) -> Context[Any]:
    return Context(
        record=record,
        trigger=trigger,
        actor=kwargs["actor"],
        now=kwargs["now"],
        reason=kwargs.get("reason"),
        via=kwargs.get("via"),
        checking=bool(kwargs.get("checking", False)),
        extra={key: value for key, value in kwargs.items() if key not in STANDARD_KEYS},
    )


class Guard:
    """A named, pure check of a transition row: ``check`` returns None to let the transition go
    on, or the reason for refusing, which becomes a ``TransitionRefused`` with ``code``.

    Instances are ``transitions`` conditions (called with the EventData, true or raising), and
    carry the check's name so diagrams read ``[no_paid_line_items]``.
    """

    def __init__(
        self,
        check: Callable[[Context[Any]], str | None],
        code: ErrorCode,
        field: str | None = None,
    ) -> None:
        self.check = check
        self.code = code
        self.field = field
        self.__name__ = check.__name__
        self.__doc__ = check.__doc__

    def refusal(self, context: Context[Any]) -> TransitionRefused | None:
        """The refusal this guard gives in ``context``, or None."""
        message = self.check(context)
        if message is None:
            return None
        return TransitionRefused(
            message, code=self.code, field=[self.field] if self.field else None
        )

    def __call__(self, event: EventData) -> bool:
        refused = self.refusal(context_of(event))
        if refused is not None:
            raise refused
        return True

    def __repr__(self) -> str:
        return f"<Guard {self.__name__} → {self.code.value}>"


def guard(
    code: ErrorCode, *, field: str | None = None
) -> Callable[[Callable[[Context[Any]], str | None]], Guard]:
    """Make a guard of a function that returns None (ok) or why the transition is refused."""

    def make(check: Callable[[Context[Any]], str | None]) -> Guard:
        return Guard(check, code, field)

    return make


Stamp = Callable[[EventData], None]


def stamp(effect: Callable[[Context[Any]], None]) -> Stamp:
    """Make an ``after`` callback of a function that only sets fields on ``context.record``."""

    @functools.wraps(effect)
    def after(event: EventData) -> None:
        effect(context_of(event))

    return after


class Row(TypedDict):
    """One transition of a table: ``transitions``' own dict format, restricted to what we use."""

    trigger: str
    source: enum.Enum | list[enum.Enum]
    dest: enum.Enum
    conditions: NotRequired[list[Guard]]
    after: NotRequired[list[Stamp]]


@dataclass(frozen=True, slots=True)
class Fired(Generic[S]):
    """A transition that happened: what the service writes as the event row."""

    trigger: str
    source: S
    dest: S


def _article(word: str) -> str:
    return "an" if word[:1].upper() in "AEIOU" else "a"


def _roles_text(roles: Sequence[Role]) -> str:
    names = sorted(role.value for role in roles)
    return " or ".join(names) if names else "nobody"


class StateMachine(Generic[R, S, T]):
    """One aggregate's lifecycle: the shared ``transitions.Machine`` plus the names around it.

    ``fire`` moves a record or raises ``TransitionRefused``; ``available`` says which triggers
    would succeed now; ``triggers_from`` matches the source status only.
    """

    def __init__(
        self,
        *,
        kind: EntityKind,
        name: str,
        noun: str,
        states: type[S],
        triggers: type[T],
        initial: S,
        table: list[Row],
        context_keys: frozenset[str] = frozenset(),
        summary: str = "",
    ) -> None:
        self.kind = kind
        self.name = name
        self.noun = noun
        self.states = states
        self.triggers = triggers
        self.statuses: tuple[S, ...] = tuple(states)
        self.trigger_members: tuple[T, ...] = tuple(triggers)
        self.initial = initial
        self.table = table
        self.context_keys = context_keys
        self.summary = summary
        _check_table(table, states, triggers)
        self.machine = Machine(
            model=None,  # one shared machine; records are never added to it
            states=states,
            transitions=table,
            initial=None,  # records carry their own status
            model_attribute="status",
            auto_transitions=False,  # no to_PAID() back door around the guards
            send_event=True,  # callbacks receive one EventData
            prepare_event=[self._actor_may_fire],  # the role guard, for every transition
            name=name,
        )

    # -- reading the definition -------------------------------------------------------------

    def triggers_from(self, status: S) -> list[T]:
        """The triggers whose source matches ``status`` (guards not evaluated), in table order."""
        return [self.triggers(name) for name in self.machine.get_triggers(status)]

    def destination(self, status: S, trigger: T) -> S | None:
        """Where ``trigger`` leads from ``status``; None when it is not a transition from there."""
        found = self.machine.get_transitions(trigger.value, source=status)
        if not found:
            return None
        dest = found[0].dest
        return self.states[dest] if dest is not None else status

    def guards(self, status: S, trigger: T) -> list[Guard]:
        """The guards of the row for (``status``, ``trigger``), in the order they run."""
        return [
            condition.func
            for transition in self.machine.get_transitions(trigger.value, source=status)
            for condition in transition.conditions
            if isinstance(condition.func, Guard)
        ]

    # -- acting --------------------------------------------------------------------------------

    def fire(
        self,
        record: R,
        trigger: T,
        *,
        actor: Actor,
        reason: str | None = None,
        now: datetime,
        **context: object,
    ) -> Fired[S]:
        """Apply ``trigger`` to ``record`` or raise ``TransitionRefused`` (record untouched)."""
        kwargs = self._kwargs(trigger, actor=actor, reason=reason, now=now, context=context)
        source = self._status(record)
        if self.destination(source, trigger) is None:
            raise self._invalid(trigger, source)
        try:
            moved = self.machine.events[trigger.value].trigger(record, **kwargs)
        except MachineError as error:  # pragma: no cover - the source was checked above
            raise self._invalid(trigger, source) from error
        if not moved:  # pragma: no cover - guards raise rather than answer False
            raise self._invalid(trigger, source)
        return Fired(trigger=trigger.value, source=source, dest=self._status(record))

    def refusal(
        self,
        record: R,
        trigger: T,
        *,
        actor: Actor,
        reason: str | None = None,
        now: datetime,
        **context: object,
    ) -> TransitionRefused | None:
        """Why ``trigger`` would be refused now, or None: the state, the role and every guard,
        read without changing the record. Input the caller has not given yet (a reason, a pay
        date, a later ``release_at``) is not held against it.
        """
        kwargs = self._kwargs(trigger, actor=actor, reason=reason, now=now, context=context)
        source = self._status(record)
        if self.destination(source, trigger) is None:
            return self._invalid(trigger, source)
        refused = self._role_refusal(trigger.value, actor)
        if refused is not None:
            return refused
        checked = _context(record, trigger.value, {**kwargs, "checking": True})
        for each in self.guards(source, trigger):
            refused = each.refusal(checked)
            if refused is not None:
                return refused
        return None

    def available(
        self,
        record: R,
        *,
        actor: Actor,
        reason: str | None = None,
        now: datetime,
        **context: object,
    ) -> list[T]:
        """The triggers ``actor`` could fire on ``record`` right now (table order), judged as
        ``refusal`` judges them; the record is not changed.
        """
        return [
            trigger
            for trigger in self.triggers_from(self._status(record))
            if self.refusal(record, trigger, actor=actor, reason=reason, now=now, **context) is None
        ]

    # -- internals -----------------------------------------------------------------------------

    def _kwargs(
        self,
        trigger: T,
        *,
        actor: Actor,
        reason: str | None,
        now: datetime,
        context: Mapping[str, object],
    ) -> dict[str, object]:
        if not isinstance(trigger, self.triggers):
            raise TypeError(f"{self.name} fires {self.triggers.__name__}, not {trigger!r}")
        if not isinstance(actor, Actor):
            raise TypeError(f"actor must be an Actor, not {actor!r}")
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("now must be a timezone-aware datetime")
        via = context.get("via")
        if via is not None and not isinstance(via, str):
            raise TypeError(f"via must be a str or None, not {via!r}")
        unknown = set(context) - self.context_keys - {"via"}
        if unknown:
            allowed = ", ".join(sorted({"via", *self.context_keys}))
            raise TypeError(
                f"{self.name} does not read {', '.join(sorted(unknown))}; it reads {allowed}"
            )
        return {
            "actor": actor,
            "reason": reason,
            "now": now,
            "via": context.get("via"),
            "checking": False,
            **{key: value for key, value in context.items() if key != "via"},
        }

    def _status(self, record: R) -> S:
        status = record.status
        if not isinstance(status, self.states):
            raise TypeError(f"{self.name} records have a {self.states.__name__}, not {status!r}")
        return status

    def _invalid(self, trigger: T, status: S) -> TransitionRefused:
        possible = [each.value for each in self.triggers_from(status)]
        if not possible:
            hint = f"{status.name} is final."
        elif len(possible) == 1:
            hint = f"from {status.name} the only action is {possible[0]}."
        else:
            hint = f"from {status.name} the possible actions are {', '.join(possible)}."
        return TransitionRefused(
            f"Cannot {trigger.value} {_article(status.name)} {status.name} {self.noun}: {hint}",
            code=ErrorCode.INVALID_TRANSITION,
        )

    def _role_refusal(self, trigger: str, actor: Actor) -> TransitionRefused | None:
        if may_fire(actor.role, self.kind, trigger):
            return None
        allowed = list(TRIGGER_ROLES.get((self.kind, trigger), frozenset()))
        return TransitionRefused(
            f"The {actor.role.value} role may not {trigger} {_article(self.noun)} {self.noun}; "
            f"ask a user with the {_roles_text(allowed)} role.",
            code=ErrorCode.FORBIDDEN,
        )

    def _actor_may_fire(self, event: EventData) -> None:
        """``prepare_event``: the role guard shared by every transition of every machine."""
        refused = self._role_refusal(event.event.name, event.kwargs["actor"])
        if refused is not None:
            raise refused

    def __repr__(self) -> str:
        return f"<StateMachine {self.name} ({self.kind.value})>"


def _check_table(table: list[Row], states: type[enum.Enum], triggers: type[enum.Enum]) -> None:
    """Refuse at import time a table that uses strings, unknown names or non-Guard conditions."""
    trigger_values = {each.value for each in triggers}
    for row in table:
        sources = row["source"] if isinstance(row["source"], list) else [row["source"]]
        if row["trigger"] not in trigger_values:
            raise ValueError(f"unknown trigger {row['trigger']!r} for {triggers.__name__}")
        for status in [*sources, row["dest"]]:
            if not isinstance(status, states):
                raise ValueError(f"{status!r} is not a {states.__name__}")
        for condition in row.get("conditions", []):
            if not isinstance(condition, Guard):
                raise ValueError(f"condition {condition!r} of {row['trigger']} is not a Guard")
        extra = set(row) - {"trigger", "source", "dest", "conditions", "after"}
        if extra:
            raise ValueError(f"unsupported keys {sorted(extra)} in {row['trigger']}")
