"""Firing one trigger on many records in one unit of work: every record through its machine,
one flush for all of them (one round trip per statement instead of two per record), then one
event row each. What ``UnitOfWork.fire`` does for one record, for thousands (a period's pay,
the scheduler's releases, bulk actions).

All or nothing: the first refusal is raised, naming the record at fault, and the caller's unit
of work rolls back everything it did."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from enum import Enum
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from protiv.domain.errors import Conflict, DomainError
from protiv.domain.roles import SYSTEM_ROLE, Actor
from protiv.persistence.models import Event
from protiv.services.uow import CONFLICT_MESSAGE, UnitOfWork, Versioned
from statemachines.base import StateMachine

# How a refusal names the record at fault: (its position, the record, the refusal) -> refusal.
Blame = Callable[[int, Any, DomainError], DomainError]


def by_position(field: str) -> Blame:
    """Name the record by its place in the caller's input list (``ids[3]``); a refusal about
    an input shared by all (a missing reason) keeps its own field."""

    def blame(index: int, _record: Any, error: DomainError) -> DomainError:
        if error.field:
            return error
        return _renamed(error, f"{field}[{index}]: {error.message}", [field, str(index)])

    return blame


def by_label(label: Callable[[Any], str]) -> Blame:
    """Name the record by a label of its own (a statement's number)."""

    def blame(_index: int, record: Any, error: DomainError) -> DomainError:
        return _renamed(error, f"{label(record)}: {error.message}", error.field)

    return blame


def _renamed(error: DomainError, message: str, field: Sequence[str] | None) -> DomainError:
    return type(error)(message, code=error.code, field=field)


async def flush(uow: UnitOfWork) -> None:
    """Flush, a lost race (a stale version) answered as CONFLICT like ``UnitOfWork`` does."""
    try:
        await uow.session.flush()
    except StaleDataError as error:
        raise Conflict(CONFLICT_MESSAGE) from error


async def fire_all(
    uow: UnitOfWork,
    machine: StateMachine[Any, Any, Any],
    records: Sequence[Versioned],
    trigger: Enum,
    actor: Actor,
    *,
    reason: str | None = None,
    via: str | None = None,
    cascade: bool = False,
    blame: Blame | None = None,
    **context: Any,
) -> list[Event]:
    """Fire ``trigger`` on every record (in order), flush once, log one event each."""
    acting = replace(actor, role=SYSTEM_ROLE) if cascade else actor
    sources = []
    for index, record in enumerate(records):
        try:
            fired = machine.fire(
                record, trigger, actor=acting, reason=reason, now=uow.now, via=via, **context
            )
        except DomainError as error:
            blamed = blame(index, record, error) if blame else error
            if blamed is error:
                raise
            raise blamed from error
        sources.append(fired)
    await flush(uow)
    return [
        uow.log(machine.kind, record, fired.trigger, fired.source.value, actor, reason=reason)
        for record, fired in zip(records, sources, strict=True)
    ]


def log_change(
    uow: UnitOfWork, kind: Enum, record: Versioned, trigger: str, actor: Actor, reason: str
) -> Event:
    """An event for a change that is not a transition (a move, a rollover, a write-off):
    from = to = the record's status, so the feed and subscriptions carry it too. Flush first."""
    status = record.status.value
    return uow.log(kind, record, trigger, status, actor, reason=reason)
