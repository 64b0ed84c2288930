"""A token that changes whenever anything is committed to the database, by any connection of
any process: what a cached answer is checked against before it is served again.

PostgreSQL: the current snapshot (``pg_current_snapshot()``). Two equal snapshots see exactly
the same committed transactions, so an unchanged snapshot means nothing was committed in
between; any write transaction anywhere in the cluster changes it (a needless miss at worst).
It is asked on a connection of its own in autocommit (one round trip, no BEGIN, no pool
checkout and ping), and requests that ask while a question is on the wire share the *next*
answer: every one of them arrived before that question was sent, so it is fresh for each.

SQLite: ``PRAGMA data_version`` on a connection of its own that never writes: its value
changes when any other connection, in this process or another, commits. It is asked on the
event loop's thread, synchronously, on purpose: in WAL mode the pragma reads the shared-memory
WAL index and takes no lock a writer holds, so it costs microseconds and cannot wait, where a
trip to a driver thread costs a hundred. Autocommit: it holds no read transaction open.

The token must be read *before* the data it vouches for: data read afterwards is at least as
new as the token, and any later commit changes the token.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

SNAPSHOT = "SELECT pg_current_snapshot()::text"


class DataVersion:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sqlite: sqlite3.Connection | None = None
        self._pg: AsyncConnection | None = None
        self._lock: asyncio.Lock | None = None  # one question at a time on the connection
        self._next: asyncio.Future[str] | None = None  # the answer the next question gives
        self._asking: set[asyncio.Task[None]] = set()
        self.cost = 0.0  # seconds a request waits for the version, moving average

    async def current(self) -> str:
        started = time.perf_counter()
        try:
            return await self._current()
        finally:  # what asking costs a request, on average: who asks can tell if it pays
            self.cost += (time.perf_counter() - started - self.cost) * 0.1

    async def _current(self) -> str:
        if self.engine.dialect.name == "sqlite":
            return self._sqlite_version()
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            task = asyncio.create_task(self._ask())
            self._asking.add(task)
            task.add_done_callback(self._asking.discard)
        return await asyncio.shield(self._next)

    def _sqlite_version(self) -> str:
        if self._sqlite is None:
            path = make_url(self.engine.url).database or ""
            self._sqlite = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        return str(self._sqlite.execute("PRAGMA data_version").fetchone()[0])

    async def _ask(self) -> None:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            future, self._next = self._next, None  # later arrivals wait for the next question
            assert future is not None
            try:
                future.set_result(await self._snapshot())
            except Exception as problem:
                await self._drop_connection()
                future.set_exception(problem)
                future.exception()  # retrieved: no warning if every asker has gone

    async def _snapshot(self) -> str:
        if self._pg is None:
            conn = await self.engine.connect()
            self._pg = await conn.execution_options(isolation_level="AUTOCOMMIT")
        raw: Any = await self._pg.get_raw_connection()
        return str(await raw.driver_connection.fetchval(SNAPSHOT))

    async def _drop_connection(self) -> None:
        conn, self._pg = self._pg, None
        if conn is not None:
            await conn.invalidate()

    async def close(self) -> None:
        if self._asking:
            await asyncio.gather(*self._asking, return_exceptions=True)
        if self._pg is not None:
            await self._pg.close()
            self._pg = None
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
