"""Identical live subscriptions share one execution per event (schema/sharing.py); a
subscription that replays (``after:``) or another viewer gets its own."""

from __future__ import annotations

import asyncio
from typing import Any

from protiv.domain.roles import Actor
from protiv.services import pro_pays
from protiv.services.context import ServiceContext
from schema import schema
from schema.context import Context
from tests.feed.conftest import seed

LIVE = "subscription { statusChanged { trigger to } }"
RESUMED = "subscription($after: String) { statusChanged(after: $after) { trigger to } }"


async def _subscribe(ctx: ServiceContext, actor: Actor, query: str, **variables: Any) -> Any:
    context = Context(services=ctx, actor_or_none=actor)
    return await schema.subscribe(query, variable_values=variables, context_value=context)


async def _next(stream: Any) -> dict[str, Any]:
    result = await asyncio.wait_for(anext(stream), 5)
    assert result.errors is None, result.errors
    data: dict[str, Any] = result.data["statusChanged"]
    return data


async def test_identical_live_subscriptions_share_one_execution(ctx, admin, manager):
    first, second = await seed(ctx, admin, jobs=2)
    streams = [
        await _subscribe(ctx, admin, LIVE),
        await _subscribe(ctx, admin, LIVE),
        await _subscribe(ctx, manager, LIVE),  # another viewer: its own
    ]
    waiting = [asyncio.create_task(_next(s)) for s in streams]
    await asyncio.sleep(0.05)
    assert schema.shared.running == 2
    assert ctx.hub.subscriber_count == 2

    await pro_pays.cancel(ctx, admin, first)
    assert await asyncio.gather(*waiting) == [{"trigger": "cancel", "to": "CANCELED"}] * 3

    await streams[0].aclose()  # one member leaves: the others go on
    waiting = [asyncio.create_task(_next(s)) for s in streams[1:]]
    await pro_pays.cancel(ctx, admin, second)
    assert [e["trigger"] for e in await asyncio.gather(*waiting)] == ["cancel", "cancel"]

    for stream in streams[1:]:
        await stream.aclose()
    await asyncio.sleep(0.01)
    assert (schema.shared.running, ctx.hub.subscriber_count) == (0, 0)


async def test_a_subscription_that_replays_is_not_shared(ctx, admin):
    [pro_pay_id] = await seed(ctx, admin, jobs=1)
    streams = [await _subscribe(ctx, admin, RESUMED, after=None) for _ in range(2)]
    waiting = [asyncio.create_task(_next(s)) for s in streams]
    await asyncio.sleep(0.05)
    assert (schema.shared.running, ctx.hub.subscriber_count) == (0, 2)
    await pro_pays.cancel(ctx, admin, pro_pay_id)
    assert [e["to"] for e in await asyncio.gather(*waiting)] == ["CANCELED", "CANCELED"]
    for stream in streams:
        await stream.aclose()
