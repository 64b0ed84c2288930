"""Webhook endpoints, registered per company by an admin: a URL, a signing secret (``whsec_``,
Standard Webhooks), the kinds of record it wants and an active flag; and reading back their
deliveries and every attempt. Sending is protiv/services/webhook_delivery.py.

An endpoint receives the events committed after it was made (its outbox cursor starts at the
feed's head); turning it off stops new deliveries being made for it, turning it on again
resumes from where it stopped, so nothing committed meanwhile is lost.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Sequence
from typing import TypeVar
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, delete, func, select

from protiv.domain.errors import ValidationFailed
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind
from protiv.persistence.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from protiv.services import queries
from protiv.services.context import ServiceContext
from protiv.services.uow import UnitOfWork

T = TypeVar("T")
SECRET_PREFIX = "whsec_"
MAX_URL = 2000
LABEL = "webhook endpoint"


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL:
        raise ValidationFailed(
            "A webhook URL is an absolute http:// or https:// URL of at most 2000 characters.",
            field=["input", "url"],
        )
    return url


def encode_types(kinds: Iterable[EntityKind]) -> str:
    return ",".join(sorted(kind.value for kind in set(kinds)))


def decode_types(stored: str) -> list[EntityKind]:
    """The kinds an endpoint wants; empty: every kind."""
    return [EntityKind(value) for value in stored.split(",") if value]


async def _head(uow: UnitOfWork) -> int:
    return int(await uow.session.scalar(select(func.coalesce(func.max(Event.position), 0))) or 0)


async def create_endpoint(
    ctx: ServiceContext,
    actor: Actor,
    *,
    url: str,
    event_types: Iterable[EntityKind] = (),
    description: str = "",
    active: bool = True,
) -> WebhookEndpoint:
    """Register an endpoint; its ``secret`` is what the receiver verifies signatures with."""
    require(actor, "webhook.manage")
    checked = check_url(url)
    async with UnitOfWork(ctx) as uow:
        endpoint = WebhookEndpoint(
            company_id=actor.company_id,
            url=checked,
            description=description.strip()[:500],
            secret=new_secret(),
            event_types=encode_types(event_types),
            active=active,
            created_at=uow.now,
            feed_position=await _head(uow),
        )
        uow.session.add(endpoint)
        await uow.commit()
    return endpoint


async def update_endpoint(
    ctx: ServiceContext,
    actor: Actor,
    endpoint_id: int,
    *,
    url: str | None = None,
    event_types: Iterable[EntityKind] | None = None,
    description: str | None = None,
    active: bool | None = None,
    expected_version: int | None = None,
) -> WebhookEndpoint:
    """Change what is given; what is left out is kept."""
    require(actor, "webhook.manage")
    checked = check_url(url) if url is not None else None
    async with UnitOfWork(ctx) as uow:
        endpoint = await uow.lock(
            WebhookEndpoint, endpoint_id, actor, expected_version=expected_version, label=LABEL
        )
        if checked is not None:
            endpoint.url = checked
        if event_types is not None:
            endpoint.event_types = encode_types(event_types)
        if description is not None:
            endpoint.description = description.strip()[:500]
        if active is not None:
            endpoint.active = active
        await uow.commit()
    return endpoint


async def rotate_secret(ctx: ServiceContext, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    """A new secret; deliveries are signed with it from now on."""
    require(actor, "webhook.manage")
    async with UnitOfWork(ctx) as uow:
        endpoint = await uow.lock(WebhookEndpoint, endpoint_id, actor, label=LABEL)
        endpoint.secret = new_secret()
        await uow.commit()
    return endpoint


async def delete_endpoint(ctx: ServiceContext, actor: Actor, endpoint_id: int) -> int:
    """Forget an endpoint with its deliveries and their attempts."""
    require(actor, "webhook.manage")
    async with UnitOfWork(ctx) as uow:
        await uow.lock(WebhookEndpoint, endpoint_id, actor, label=LABEL)
        deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint_id)
        await uow.session.execute(
            delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries))
        )
        await uow.session.execute(
            delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        )
        await uow.session.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id))
        await uow.commit()
    return endpoint_id


async def retry_delivery(ctx: ServiceContext, actor: Actor, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again as soon as possible (one more attempt for a failed one)."""
    require(actor, "webhook.manage")
    async with UnitOfWork(ctx) as uow:
        delivery = await uow.lock(WebhookDelivery, delivery_id, actor, label="webhook delivery")
        if delivery.delivered_at is None:
            delivery.failed_at = None
            delivery.next_attempt_at = uow.now
        await uow.commit()
    return delivery


# -- reads -----------------------------------------------------------------------------------


def state_filter(states: Sequence[str]) -> list[ColumnElement[bool]]:
    """Deliveries in any of ``states`` (PENDING, DELIVERED, FAILED)."""
    d = WebhookDelivery
    clauses = {
        "PENDING": d.delivered_at.is_(None) & d.failed_at.is_(None),
        "DELIVERED": d.delivered_at.is_not(None),
        "FAILED": d.failed_at.is_not(None),
    }
    if not states:
        return []
    chosen = [clauses[state] for state in states]
    combined = chosen[0]
    for clause in chosen[1:]:
        combined = combined | clause
    return [combined]


def state_of(delivery: WebhookDelivery) -> str:
    if delivery.delivered_at is not None:
        return "DELIVERED"
    return "FAILED" if delivery.failed_at is not None else "PENDING"


async def endpoints(
    ctx: ServiceContext, actor: Actor, *, first: int, after: int | None
) -> queries.Page:
    require(actor, "webhook.read")
    return await queries.page(ctx, WebhookEndpoint, actor.company_id, first=first, after=after)


async def deliveries(
    ctx: ServiceContext,
    actor: Actor,
    endpoint_id: int,
    *,
    states: Sequence[str] = (),
    first: int,
    after: int | None,
) -> queries.Page:
    require(actor, "webhook.read")
    where = [WebhookDelivery.endpoint_id == endpoint_id, *state_filter(states)]
    return await queries.page(
        ctx, WebhookDelivery, actor.company_id, where=where, first=first, after=after
    )


async def by_ids(
    ctx: ServiceContext, actor: Actor, model: type[T], ids: Sequence[int]
) -> list[T | None]:
    """Endpoints or deliveries of the actor's company, in the order of ``ids``."""
    require(actor, "webhook.read")
    return await queries.by_ids(ctx, model, actor.company_id, ids)


async def attempts_of(
    ctx: ServiceContext, company_id: int, delivery_ids: Sequence[int]
) -> list[list[WebhookAttempt]]:
    """Each delivery's attempts, oldest first."""
    return await queries.children(
        ctx, WebhookAttempt, WebhookAttempt.delivery_id, delivery_ids, company_id
    )
