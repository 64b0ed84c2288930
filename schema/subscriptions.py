"""Status changes pushed over WebSocket (graphql-transport-ws): only committed events, only
the subscriber's company, in feed order.

Every subscription takes ``after:``, a cursor from the ``events`` feed or from an event it
delivered (``event { cursor }``): it first replays what was committed after that cursor, then
goes live, with nothing missed and nothing twice at the seam (protiv/services/feed.py
``follow``). A client that loses its connection resubscribes with the last cursor it saw.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from typing import Annotated, TypeVar

import strawberry

from protiv.domain.errors import NotFound
from protiv.domain.events import EventRecord
from protiv.domain.statuses import EntityKind as DomainEntityKind
from protiv.services import feed
from schema.context import Info
from schema.enums import EntityKind
from schema.ids import from_global, parse_feed_cursor
from schema.nodes.ledger import LineItem, Statement
from schema.nodes.pro_pay import ProPay
from schema.nodes.records import Event

T = TypeVar("T")
AFTER = (
    "Replay the changes committed after this cursor (from `events`, or an event's `cursor`) "
    "first, then go live: nothing missed, nothing twice."
)
After = Annotated[str | None, strawberry.argument(description=AFTER)]


@strawberry.type(description="A ProPay's status changed.")
class ProPayStatusChange:
    event: Event = strawberry.field(description="The event that was committed.")
    pro_pay: ProPay | None = strawberry.field(description="The ProPay as it is now.")


@strawberry.type(description="A bonus line item's status changed.")
class LineItemStatusChange:
    event: Event = strawberry.field(description="The event that was committed.")
    line_item: LineItem | None = strawberry.field(description="The line item as it is now.")


@strawberry.type(description="A statement's status changed.")
class StatementStatusChange:
    event: Event = strawberry.field(description="The event that was committed.")
    statement: Statement | None = strawberry.field(description="The statement as it is now.")


async def _events(
    info: Info,
    after: str | None,
    kinds: frozenset[DomainEntityKind] | None = None,
    id: strawberry.ID | None = None,
    type_name: str = "",
) -> AsyncIterator[EventRecord]:
    """The caller's company's events (of ``kinds``, of record ``id``), resumed after ``after``;
    NOT_FOUND at once when ``id`` is no record the caller may read (another company's)."""
    entity_id = from_global(id, type_name) if id is not None else None
    if entity_id is not None:
        await _must_see(info, type_name, entity_id)
    selector = feed.Selector(
        company_id=info.context.actor.company_id, entities=kinds, entity_id=entity_id
    )
    async with aclosing(
        feed.follow(info.context.services, selector, parse_feed_cursor(after))
    ) as events:
        async for record in events:
            yield record


LOADER_OF = {"ProPay": "pro_pay", "LineItem": "line_item", "Statement": "statement"}


async def _must_see(info: Info, type_name: str, pk: int) -> None:
    """The record through the caller's (company-scoped) loaders, or NOT_FOUND."""
    if await getattr(info.context.loaders, LOADER_OF[type_name]).load(pk) is None:
        raise NotFound(f"No {type_name} with that id.", field=["id"])


async def _changes(
    events: AsyncIterator[EventRecord], load: Callable[[EventRecord], Awaitable[T]]
) -> AsyncGenerator[tuple[Event, T], None]:
    """Each event with the record it changed, as it is now (loaders emptied per event)."""
    async for record in events:
        yield Event.from_row(record), await load(record)


@strawberry.type(
    description="Committed status changes as they happen, over WebSocket (graphql-transport-ws)."
)
class Subscription:
    @strawberry.subscription(description="Status changes of one ProPay (id) or of all of them.")
    async def pro_pay_status_changed(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        after: After = None,
    ) -> AsyncGenerator[ProPayStatusChange, None]:
        async def load(record: EventRecord) -> ProPay | None:
            row = await info.context.fresh_loaders().pro_pay.load(record.entity_id)
            return ProPay.from_row(row) if row else None

        events = _events(info, after, frozenset({DomainEntityKind.PRO_PAY}), id, "ProPay")
        async for event, now in _changes(events, load):
            yield ProPayStatusChange(event=event, pro_pay=now)

    @strawberry.subscription(
        description="Status changes of one bonus line item (id) or of all of them."
    )
    async def line_item_status_changed(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        after: After = None,
    ) -> AsyncGenerator[LineItemStatusChange, None]:
        async def load(record: EventRecord) -> LineItem | None:
            row = await info.context.fresh_loaders().line_item.load(record.entity_id)
            return LineItem.from_row(row) if row else None

        events = _events(info, after, frozenset({DomainEntityKind.LINE_ITEM}), id, "LineItem")
        async for event, now in _changes(events, load):
            yield LineItemStatusChange(event=event, line_item=now)

    @strawberry.subscription(description="Status changes of one statement (id) or of all of them.")
    async def statement_status_changed(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        after: After = None,
    ) -> AsyncGenerator[StatementStatusChange, None]:
        async def load(record: EventRecord) -> Statement | None:
            row = await info.context.fresh_loaders().statement.load(record.entity_id)
            return Statement.from_row(row) if row else None

        events = _events(info, after, frozenset({DomainEntityKind.STATEMENT}), id, "Statement")
        async for event, now in _changes(events, load):
            yield StatementStatusChange(event=event, statement=now)

    @strawberry.subscription(description="Every committed change of every record (or of one kind).")
    async def status_changed(
        self,
        info: Info,
        entity: EntityKind | None = None,
        after: After = None,
    ) -> AsyncGenerator[Event, None]:
        kinds = frozenset({entity}) if entity is not None else None
        async for record in _events(info, after, kinds):
            yield Event.from_row(record)
