"""The unit of work: one write transaction in which transitions are fired atomically.

    lock the row (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE holds SQLite's write lock)
    -> check expectedVersion -> fire the machine -> flush (the version column bumps, and
    SQLAlchemy's version check catches a lost race) -> add the event row -> commit
    -> publish the committed events to subscribers.

Leaving the block without ``commit()`` rolls everything back, so a refusal raised anywhere
inside changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from enum import Enum
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar, cast

from sqlalchemy import Select, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from protiv.domain.errors import Conflict, NotFound
from protiv.domain.roles import SYSTEM_ROLE, Actor
from protiv.persistence.models import Event
from protiv.services import branches, feed, idempotency
from protiv.services.context import ServiceContext
from protiv.services.feed import to_record
from statemachines.base import StateMachine

T = TypeVar("T")


class Versioned(Protocol):
    id: int
    company_id: int
    version: int
    status: Any


CONFLICT_MESSAGE = "Someone else changed this record at the same moment; reload and try again."
# What the database answers when two transactions cannot both go on (PostgreSQL: deadlock
# detected, serialization failure, lock not available; SQLite: the busy timeout ran out): the
# transaction lost a race, it is not a fault, and it was rolled back whole.
LOST_RACE_SQLSTATES = frozenset({"40P01", "40001", "55P03"})


def lost_race(error: DBAPIError) -> bool:
    if getattr(error.orig, "sqlstate", None) in LOST_RACE_SQLSTATES:
        return True
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


class UnitOfWork:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.now: datetime = ctx.clock()
        self._events: list[Event] = []
        self._committed = False
        self._claim: idempotency.Claim | None = None
        self.session: AsyncSession

    async def __aenter__(self) -> Self:
        self.session = self.ctx.db.write()
        try:  # an idempotency key first: a retry racing this request waits here, having done nothing
            self._claim = await idempotency.claim_in(self.session, self.now)
        except BaseException:
            await self.session.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                await self.session.rollback()
        finally:
            await self.session.close()
        if self._committed and self._events:
            await feed.after_commit(self.ctx, [to_record(e) for e in self._events])
        if isinstance(exc, DBAPIError) and lost_race(exc):
            raise Conflict(CONFLICT_MESSAGE) from exc

    async def lock(
        self,
        model: type[T],
        record_id: int,
        actor: Actor,
        *,
        options: Sequence[Any] = (),
        expected_version: int | None = None,
        label: str | None = None,
    ) -> T:
        """Load one record of the actor's company for update; NOT_FOUND for anyone else's."""
        stmt: Select[T] = (
            select(model)
            .where(model.id == record_id, model.company_id == actor.company_id)  # type: ignore[attr-defined]
            .options(*options)
            .with_for_update(of=model)
            .execution_options(populate_existing=True)
        )
        record = (await self.session.execute(stmt)).scalars().first()
        if record is None:
            raise NotFound(f"No {label or model.__name__} with that id.", field=["id"])
        check_version(cast(Versioned, record), expected_version)
        await branches.require_record(self.session, actor, record)  # a manager's branches
        return record

    async def fire(
        self,
        machine: StateMachine[Any, Any, Any],
        record: Versioned,
        trigger: Enum,
        actor: Actor,
        *,
        reason: str | None = None,
        via: str | None = None,
        cascade: bool = False,
        **context: Any,
    ) -> Event:
        """Fire ``trigger`` and log it. ``cascade``: a consequence of a transition the actor was
        already allowed to fire (a ProPay cancel voiding its items), so the role check of the
        child is the parent's; the event still names the actor."""
        acting = replace(actor, role=SYSTEM_ROLE) if cascade else actor
        fired = machine.fire(
            record, trigger, actor=acting, reason=reason, now=self.now, via=via, **context
        )
        await self._flush()
        return self.log(
            machine.kind, record, fired.trigger, fired.source.value, actor, reason=reason
        )

    def log(
        self,
        kind: Enum,
        record: Versioned,
        trigger: str,
        from_status: str | None,
        actor: Actor,
        *,
        reason: str | None = None,
    ) -> Event:
        """Add the event row for a change already applied to ``record`` (and flushed)."""
        event = Event(
            company_id=record.company_id,
            entity=kind,
            entity_id=record.id,
            trigger=trigger,
            from_status=from_status,
            to_status=record.status.value,
            version=record.version,
            actor=actor.label,
            reason=reason,
            occurred_at=self.now,
        )
        self.session.add(event)
        self._events.append(event)
        return event

    async def _flush(self) -> None:
        try:
            await self.session.flush()
        except StaleDataError as error:
            raise Conflict(CONFLICT_MESSAGE, field=["expectedVersion"]) from error
        except IntegrityError as error:  # a racing writer made the same unique row first
            raise Conflict(CONFLICT_MESSAGE) from error

    async def commit(self) -> None:
        """Commit; events reach subscribers when the block exits, never before the commit."""
        await self._flush()
        if self.ctx.db.is_sqlite:  # one writer at a time: number the feed in the transaction
            await feed.number_before_commit(self.session, self._events)
        try:
            await self.session.commit()
        except (IntegrityError, OperationalError) as error:
            raise Conflict(CONFLICT_MESSAGE) from error
        self._committed = True
        if self._claim is not None:
            self._claim.committed = True


def check_version(record: Versioned, expected: int | None) -> None:
    if expected is not None and record.version != expected:
        raise Conflict(
            f"This record is at version {record.version}, not {expected}: it changed since "
            "you loaded it. Reload it and decide again.",
            field=["expectedVersion"],
        )
