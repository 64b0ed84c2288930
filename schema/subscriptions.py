"""Status changes pushed over WebSocket (graphql-transport-ws): only committed events, only
the subscriber's company."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from protiv.domain.events import EventRecord
from protiv.domain.statuses import EntityKind as DomainEntityKind
from schema.context import Info
from schema.enums import EntityKind
from schema.ids import from_global
from schema.nodes.pro_pay import ProPay
from schema.nodes.records import Event


@strawberry.type(description="A ProPay's status changed.")
class ProPayStatusChange:
    event: Event
    pro_pay: ProPay | None = strawberry.field(description="The ProPay as it is now.")


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Status changes of one ProPay (id) or of all of them.")
    async def pro_pay_status_changed(
        self, info: Info, id: strawberry.ID | None = None
    ) -> AsyncGenerator[ProPayStatusChange, None]:
        actor = info.context.actor
        wanted = from_global(id, "ProPay") if id is not None else None

        def match(e: EventRecord) -> bool:
            return (
                e.company_id == actor.company_id
                and e.entity is DomainEntityKind.PRO_PAY
                and (wanted is None or e.entity_id == wanted)
            )

        async with info.context.services.hub.subscribe(match) as events:
            async for record in events:
                loaders = info.context.fresh_loaders()
                row = await loaders.pro_pay.load(record.entity_id)
                yield ProPayStatusChange(
                    event=Event.from_row(record), pro_pay=ProPay.from_row(row) if row else None
                )

    @strawberry.subscription(description="Every committed change of every record (or of one kind).")
    async def status_changed(
        self, info: Info, entity: EntityKind | None = None
    ) -> AsyncGenerator[Event, None]:
        actor = info.context.actor

        def match(e: EventRecord) -> bool:
            return e.company_id == actor.company_id and (entity is None or e.entity is entity)

        async with info.context.services.hub.subscribe(match) as events:
            async for record in events:
                yield Event.from_row(record)
