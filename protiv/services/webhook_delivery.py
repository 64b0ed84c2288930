"""Sending webhooks: an outbox read from the events feed, signed the Standard Webhooks way,
retried with backoff, every attempt recorded. Nothing here runs inside a transition's
transaction, so a slow or failing endpoint never blocks or rolls back a transition.

    fan_out     for each active endpoint, one delivery row per event committed after its
                cursor (the feed position it has reached), in one transaction with moving the
                cursor: the feed is gap-free, so no event is missed and none is made twice
    claim_due   take the deliveries that are due (FOR UPDATE SKIP LOCKED on PostgreSQL, so
                several server processes share the work), leased for LEASE
    send        POST the JSON body with ``webhook-id``, ``webhook-timestamp`` and
                ``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``
                (signed by the ``standardwebhooks`` reference library)
    record      the attempt (status code, duration, error); delivered, or the next try after
                RETRY_DELAYS[n] (Standard Webhooks' schedule, about 28 hours in all), or given up

Delivery is at least once and not ordered: receivers deduplicate on ``webhook-id`` (the event's
global id) and order by the event's ``cursor`` when order matters.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

import httpx
from sqlalchemy import exists, func, select, update
from standardwebhooks import Webhook

from protiv.domain.events import EventRecord
from protiv.persistence.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from protiv.services.context import ServiceContext
from protiv.services.feed import to_record
from protiv.services.webhooks import decode_types

log = logging.getLogger("protiv.webhooks")

RETRY_DELAYS = tuple(
    timedelta(seconds=s) for s in (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
)
LEASE = timedelta(minutes=2)  # a claimed delivery whose sender died is tried again after this
BATCH = 20  # deliveries sent at once
FAN_OUT_BATCH = 500  # events turned into deliveries per endpoint per transaction
TIMEOUT_SECONDS = 10.0

# What goes out for an event: its message id (``webhook-id``) and the JSON payload.
Render = Callable[[EventRecord], tuple[str, dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Claimed:
    delivery_id: int
    company_id: int
    attempt: int  # 1 for the first try
    url: str
    secret: str
    event: EventRecord


@dataclass(frozen=True, slots=True)
class Outcome:
    started_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def fan_out(ctx: ServiceContext, now: datetime) -> int:
    """Make the deliveries of the events each active endpoint has not had yet; how many."""
    made = 0
    async with ctx.db.write() as session, session.begin():
        head = await session.scalar(select(func.coalesce(func.max(Event.position), 0))) or 0
        endpoints = await session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.active, WebhookEndpoint.feed_position < head)
            .with_for_update(skip_locked=True)
        )
        for endpoint in list(endpoints):
            upto = min(head, endpoint.feed_position + FAN_OUT_BATCH)
            wanted = select(Event.id).where(
                Event.company_id == endpoint.company_id,
                Event.position > endpoint.feed_position,
                Event.position <= upto,
            )
            if kinds := decode_types(endpoint.event_types):
                wanted = wanted.where(Event.entity.in_(kinds))
            for event_id in await session.scalars(wanted.order_by(Event.position)):
                session.add(
                    WebhookDelivery(
                        company_id=endpoint.company_id,
                        endpoint_id=endpoint.id,
                        event_id=event_id,
                        created_at=now,
                        next_attempt_at=now,
                    )
                )
                made += 1
            # A plain UPDATE: moving the cursor is not an edit, so the version stays.
            await session.execute(
                update(WebhookEndpoint)
                .where(WebhookEndpoint.id == endpoint.id)
                .values(feed_position=upto)
            )
    return made


async def needs_fan_out(ctx: ServiceContext) -> bool:
    head = select(func.max(Event.position)).scalar_subquery()
    behind = exists().where(WebhookEndpoint.active, WebhookEndpoint.feed_position < head)
    async with ctx.db.read() as session:
        return bool(await session.scalar(select(behind)))


async def has_due(ctx: ServiceContext, now: datetime) -> bool:
    due = exists().where(WebhookDelivery.next_attempt_at <= now)
    async with ctx.db.read() as session:
        return bool(await session.scalar(select(due)))


async def claim_due(ctx: ServiceContext, now: datetime, limit: int = BATCH) -> list[Claimed]:
    """Take up to ``limit`` due deliveries of active endpoints, leased to this sender."""
    async with ctx.db.write() as session, session.begin():
        rows = await session.execute(
            select(WebhookDelivery, WebhookEndpoint.url, WebhookEndpoint.secret, Event)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .join(Event, Event.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.next_attempt_at <= now, WebhookEndpoint.active)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        )
        claimed = []
        for delivery, url, secret, event in rows:
            delivery.attempts += 1
            delivery.next_attempt_at = now + LEASE
            claimed.append(
                Claimed(
                    delivery.id,
                    delivery.company_id,
                    delivery.attempts,
                    url,
                    secret,
                    to_record(event),
                )
            )
    return claimed


def signed_request(
    claimed: Claimed, render: Render, sent_at: datetime
) -> tuple[str, dict[str, str]]:
    """The body and headers of one attempt (Standard Webhooks)."""
    message_id, payload = render(claimed.event)
    body = json.dumps(payload, separators=(",", ":"))
    signature = Webhook(claimed.secret).sign(message_id, sent_at, body)
    headers = {
        "content-type": "application/json",
        "user-agent": "protiv-webhooks",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }
    return body, headers


async def send(client: httpx.AsyncClient, claimed: Claimed, render: Render) -> Outcome:
    """One attempt; never raises for what the endpoint or the network does."""
    started_at = datetime.now(UTC)
    start = time.perf_counter()
    status: int | None = None
    error: str | None = None
    try:
        body, headers = signed_request(claimed, render, started_at)
        response = await client.post(claimed.url, content=body, headers=headers)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status} {response.reason_phrase}".strip()
    except httpx.HTTPError as problem:
        error = f"{type(problem).__name__}: {problem}".strip()
    duration = round((time.perf_counter() - start) * 1000)
    return Outcome(started_at, status, duration, error[:1000] if error else None)


async def record(
    ctx: ServiceContext,
    claimed: Claimed,
    outcome: Outcome,
    now: datetime,
    delays: Sequence[timedelta] = RETRY_DELAYS,
) -> None:
    """Write the attempt; the delivery is done, due again after its delay, or given up."""
    async with ctx.db.write() as session, session.begin():
        delivery = await session.get(WebhookDelivery, claimed.delivery_id, with_for_update=True)
        if delivery is None:  # its endpoint was deleted meanwhile
            return
        session.add(
            WebhookAttempt(
                company_id=claimed.company_id,
                delivery_id=claimed.delivery_id,
                attempted_at=outcome.started_at,
                status_code=outcome.status_code,
                duration_ms=outcome.duration_ms,
                error=outcome.error,
            )
        )
        if outcome.ok:
            delivery.delivered_at, delivery.next_attempt_at = now, None
        elif claimed.attempt > len(delays):
            delivery.failed_at, delivery.next_attempt_at = now, None
        else:
            delivery.next_attempt_at = now + delays[claimed.attempt - 1]


class WebhookDispatcher:
    """``async with WebhookDispatcher(services, render):`` sends webhooks until the block exits.
    Woken by every event this process's hub publishes, and every ``poll_seconds`` for retries."""

    def __init__(
        self,
        ctx: ServiceContext,
        render: Render,
        *,
        poll_seconds: float = 2.0,
        retry_delays: Sequence[timedelta] = RETRY_DELAYS,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.ctx, self.render = ctx, render
        self.poll_seconds, self.retry_delays = poll_seconds, tuple(retry_delays)
        self._client = httpx.AsyncClient(timeout=timeout)
        self._wake = asyncio.Event()
        self._stack = contextlib.ExitStack()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._stack.enter_context(self.ctx.hub.watching(self._wake.set))
        self._task = asyncio.create_task(self._run(), name="protiv webhook dispatcher")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client (``run_once`` without the background loop: a test)."""
        await self._client.aclose()

    async def run_once(self) -> int:
        """Make what deliveries are new, send what is due; how many were sent."""
        if await needs_fan_out(self.ctx):
            await fan_out(self.ctx, self.ctx.clock())
        if not await has_due(self.ctx, self.ctx.clock()):
            return 0
        claimed = await claim_due(self.ctx, self.ctx.clock())
        outcomes = await asyncio.gather(*(send(self._client, c, self.render) for c in claimed))
        for each, outcome in zip(claimed, outcomes, strict=True):
            await record(self.ctx, each, outcome, self.ctx.clock(), self.retry_delays)
        return len(claimed)

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.run_once()
            except Exception:  # the database went away: try again at the next wake-up
                log.exception("webhook dispatch failed; trying again")
                sent = 0
            if sent < BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                self._wake.clear()
