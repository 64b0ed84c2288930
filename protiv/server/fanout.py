"""One event to many WebSockets: shared subscriptions write their ``next`` message straight from
the shared source, encoded once per event.

strawberry's graphql-transport-ws handler runs a task per subscription: for every event each one
wakes up, builds its ``next`` message and JSON-encodes it, then writes it. With a thousand
subscribers of one shared subscription (schema/sharing.py) that is a thousand task wake-ups and
encodings of the same payload per event. This handler, for a shared subscription over ASGI,
instead hands the source a writer (``Membership.deliver``): the source calls it for each member
in turn as soon as it has a result; the payload is encoded once (the message differs only in
its subscription ``id``), and the write goes down to uvicorn at once.

A write normally completes without suspending (uvicorn writes to the socket's buffer). When it
would wait (the client reads too slowly and the transport is paused), the rest of that write
goes on in a task of its own and later messages queue behind it, in order, up to
``schema.sharing.QUEUE_SIZE``; beyond that the subscriber is cut off (``complete``) as a slow
queued subscriber is, and resumes with ``after:``.

Everything else (replays with ``after:``, queries over the socket, errors before execution)
goes through strawberry's handler unchanged.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,  # private, but what run_operation catches to end quietly
)
from strawberry.types.execution import ExecutionResult

from schema.sharing import QUEUE_SIZE, Membership

Encode = Callable[[object], str | bytes]


class FanOutTransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    """strawberry's graphql-transport-ws handler; shared subscriptions are written directly."""

    async def _send_result_stream(self, operation: Operation[Any, Any], result_source: Any) -> None:
        adapter = self.websocket
        if not isinstance(result_source, Membership) or not isinstance(
            adapter, ASGIWebSocketAdapter
        ):
            await super()._send_result_stream(operation, result_source)
            return
        writer = _Writer(operation.id, adapter.ws, adapter.view.encode_json)
        await result_source.deliver(writer)
        if writer.sink.gone:  # the socket is closed: no ``complete`` to send, the connection's
            self.operations.pop(operation.id, None)  # own loop is shutting down
            raise _OperationStreamClosed  # run_operation's quiet way out
        if writer.unusual is not None:  # an error before execution: strawberry's way
            await super()._send_result_stream(operation, _once(writer.unusual))


async def _once(item: Any) -> Any:
    yield item


class _Writer:
    """Writes one subscription's ``next`` messages; called by the shared source per result."""

    def __init__(self, operation_id: str, ws: WebSocket, encode: Encode) -> None:
        self.prefix = '{"id":' + json.dumps(operation_id) + ',"type":"next","payload":'
        self.sink = _Sink(ws)
        self.encode = encode
        self.unusual: Any = None  # a first result that is not a plain ExecutionResult

    def __call__(self, result: Any) -> bool:
        if type(result) is not ExecutionResult:  # PreExecutionError, incremental delivery
            self.unusual = result if self.unusual is None else self.unusual
            return False
        return self.sink.send(self.prefix + _payload(result, self.encode) + "}")


_last: tuple[Any, str] | None = None  # (result, its encoded payload): one event, all members


def _payload(result: ExecutionResult, encode: Encode) -> str:
    """The ``next`` payload as strawberry builds it, encoded once per result (the members of a
    shared source are called one after the other with the same result object)."""
    global _last
    if _last is not None and _last[0] is result:
        return _last[1]
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    encoded = encode(payload)
    text = encoded.decode() if isinstance(encoded, bytes) else str(encoded)
    _last = (result, text)
    return text


class _Sink:
    """One socket's writes, in order: at once while the socket takes them, else queued behind
    the one that waits (bounded)."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.waiting: asyncio.Future[None] | None = None
        self.backlog: deque[str] = deque()
        self.gone = False

    def send(self, text: str) -> bool:
        """False when the subscriber is gone or too far behind."""
        if self.gone:
            return False
        if self.waiting is not None:
            if len(self.backlog) >= QUEUE_SIZE:
                return False
            self.backlog.append(text)
            return True
        try:
            self.waiting = start_eagerly(self.ws.send_text(text))
        except (WebSocketDisconnect, OSError, RuntimeError):
            self.gone = True  # the connection's own loop notices and cleans up
            return False
        if self.waiting is not None:
            self.waiting.add_done_callback(self._sent)
        return True

    def _sent(self, done: asyncio.Future[None]) -> None:
        self.waiting = None
        if done.cancelled() or done.exception() is not None:
            self.gone = True
            self.backlog.clear()
            return
        while self.backlog and self.waiting is None and not self.gone:
            self.send(self.backlog.popleft())


def start_eagerly(coroutine: Coroutine[Any, Any, None]) -> asyncio.Future[None] | None:
    """Run ``coroutine`` now, up to its first suspension: None if it finished without one (its
    exception, if any, is raised here), else a task that finishes it. What Python 3.12's eager
    tasks do, for one coroutine: no task and no loop turn for a write that does not wait."""
    try:
        suspended_on = coroutine.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_finish(coroutine, suspended_on))


async def _finish(coroutine: Coroutine[Any, Any, None], suspended_on: Any) -> None:
    """Drive a started coroutine to its end: wait for the future it yielded (asyncio's protocol;
    None is a bare yield), then resume it with the outcome, until it returns."""
    while True:
        try:
            if suspended_on is None:
                await asyncio.sleep(0)
            else:
                await suspended_on
        except BaseException as error:  # cancellation too goes into the coroutine
            resume = functools.partial(coroutine.throw, error)
        else:
            resume = functools.partial(coroutine.send, None)
        try:
            suspended_on = resume()
        except StopIteration:
            return
