"""The ``events`` connection: the integrators' feed, paged by feed position (gap-free, see
protiv/services/feed.py), with the same cursor the subscriptions accept as ``after``."""

from __future__ import annotations

from strawberry import relay

from protiv.domain.statuses import EntityKind
from protiv.services import feed
from schema.context import Info
from schema.ids import feed_cursor, parse_feed_cursor
from schema.nodes.records import Event
from schema.pagination import Connection, Edge, page_args

EVENTS_DESCRIPTION = (
    "The event log, the integrators' feed: every committed change, oldest first, in commit "
    "order. Page on with `after: endCursor`; the feed never skips an event that commits late "
    "and never repeats one, so polling with the last cursor you saw misses nothing."
)


async def events_connection(
    info: Info, after: str | None, first: int | None, entity: EntityKind | None
) -> Connection[Event]:
    size, _ = page_args(first, None)
    selector = feed.Selector(
        company_id=info.context.actor.company_id,
        entities=frozenset({entity}) if entity is not None else None,
    )
    page = await feed.page(
        info.context.services, selector, after=parse_feed_cursor(after), first=size
    )
    edges = [Edge(cursor=feed_cursor(row.position), node=Event.from_row(row)) for row in page.rows]
    return Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            # An empty page still says where to resume from: the cursor given.
            end_cursor=edges[-1].cursor if edges else after,
        ),
        total_count=page.total,
    )
