"""Webhooks in GraphQL: endpoints, their deliveries and every attempt (``webhookEndpoints``,
``webhookEndpoint``, and ``node``), and what a delivery carries (``webhook_message``): the same
fields as the ``Event`` type, so a subscription and a webhook describe a change alike."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry import relay

from protiv.domain.errors import DomainError
from protiv.domain.events import EventRecord
from protiv.persistence import models
from protiv.services import webhooks
from schema.context import Info
from schema.enums import EntityKind
from schema.ids import feed_cursor, from_global, to_global
from schema.nodes.records import NODE_TYPE_OF, Event
from schema.pagination import Connection, connection, page_args


class DeliveryState(enum.Enum):
    PENDING = "PENDING"  # not delivered yet; tried again at nextAttemptAt
    DELIVERED = "DELIVERED"  # the endpoint answered 2xx
    FAILED = "FAILED"  # every retry failed; webhookDeliveryRetry tries once more


WebhookDeliveryState = Annotated[
    DeliveryState,
    strawberry.enum(name="WebhookDeliveryState", description="Where a delivery stands."),
]


@strawberry.type(description="One try at a delivery: what the endpoint answered, and how fast.")
class WebhookAttempt:
    attempted_at: datetime = strawberry.field(description="When the request was sent.")
    status_code: int | None = strawberry.field(description="Null: no HTTP answer (see error).")
    duration_ms: int = strawberry.field(
        description="Milliseconds from sending the request to its answer (or failure)."
    )
    error: str | None = strawberry.field(description="Why it failed; null when it succeeded.")


@strawberry.type(description="One event sent (or to send) to one endpoint, retried with backoff.")
class WebhookDelivery(relay.Node):
    id: relay.NodeID[int]
    state: WebhookDeliveryState = strawberry.field(
        description="PENDING, DELIVERED or FAILED (retries exhausted)."
    )
    attempt_count: int = strawberry.field(description="How many times it has been tried so far.")
    created_at: datetime = strawberry.field(description="When the event was queued for it.")
    next_attempt_at: datetime | None = strawberry.field(description="When it is tried next.")
    delivered_at: datetime | None = strawberry.field(
        description="When the endpoint answered 2xx; null: not delivered yet."
    )
    failed_at: datetime | None = strawberry.field(description="When it was given up.")
    event_pk: strawberry.Private[int]
    endpoint_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.WebhookDelivery) -> WebhookDelivery:
        return cls(
            id=row.id,
            state=DeliveryState(webhooks.state_of(row)),
            attempt_count=row.attempts,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            delivered_at=row.delivered_at,
            failed_at=row.failed_at,
            event_pk=row.event_id,
            endpoint_pk=row.endpoint_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[WebhookDelivery | None]:
        ids = [int(i) for i in node_ids]
        ctx, actor = info.context.services, info.context.actor
        rows = await webhooks.by_ids(ctx, actor, models.WebhookDelivery, ids)
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="The event delivered.")
    async def event(self, info: Info) -> Event | None:
        row = await info.context.loaders.event.load(self.event_pk)
        return Event.from_row(row) if row else None

    @strawberry.field(description="The endpoint it goes to.")
    async def endpoint(
        self, info: Info
    ) -> Annotated[WebhookEndpoint, strawberry.lazy("schema.webhooks")] | None:
        [found] = await WebhookEndpoint.resolve_nodes(info=info, node_ids=[str(self.endpoint_pk)])
        return found

    @strawberry.field(description="Every attempt, oldest first.")
    async def attempts(self, info: Info) -> list[WebhookAttempt]:
        rows = await info.context.loaders.webhooks.attempts_of.load(self.id)
        return [
            WebhookAttempt(
                attempted_at=r.attempted_at,
                status_code=r.status_code,
                duration_ms=r.duration_ms,
                error=r.error,
            )
            for r in rows
        ]


@strawberry.type(
    description="A URL that receives your company's events, signed the Standard Webhooks way "
    "(headers webhook-id, webhook-timestamp, webhook-signature) with its secret."
)
class WebhookEndpoint(relay.Node):
    id: relay.NodeID[int]
    url: str = strawberry.field(description="Where deliveries are POSTed.")
    description: str = strawberry.field(description="Your own note about it; may be empty.")
    event_types: list[EntityKind] = strawberry.field(
        description="The kinds of record whose changes it receives; empty: every kind."
    )
    active: bool = strawberry.field(description="Inactive: no deliveries until turned on again.")
    version: int = strawberry.field(description="Pass it as expectedVersion to change it.")
    created_at: datetime = strawberry.field(description="When it was registered.")

    @classmethod
    def from_row(cls, row: models.WebhookEndpoint) -> WebhookEndpoint:
        return cls(
            id=row.id,
            url=row.url,
            description=row.description,
            event_types=webhooks.decode_types(row.event_types),
            active=row.active,
            version=row.version,
            created_at=row.created_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[WebhookEndpoint | None]:
        ids = [int(i) for i in node_ids]
        ctx, actor = info.context.services, info.context.actor
        rows = await webhooks.by_ids(ctx, actor, models.WebhookEndpoint, ids)
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="Its deliveries, oldest first (of some states only, if given).")
    async def deliveries(
        self,
        info: Info,
        state: list[WebhookDeliveryState] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[WebhookDelivery]:
        size, cursor = page_args(first, after)
        page = await webhooks.deliveries(
            info.context.services,
            info.context.actor,
            self.id,
            states=[s.value for s in state or ()],
            first=size,
            after=cursor,
        )
        return connection(page, WebhookDelivery.from_row)


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="Your company's webhook endpoints, oldest first.")
    async def webhook_endpoints(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[WebhookEndpoint]:
        size, cursor = page_args(first, after)
        page = await webhooks.endpoints(
            info.context.services, info.context.actor, first=size, after=cursor
        )
        return connection(page, WebhookEndpoint.from_row)

    @strawberry.field(description="One webhook endpoint by id (null if there is none of yours).")
    async def webhook_endpoint(self, info: Info, id: strawberry.ID) -> WebhookEndpoint | None:
        try:
            pk = from_global(id, "WebhookEndpoint")
        except DomainError:
            return None
        [found] = await WebhookEndpoint.resolve_nodes(info=info, node_ids=[str(pk)])
        return found


def webhook_message(record: EventRecord) -> tuple[str, dict[str, Any]]:
    """What a webhook carries for an event: its message id (the event's global id, the same on
    every retry, to deduplicate on) and the payload ``{type, timestamp, data}``."""
    event_id = to_global("Event", record.id)
    data = {
        "id": event_id,
        "cursor": feed_cursor(record.position) if record.position is not None else None,
        "entity": record.entity.value,
        "entityId": to_global(NODE_TYPE_OF[record.entity], record.entity_id),
        "trigger": record.trigger,
        "from": record.from_status,
        "to": record.to_status,
        "version": record.version,
        "actor": record.actor,
        "reason": record.reason,
        "occurredAt": record.occurred_at.isoformat(),
    }
    message = {
        "type": f"{record.entity.value.lower()}.{record.trigger}",
        "timestamp": record.occurred_at.isoformat(),
        "data": data,
    }
    return event_id, message
