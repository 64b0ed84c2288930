"""Webhooks: endpoints registered per company, deliveries signed the Standard Webhooks way,
retried with backoff, every attempt recorded and queryable; a failing endpoint never blocks a
transition; several senders never send one delivery twice."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook

from protiv.domain.roles import Role
from protiv.domain.statuses import EntityKind
from protiv.persistence.database import create_database
from protiv.services import pro_pays, webhooks
from protiv.services.context import ServiceContext
from protiv.services.webhook_delivery import WebhookDispatcher
from schema.webhooks import webhook_message
from tests.feed.conftest import seed
from tests.feed.receiver import Receiver, receiving

CREATE = """mutation($url: String!, $types: [EntityKind!]!) {
  webhookEndpointCreate(input: {url: $url, eventTypes: $types}) {
    webhookEndpoint { id url eventTypes active } secret userErrors { code message }
  } }"""
DELIVERIES = """query($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 10) { nodes {
  id state attemptCount deliveredAt failedAt event { trigger entity cursor }
  attempts { statusCode durationMs error } } } } }"""
RETRY = """mutation($id: ID!) { webhookDeliveryRetry(input: {id: $id}) {
  webhookDelivery { state } userErrors { code } } }"""
QUICK = (timedelta(seconds=30),)  # one retry, 30 s after the first failure


async def _register(api, url: str, types: list[str] | None = None) -> tuple[str, str]:
    made = (await api(CREATE, url=url, types=types or []))["webhookEndpointCreate"]
    assert made["userErrors"] == []
    assert made["secret"].startswith("whsec_")
    return made["webhookEndpoint"]["id"], made["secret"]


async def _deliveries(api, endpoint_id: str) -> list[dict[str, Any]]:
    found = await api(DELIVERIES, id=endpoint_id)
    nodes: list[dict[str, Any]] = found["webhookEndpoint"]["deliveries"]["nodes"]
    return nodes


def _dispatcher(ctx: ServiceContext, **options: Any) -> contextlib.aclosing[WebhookDispatcher]:
    """A dispatcher the test drives by hand (``run_once``), without its background loop."""
    return contextlib.aclosing(
        WebhookDispatcher(ctx, webhook_message, retry_delays=QUICK, **options)
    )


async def test_a_committed_change_is_delivered_signed_and_recorded(ctx, admin, api):
    [pro_pay_id] = await seed(ctx, admin, jobs=1)  # made before the endpoint: not sent
    receiver = Receiver()
    async with receiving(receiver) as url, _dispatcher(ctx) as dispatcher:
        endpoint_id, secret = await _register(api, url, ["PRO_PAY"])
        await pro_pays.cancel(ctx, admin, pro_pay_id, reason="customer moved")
        assert await dispatcher.run_once() == 1

    [request] = receiver.received
    payload = Webhook(secret).verify(request.body, request.headers)  # raises if not signed right
    assert payload["type"] == "pro_pay.cancel"
    assert payload["data"]["reason"] == "customer moved"
    assert request.headers["webhook-id"] == payload["data"]["id"]  # the event's global id
    [delivery] = await _deliveries(api, endpoint_id)
    assert delivery["state"] == "DELIVERED"
    assert delivery["event"] == {
        "trigger": "cancel",
        "entity": "PRO_PAY",
        "cursor": payload["data"]["cursor"],
    }
    assert [a["statusCode"] for a in delivery["attempts"]] == [200]


async def test_a_failed_delivery_is_retried_after_its_backoff_then_given_up(ctx, admin, api, clock):
    [pro_pay_id] = await seed(ctx, admin, jobs=1)
    receiver = Receiver(answers=[500, 503])
    async with receiving(receiver) as url, _dispatcher(ctx) as dispatcher:
        endpoint_id, _ = await _register(api, url)
        await pro_pays.cancel(ctx, admin, pro_pay_id)
        assert await dispatcher.run_once() == 1  # 500
        assert await dispatcher.run_once() == 0  # not due before its backoff
        clock.advance(seconds=31)
        assert await dispatcher.run_once() == 1  # 503: the last try
        clock.advance(hours=1)
        assert await dispatcher.run_once() == 0

        [failed] = await _deliveries(api, endpoint_id)
        assert (failed["state"], failed["attemptCount"]) == ("FAILED", 2)
        assert [(a["statusCode"], a["error"]) for a in failed["attempts"]] == [
            (500, "HTTP 500 Internal Server Error"),
            (503, "HTTP 503 Service Unavailable"),
        ]
        retried = await api(RETRY, id=failed["id"])
        assert retried["webhookDeliveryRetry"] == {
            "webhookDelivery": {"state": "PENDING"},
            "userErrors": [],
        }
        assert await dispatcher.run_once() == 1
    [delivered] = await _deliveries(api, endpoint_id)
    assert delivered["state"] == "DELIVERED"
    assert [a["statusCode"] for a in delivered["attempts"]] == [500, 503, 200]
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1  # one message


async def test_an_unreachable_endpoint_is_recorded_and_never_blocks_a_transition(ctx, admin, api):
    ids = await seed(ctx, admin, jobs=2)
    slow = Receiver(delay=1)
    async with receiving(slow) as slow_url:
        await _register(api, slow_url)
        unreachable, _ = await _register(api, "http://127.0.0.1:9/hook")
        async with WebhookDispatcher(ctx, webhook_message, poll_seconds=0.05, timeout=0.3):
            await pro_pays.cancel(ctx, admin, ids[0])
            await asyncio.sleep(0.2)  # the dispatcher is now waiting on the slow endpoint
            started = time.perf_counter()
            done = await pro_pays.cancel(ctx, admin, ids[1])
            assert time.perf_counter() - started < 0.5
            assert done.event.to_status == "CANCELED"
            await asyncio.sleep(0.6)
    [first, *_] = await _deliveries(api, unreachable)
    assert first["state"] == "PENDING"
    assert first["attempts"][0]["statusCode"] is None
    assert first["attempts"][0]["error"].startswith("ConnectError")


async def test_an_endpoint_gets_only_the_kinds_it_asked_for(ctx, admin, api):
    [pro_pay_id] = await seed(ctx, admin, jobs=1)
    receiver = Receiver()
    async with receiving(receiver) as url, _dispatcher(ctx) as dispatcher:
        statements_only, _ = await _register(api, url, ["STATEMENT"])
        await pro_pays.cancel(ctx, admin, pro_pay_id)
        assert await dispatcher.run_once() == 0
    assert receiver.received == []
    assert await _deliveries(api, statements_only) == []


async def test_two_senders_never_send_one_delivery_twice(ctx, admin, api, database_url, clock):
    ids = await seed(ctx, admin, jobs=4)
    receiver = Receiver()
    db = create_database(database_url, pool_size=2)
    other = ServiceContext(db=db, clock=clock)  # a second server process
    try:
        async with receiving(receiver) as url:
            await _register(api, url)
            for pro_pay_id in ids:
                await pro_pays.cancel(ctx, admin, pro_pay_id)
                await pro_pays.restore(ctx, admin, pro_pay_id)
            async with _dispatcher(ctx) as one, _dispatcher(other) as two:
                sent = list(await asyncio.gather(one.run_once(), two.run_once()))
                while sum(sent) < 2 * len(ids):
                    sent += await asyncio.gather(one.run_once(), two.run_once())
    finally:
        await db.dispose()
    message_ids = [r.headers["webhook-id"] for r in receiver.received]
    assert len(message_ids) == len(set(message_ids)) == 2 * len(ids)


async def test_only_admins_manage_endpoints(ctx, company, api, tokens_by_role):
    refused = await api.as_(tokens_by_role[Role.MANAGER])(
        CREATE, url="http://127.0.0.1:9/x", types=[]
    )
    assert refused["webhookEndpointCreate"]["userErrors"][0]["code"] == "FORBIDDEN"
    bad = await api(CREATE, url="ftp://example.test/x", types=[])
    assert bad["webhookEndpointCreate"]["userErrors"][0]["code"] == "VALIDATION"
    listed = await api.as_(tokens_by_role[Role.INTEGRATION])(
        "{ webhookEndpoints(first: 5) { totalCount } }"
    )
    assert listed["webhookEndpoints"]["totalCount"] == 0


def test_the_message_is_the_events_fields():
    from datetime import UTC, datetime

    from protiv.domain.events import EventRecord

    record = EventRecord(
        id=7,
        company_id=1,
        entity=EntityKind.LINE_ITEM,
        entity_id=3,
        trigger="release",
        from_status="HELD",
        to_status="PAYABLE",
        version=2,
        actor="system",
        reason=None,
        occurred_at=datetime(2026, 11, 2, tzinfo=UTC),
        position=41,
    )
    message_id, message = webhook_message(record)
    assert message["type"] == "line_item.release"
    assert message["data"]["id"] == message_id
    assert json.loads(json.dumps(message))["data"]["to"] == "PAYABLE"


def test_secrets_are_standard_webhooks_secrets():
    secret = webhooks.new_secret()
    assert secret.startswith("whsec_")
    body, headers = "{}", {"webhook-id": "m", "webhook-timestamp": str(int(time.time()))}
    from datetime import UTC, datetime

    signed = Webhook(secret).sign("m", datetime.now(UTC), body)
    assert Webhook(secret).verify(body, headers | {"webhook-signature": signed}) == {}
    with pytest.raises(Exception, match="signature"):
        Webhook(webhooks.new_secret()).verify(body, headers | {"webhook-signature": signed})
