"""A token that changes whenever anything is committed to the database, by any connection of
any process: what a cached answer is checked against before it is served again.

PostgreSQL: the current snapshot (``pg_current_snapshot()``). Two equal snapshots see exactly
the same committed transactions, so an unchanged snapshot means nothing was committed in
between; any write transaction anywhere in the cluster changes it (a needless miss at worst).

SQLite: ``PRAGMA data_version`` on a connection of its own that never writes: its value
changes when any other connection, in this process or another, commits. It is asked on the
event loop's thread, synchronously, on purpose: in WAL mode the pragma reads the shared-memory
WAL index and takes no lock a writer holds, so it costs microseconds and cannot wait, where a
trip to a driver thread costs a hundred. The connection is in autocommit mode, so it holds no
read transaction open (WAL checkpoints are not blocked).

The token must be read *before* the data it vouches for: data read afterwards is at least as
new as the token, and any later commit changes the token.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine


class DataVersion:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sqlite: sqlite3.Connection | None = None

    async def current(self) -> str:
        if self.engine.dialect.name != "sqlite":
            async with self.engine.connect() as conn:
                return str(await conn.scalar(text("SELECT pg_current_snapshot()::text")))
        if self._sqlite is None:
            path = make_url(self.engine.url).database or ""
            self._sqlite = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        return str(self._sqlite.execute("PRAGMA data_version").fetchone()[0])
