"""A real uvicorn server in the test's event loop, on a free loopback port."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from protiv.config import Settings
from protiv.server.app import create_app
from protiv.services.context import ServiceContext


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serving(ctx: ServiceContext, settings: Settings | None = None) -> AsyncIterator[str]:
    """Serve the app; yields its base URL (http://127.0.0.1:PORT)."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings or Settings(), services=ctx),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        ws="websockets-sansio",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
