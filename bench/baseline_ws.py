"""The limit beside event delivery: a minimal Starlette app broadcasting one message to every
WebSocket subscriber, served by uvicorn with the options of ``protiv serve``.

    python bench/baseline_ws.py --port 8001

It speaks just enough graphql-transport-ws for the events benchmark's clients (``connection_init``
is acknowledged, ``subscribe`` registers the socket with its subscription id) and nothing else: no
authentication, no GraphQL, no database. ``POST /fire`` with ``{"to": "CANCELED"}`` stamps the
moment the server has the event, encodes the same ``next`` message protiv sends
(``statusChanged { occurredAt to }``, same shape and size) once, and writes it to every socket
in turn: what this stack can do at best for one event to N subscribers.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from protiv.cli.serve import UVICORN_OPTIONS

PROTOCOL = "graphql-transport-ws"
subscribers: dict[WebSocket, str] = {}  # each socket with its subscription's id


async def _health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "subscribers": len(subscribers)})


async def _socket(ws: WebSocket) -> None:
    await ws.accept(subprotocol=PROTOCOL)
    try:
        while True:
            message = json.loads(await ws.receive_text())
            if message.get("type") == "connection_init":
                await ws.send_text('{"type":"connection_ack"}')
            elif message.get("type") == "subscribe":
                subscribers[ws] = message["id"]
    except WebSocketDisconnect:
        pass
    finally:
        subscribers.pop(ws, None)


async def _fire(request: Request) -> JSONResponse:
    """One event to every subscriber: encoded once, written to each socket in turn."""
    occurred_at = datetime.now(UTC).isoformat()
    to = (await request.json())["to"]
    event = {"occurredAt": occurred_at, "to": to}
    payload = json.dumps({"data": {"statusChanged": event}}, separators=(",", ":"))
    sent = 0
    for ws, id in list(subscribers.items()):
        try:
            await ws.send_text(f'{{"id":{json.dumps(id)},"type":"next","payload":{payload}}}')
            sent += 1
        except (WebSocketDisconnect, RuntimeError):
            subscribers.pop(ws, None)
    return JSONResponse({"sent": sent})


app = Starlette(
    routes=[
        Route("/healthz", _health),
        Route("/fire", _fire, methods=["POST"]),
        WebSocketRoute("/graphql", _socket),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", **UVICORN_OPTIONS)


if __name__ == "__main__":
    main()
