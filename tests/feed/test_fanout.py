"""Shared subscriptions are written straight from the shared source (protiv/server/fanout.py):
each subscriber gets strawberry's own ``next`` message with its own id, in order, and one that
completes its subscription leaves; writes that would wait queue behind each other."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets
from websockets.typing import Subprotocol

from protiv.domain.roles import Role
from protiv.server.fanout import _Sink, start_eagerly
from protiv.services import pro_pays
from schema import schema
from tests.api.live import serving
from tests.feed.conftest import seed

PROTOCOL = Subprotocol("graphql-transport-ws")
LIVE = "subscription { statusChanged { trigger to } }"
RESUMED = "subscription($after: String) { statusChanged(after: $after) { trigger to } }"
IDS = ["1", "b", 'quote"d']


async def _subscribe(host: str, token: str, query: str, **variables: Any) -> Any:
    ws = await websockets.connect(f"ws://{host}/graphql", subprotocols=[PROTOCOL])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    return ws


async def _start(ws: Any, id: str, query: str, **variables: Any) -> None:
    payload = {"query": query, "variables": variables}
    await ws.send(json.dumps({"id": id, "type": "subscribe", "payload": payload}))


async def _recv(ws: Any) -> str:
    text: str = await asyncio.wait_for(ws.recv(), 5)
    return text


def _next(id: str, trigger: str) -> str:
    """The message as strawberry writes it (its encode_json: compact separators)."""
    data = {"statusChanged": {"trigger": trigger, "to": "CANCELED"}}
    return json.dumps({"id": id, "type": "next", "payload": {"data": data}}, separators=(",", ":"))


async def test_shared_subscribers_get_strawberrys_message_with_their_own_id(
    ctx, admin, tokens_by_role
):
    first, second = await seed(ctx, admin, jobs=2)
    token = tokens_by_role[Role.ADMIN]
    async with serving(ctx) as host:
        sockets = [await _subscribe(host, token, LIVE) for _ in IDS]
        for ws, id in zip(sockets, IDS, strict=True):
            await _start(ws, id, LIVE)
        await _start(sockets[0], "resumed", RESUMED, after=None)  # not shared: strawberry's path
        for _ in range(100):
            if schema.shared.running == 1 and ctx.hub.subscriber_count == 2:
                break
            await asyncio.sleep(0.01)
        assert (schema.shared.running, ctx.hub.subscriber_count) == (1, 2)

        await pro_pays.cancel(ctx, admin, first)
        for ws, id in zip(sockets[1:], IDS[1:], strict=True):
            assert await _recv(ws) == _next(id, "cancel")
        got = {json.loads(text)["id"]: text for text in [await _recv(sockets[0]) for _ in "12"]}
        assert got["1"] == _next("1", "cancel")
        assert json.loads(got["resumed"]) == json.loads(_next("resumed", "cancel"))

        await sockets[1].send(json.dumps({"id": "b", "type": "complete"}))  # leaves the source
        await pro_pays.cancel(ctx, admin, second)
        assert await _recv(sockets[2]) == _next(IDS[2], "cancel")
        for ws in sockets:
            await ws.close()
    for _ in range(100):
        if schema.shared.running == 0:
            break
        await asyncio.sleep(0.01)
    assert (schema.shared.running, ctx.hub.subscriber_count) == (0, 0)


async def test_a_vanished_subscriber_is_dropped_quietly_and_the_others_go_on(
    ctx, admin, tokens_by_role, caplog
):
    first, second = await seed(ctx, admin, jobs=2)
    token = tokens_by_role[Role.ADMIN]
    async with serving(ctx) as host:
        sockets = [await _subscribe(host, token, LIVE) for _ in range(3)]
        for ws in sockets:
            await _start(ws, "1", LIVE)
        for _ in range(100):
            if schema.shared.running == 1:
                break
            await asyncio.sleep(0.01)
        sockets[0].transport.abort()  # gone without a close handshake
        await pro_pays.cancel(ctx, admin, first)
        await pro_pays.cancel(ctx, admin, second)
        for ws in sockets[1:]:
            assert [await _recv(ws) for _ in "12"] == [_next("1", "cancel")] * 2
            await ws.close()
    assert [r for r in caplog.records if r.levelname in {"ERROR", "CRITICAL"}] == []


async def _written(log: list[str], text: str, gate: asyncio.Event | None) -> None:
    if gate is not None:
        await gate.wait()
    log.append(text)


async def test_a_write_that_does_not_wait_runs_at_once_without_a_task():
    log: list[str] = []
    assert start_eagerly(_written(log, "now", None)) is None
    assert log == ["now"]


async def test_a_write_that_waits_finishes_in_a_task_of_its_own():
    log: list[str] = []
    gate = asyncio.Event()
    task = start_eagerly(_written(log, "later", gate))
    assert task is not None
    assert log == []
    gate.set()
    await asyncio.wait_for(task, 1)
    assert log == ["later"]


class _SlowSocket:
    """A WebSocket whose writes wait while ``paused`` is clear, like a paused transport."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.writable = asyncio.Event()

    async def send_text(self, text: str) -> None:
        await self.writable.wait()
        self.sent.append(text)


async def test_messages_behind_a_waiting_write_keep_their_order():
    ws = _SlowSocket()
    sink = _Sink(ws)  # type: ignore[arg-type]
    assert all(sink.send(str(n)) for n in range(5))
    assert ws.sent == []
    ws.writable.set()
    for _ in range(100):
        if len(ws.sent) == 5:
            break
        await asyncio.sleep(0.001)
    assert ws.sent == ["0", "1", "2", "3", "4"]
    assert sink.send("5")
    assert ws.sent[-1] == "5"
