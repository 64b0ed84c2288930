"""One relay per server process: brings every committed event, whichever process committed it,
to this process's hub, in feed order, each once (``feed.deliver`` does the ordering).

PostgreSQL: a dedicated asyncpg connection (not a pooled one) LISTENs on the feed's channel; the
sequencer NOTIFYs the highest position it has numbered, and the relay reads from the table what
its hub has not seen yet. NOTIFY has no replay, so on every (re)connect the relay LISTENs first
and then catches up from the table. A sweep every ``sweep_seconds`` also numbers events whose
committer died between its commit and its numbering, and catches up should a notification have
been lost, and checks that the listening connection is still alive.

SQLite has no LISTEN: the same sweep, more often, brings the events other processes committed
(``protiv serve --workers N``, ``protiv sync``); the events of this process's own commits reach
its subscribers at once, as they do without a relay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType
from typing import Any, Self

import asyncpg

from protiv.services import feed
from protiv.services.context import ServiceContext

log = logging.getLogger("protiv.relay")

PG_SWEEP_SECONDS = 5.0
SQLITE_SWEEP_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 10.0


class Relay:
    """``async with Relay(services):`` relays events until the block exits."""

    def __init__(self, ctx: ServiceContext, *, sweep_seconds: float | None = None) -> None:
        self.ctx = ctx
        default = SQLITE_SWEEP_SECONDS if ctx.db.is_sqlite else PG_SWEEP_SECONDS
        self.sweep_seconds = sweep_seconds or default
        self.connections = 0  # listening connections made so far (1 + reconnects)
        self.listener_pid: int | None = None  # the listening connection's server process
        self._wake = asyncio.Event()
        self._notified = 0
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    async def __aenter__(self) -> Self:
        # Subscribers of this process want what commits from now on; the past is the feed's.
        if self.ctx.hub.position is None:
            self.ctx.hub.position = await feed.head(self.ctx)
        self._task = asyncio.create_task(self._run(), name="protiv event relay")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def listening(self) -> None:
        """Wait until the relay listens (at once on SQLite), e.g. before a test commits."""
        await self._listening.wait()

    async def _run(self) -> None:
        backoff = 0.2
        while True:
            try:
                if self.ctx.db.is_sqlite:
                    await self._poll()
                else:
                    await self._listen()
                backoff = 0.2
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database went away: retry, then catch up
                log.warning("event relay: %s; reconnecting in %.1f s", error, backoff)
            self._listening.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    async def _poll(self) -> None:
        self._listening.set()
        while True:
            await self._catch_up()
            await asyncio.sleep(self.sweep_seconds)

    async def _listen(self) -> None:
        url = self.ctx.db.engine.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        self.connections += 1
        self.listener_pid = connection.get_server_pid()
        try:
            connection.add_termination_listener(lambda _conn: self._wake.set())
            await connection.add_listener(feed.CHANNEL, self._on_notify)
            self._listening.set()
            await self._sweep()
            while not connection.is_closed():
                await self._wait()
                if connection.is_closed():
                    break
                if self._notified:
                    upto, self._notified = self._notified, 0
                    await feed.deliver(self.ctx, upto=upto)
                else:  # nothing for a while: sweep, and make sure the connection lives
                    await connection.execute("SELECT 1", timeout=self.sweep_seconds)
                    await self._sweep()
            raise ConnectionError("the listening connection was closed")
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=1)

    async def _wait(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.sweep_seconds)
        self._wake.clear()

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload.isdigit():
            self._notified = max(self._notified, int(payload))
        self._wake.set()

    async def _sweep(self) -> None:
        """Number what a dead committer left unnumbered, then deliver everything up to the head."""
        if await feed.has_unnumbered(self.ctx):
            await feed.sequence(self.ctx)
        await self._catch_up()

    async def _catch_up(self) -> None:
        await feed.deliver(self.ctx, upto=await feed.head(self.ctx))
