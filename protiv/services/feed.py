"""The integrators' feed: every committed event gets a gap-free *position*, in commit order, and
reaches this process's subscribers in that order, each event once.

Why positions and not ids: an id is taken when the row is inserted, and on PostgreSQL concurrent
transactions commit out of id order, so a reader paging by ``id > cursor`` can page past an id
whose transaction commits a moment later and never see it (stack-research §3.6). So events are
numbered *after* they commit, by a sequencer:

* PostgreSQL: right after each commit (and by the relay's sweep, for a process that died in
  between) one short transaction takes a transaction-scoped advisory lock, so runs happen one at
  a time, and numbers every committed, unnumbered event after the highest position so far, in id
  order. A run sees only committed rows, and commits before the next run gets the lock, so
  positions become visible in increasing order with no hole: a reader that saw position p will
  never later find an event below p. It then NOTIFYs the highest position, for the relays of the
  other server processes (protiv/services/relay.py).
* SQLite has one writer at a time (BEGIN IMMEDIATE): transactions commit one after another, so
  the unit of work numbers its own events inside its transaction, just before it commits.

Per record, positions follow commit order on both: a transition locks its record, so the next
change of that record is written (and numbered) only after the previous one has committed.

Choosing this over filtering by ``pg_snapshot_xmin``: ordering by transaction id is not commit
order (an xid is taken at a transaction's first write, not at its commit), so two changes of one
record could reach a subscriber in the wrong order; and one long transaction would hold the
whole feed back.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from protiv.domain.events import EventRecord
from protiv.domain.statuses import EntityKind
from protiv.persistence.models import Event
from protiv.services.context import ServiceContext
from protiv.services.queries import Page

log = logging.getLogger("protiv.feed")

CHANNEL = "protiv_events"  # NOTIFY channel; the payload is the highest position numbered
SEQUENCER_LOCK = 0x7072_6F74_6976  # pg_advisory_xact_lock key: "protiv"
BATCH = 5000  # events numbered per statement
REPLAY_PAGE = 200  # events a resuming subscriber reads from the table per query
DELIVER_PAGE = 1000  # events read per query to fill a hole in what the hub has seen

# One statement on both backends (SQLite >= 3.35 for UPDATE ... FROM ... RETURNING).
_NUMBER = text(
    """
    WITH todo AS (
        SELECT id, row_number() OVER (ORDER BY id) AS n
        FROM event WHERE position IS NULL ORDER BY id LIMIT :batch
    ), head AS (
        SELECT coalesce(max(position), 0) AS p FROM event
    )
    UPDATE event SET position = head.p + todo.n
    FROM todo, head
    WHERE event.id = todo.id
    RETURNING event.position
    """
)


def to_record(event: Event) -> EventRecord:
    return EventRecord(
        id=event.id,
        company_id=event.company_id,
        entity=event.entity,
        entity_id=event.entity_id,
        trigger=event.trigger,
        from_status=event.from_status,
        to_status=event.to_status,
        version=event.version,
        actor=event.actor,
        reason=event.reason,
        occurred_at=event.occurred_at,
        position=event.position,
    )


# -- numbering -------------------------------------------------------------------------------


async def number(session: AsyncSession) -> int | None:
    """Give positions to every committed event that has none; the highest given, if any.
    The caller makes sure no other numbering runs at the same time."""
    head: int | None = None
    while True:
        given = list((await session.execute(_NUMBER, {"batch": BATCH})).scalars())
        if given:
            head = max(given)
        if len(given) < BATCH:
            return head


async def _positions(session: AsyncSession, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Event.id, Event.position).where(Event.id.in_(ids), Event.position.is_not(None))
    )
    return {row.id: row.position for row in rows}


async def number_before_commit(session: AsyncSession, events: Sequence[Event]) -> None:
    """SQLite, inside the writer's transaction: number its events (the write lock is held, so
    nobody else numbers or commits meanwhile) and keep the positions on the rows."""
    if not events:
        return
    await number(session)
    positions = await _positions(session, [e.id for e in events])
    for event in events:
        set_committed_value(event, "position", positions.get(event.id))


async def sequence(ctx: ServiceContext, ids: Sequence[int] = ()) -> dict[int, int]:
    """PostgreSQL, after a commit: number what has committed (one run at a time), tell the other
    processes, and answer the positions of ``ids`` (committed before, so numbered by now)."""
    async with ctx.db.write() as session, session.begin():
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEQUENCER_LOCK})
        head = await number(session)
        if head is not None:
            await session.execute(
                text("SELECT pg_notify(:channel, :head)"), {"channel": CHANNEL, "head": str(head)}
            )
        return await _positions(session, ids)


async def after_commit(ctx: ServiceContext, records: Sequence[EventRecord]) -> None:
    """What the unit of work does once its transaction has committed: number the events (on
    PostgreSQL) and deliver them to this process's subscribers. The change is committed
    whatever happens here; an event left unnumbered is numbered by the next run or by the
    relay's sweep, and then delivered."""
    try:
        if not ctx.db.is_sqlite:
            positions = await sequence(ctx, [r.id for r in records])
            records = [replace(r, position=positions.get(r.id)) for r in records]
        await deliver(ctx, records)
    except Exception:  # the transition stands; the sweep catches up
        log.exception("numbering or delivering committed events failed; the relay catches up")


