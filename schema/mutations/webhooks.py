"""Webhook endpoints (admins): register one (its secret is shown in the answer, and again only
by rotating it), change it, rotate its secret, delete it; send a delivery again."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
from typing import Any

import strawberry

from protiv.services import webhooks
from schema.context import Info
from schema.enums import EntityKind
from schema.errors import UserError, attempt
from schema.idempotency import key_field
from schema.ids import from_global
from schema.webhooks import WebhookDelivery, WebhookEndpoint

SECRET = (
    "The signing secret (whsec_...): verify each delivery's webhook-signature with it, e.g. "
    "with a Standard Webhooks library. Shown only here: keep it."
)


@strawberry.input(description="A new endpoint: where to send, and which changes.")
class WebhookEndpointCreateInput:
    url: str = strawberry.field(description="An absolute http:// or https:// URL.")
    event_types: list[EntityKind] = strawberry.field(
        default_factory=list, description="The kinds of record to send changes of; empty: all."
    )
    description: str = strawberry.field(
        default="", description="Your own note about it (up to 500 characters)."
    )
    active: bool = strawberry.field(
        default=True, description="False: registered, but nothing sent until turned on."
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="Change an endpoint; fields left out are kept.")
class WebhookEndpointUpdateInput:
    id: strawberry.ID = strawberry.field(description="The endpoint's global id.")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with CONFLICT if it is no longer at this version."
    )
    url: str | None = strawberry.field(
        default=None, description="A new absolute http:// or https:// URL."
    )
    event_types: list[EntityKind] | None = strawberry.field(
        default=None, description="The kinds of record to send changes of; empty list: all."
    )
    description: str | None = strawberry.field(
        default=None, description="A new note (up to 500 characters)."
    )
    active: bool | None = strawberry.field(
        default=None, description="False: stop sending until turned on again."
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="Give an endpoint a new secret; the old one stops working at once.")
class WebhookEndpointRotateSecretInput:
    id: strawberry.ID = strawberry.field(description="The endpoint's global id.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Which endpoint to delete, with its deliveries.")
class WebhookEndpointDeleteInput:
    id: strawberry.ID = strawberry.field(description="The endpoint's global id.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Which delivery to send again.")
class WebhookDeliveryRetryInput:
    id: strawberry.ID = strawberry.field(description="The delivery's global id.")
    idempotency_key: str | None = key_field()


@strawberry.type(description="The endpoint as saved, or why nothing changed.")
class WebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="The endpoint after the change; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The endpoint and its new secret, or why nothing changed.")
class WebhookEndpointSecretPayload:
    webhook_endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="The endpoint; null when refused."
    )
    secret: str | None = strawberry.field(default=None, description=SECRET)
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The id of the deleted endpoint, or why nothing changed.")
class WebhookEndpointDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="The deleted endpoint's global id; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The delivery as it is now, or why nothing changed.")
class WebhookDeliveryPayload:
    webhook_delivery: WebhookDelivery | None = strawberry.field(
        default=None, description="The delivery as it is now; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


def _secret_payload(row: Any, errors: list[UserError]) -> WebhookEndpointSecretPayload:
    if row is None:
        return WebhookEndpointSecretPayload(user_errors=errors)
    return WebhookEndpointSecretPayload(
        webhook_endpoint=WebhookEndpoint.from_row(row), secret=row.secret
    )


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Register a webhook endpoint (admins).")
    async def webhook_endpoint_create(
        self, info: Info, input: WebhookEndpointCreateInput
    ) -> WebhookEndpointSecretPayload:
        row, errors = await attempt(
            lambda: webhooks.create_endpoint(
                info.context.services,
                info.context.actor,
                url=input.url,
                event_types=input.event_types,
                description=input.description,
                active=input.active,
            )
        )
        return _secret_payload(row, errors)

    @strawberry.mutation(description="Change a webhook endpoint (admins).")
    async def webhook_endpoint_update(
        self, info: Info, input: WebhookEndpointUpdateInput
    ) -> WebhookEndpointPayload:
        async def run() -> Any:
            return await webhooks.update_endpoint(
                info.context.services,
                info.context.actor,
                from_global(input.id, "WebhookEndpoint"),
                url=input.url,
                event_types=input.event_types,
                description=input.description,
                active=input.active,
                expected_version=input.expected_version,
            )

        row, errors = await attempt(run)
        if row is None:
            return WebhookEndpointPayload(user_errors=errors)
        return WebhookEndpointPayload(webhook_endpoint=WebhookEndpoint.from_row(row))

    @strawberry.mutation(description="Give a webhook endpoint a new signing secret (admins).")
    async def webhook_endpoint_rotate_secret(
        self, info: Info, input: WebhookEndpointRotateSecretInput
    ) -> WebhookEndpointSecretPayload:
        async def run() -> Any:
            pk = from_global(input.id, "WebhookEndpoint")
            return await webhooks.rotate_secret(info.context.services, info.context.actor, pk)

        row, errors = await attempt(run)
        return _secret_payload(row, errors)

    @strawberry.mutation(description="Delete a webhook endpoint and its deliveries (admins).")
    async def webhook_endpoint_delete(
        self, info: Info, input: WebhookEndpointDeleteInput
    ) -> WebhookEndpointDeletePayload:
        async def run() -> Any:
            pk = from_global(input.id, "WebhookEndpoint")
            return await webhooks.delete_endpoint(info.context.services, info.context.actor, pk)

        deleted, errors = await attempt(run)
        if deleted is None:
            return WebhookEndpointDeletePayload(user_errors=errors)
        return WebhookEndpointDeletePayload(deleted_id=input.id)

    @strawberry.mutation(description="Send a delivery again as soon as possible (admins).")
    async def webhook_delivery_retry(
        self, info: Info, input: WebhookDeliveryRetryInput
    ) -> WebhookDeliveryPayload:
        async def run() -> Any:
            pk = from_global(input.id, "WebhookDelivery")
            return await webhooks.retry_delivery(info.context.services, info.context.actor, pk)

        row, errors = await attempt(run)
        if row is None:
            return WebhookDeliveryPayload(user_errors=errors)
        return WebhookDeliveryPayload(webhook_delivery=WebhookDelivery.from_row(row))