async def has_unnumbered(ctx: ServiceContext) -> bool:
    async with ctx.db.read() as session:
        found = await session.scalar(select(Event.id).where(Event.position.is_(None)).limit(1))
    return found is not None


async def head(ctx: ServiceContext) -> int:
    """The highest position given so far (0 for an empty log)."""
    async with ctx.db.read() as session:
        return int(await session.scalar(select(func.coalesce(func.max(Event.position), 0))) or 0)


# -- delivery to this process's hub -----------------------------------------------------------


async def deliver(
    ctx: ServiceContext, records: Sequence[EventRecord] = (), upto: int | None = None
) -> None:
    """Publish to the hub, in position order and once each, every event it has not seen up to
    the highest position known (``upto`` or the records'). ``records`` are used as they are
    when they follow on from what the hub has seen; a hole (another process's or another
    task's events) is read from the table: everything below a committed position is committed."""
    hub = ctx.hub
    numbered = sorted((r for r in records if r.position is not None), key=_position)
    target = max([upto or 0, *(_position(r) for r in numbered)])
    if target == 0:
        return
    async with hub.delivering:
        if hub.position is None:  # nothing delivered yet: start from what we were handed
            hub.position = _position(numbered[0]) - 1 if numbered else target
        start = hub.position
        if target <= start:
            return
        fresh = [r for r in numbered if _position(r) > start]
        if [_position(r) for r in fresh] == list(range(start + 1, target + 1)):
            hub.publish(fresh)
        else:
            async for page in _numbered_between(ctx, start, target):
                hub.publish(page)
        hub.position = target


def _position(record: EventRecord) -> int:
    assert record.position is not None
    return record.position


async def _numbered_between(
    ctx: ServiceContext, start: int, end: int
) -> AsyncIterator[list[EventRecord]]:
    while start < end:
        async with ctx.db.read() as session:
            rows = list(
                await session.scalars(
                    select(Event)
                    .where(Event.position > start, Event.position <= end)
                    .order_by(Event.position)
                    .limit(DELIVER_PAGE)
                )
            )
        if not rows:
            return
        yield [to_record(row) for row in rows]
        start = _position(to_record(rows[-1]))


# -- reading the feed -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selector:
    """Which events a reader wants: one company's, optionally of some kinds or one record."""

    company_id: int
    entities: frozenset[EntityKind] | None = None
    entity_id: int | None = None

    def matches(self, record: EventRecord) -> bool:
        return (
            record.company_id == self.company_id
            and (self.entities is None or record.entity in self.entities)
            and (self.entity_id is None or record.entity_id == self.entity_id)
        )

    def where(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = [Event.company_id == self.company_id]
        if self.entities is not None:
            clauses.append(Event.entity.in_(self.entities))
        if self.entity_id is not None:
            clauses.append(Event.entity_id == self.entity_id)
        return clauses


async def page(
    ctx: ServiceContext,
    selector: Selector,
    *,
    after: int | None,
    first: int,
    with_total: bool = True,
) -> Page:
    """Numbered events after position ``after``, oldest first: the ``events`` connection."""
    base = select(Event).where(Event.position.is_not(None), *selector.where())
    stmt = base.order_by(Event.position).limit(first + 1)
    if after is not None:
        stmt = stmt.where(Event.position > after)
    async with ctx.db.read() as session:
        rows = list((await session.scalars(stmt)).all())
        total = (
            await session.scalar(select(func.count()).select_from(base.subquery()))
            if with_total
            else -1
        )
    return Page(
        rows=rows[:first],
        has_next=len(rows) > first,
        has_previous=after is not None,
        total=int(total or 0),
    )


async def follow(
    ctx: ServiceContext, selector: Selector, after: int | None = None
) -> AsyncGenerator[EventRecord, None]:
    """The events a subscriber wants: first those after ``after`` (when given) from the table,
    then live ones, with no hole and no repeat at the seam. The hub is subscribed to *before*
    the table is read, so whatever commits during the replay is queued; live events the replay
    already returned are dropped by position."""
    async with ctx.hub.subscribe(selector.matches) as live:
        last = after
        if after is not None:
            async for record in _replay(ctx, selector, after):
                last = record.position
                yield record
        async for record in live:
            if last is not None and record.position is not None and record.position <= last:
                continue
            last = record.position
            yield record


async def _replay(
    ctx: ServiceContext, selector: Selector, after: int
) -> AsyncIterator[EventRecord]:
    while True:
        result = await page(ctx, selector, after=after, first=REPLAY_PAGE, with_total=False)
        for row in result.rows:
            record = to_record(row)
            after = _position(record)
            yield record
        if not result.has_next:
            return
