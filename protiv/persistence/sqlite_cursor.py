"""A cursor for SQLAlchemy's aiosqlite adapter that goes to aiosqlite's thread once per statement.

aiosqlite runs each call on its connection's own thread and hands the answer back to the event
loop; SQLAlchemy's adapter makes four such calls per statement: make the cursor, execute, fetch
the rows, close the cursor. Each is a wait for the event loop's next turn, which a server under
load keeps busy with other requests; and on SQLite the write transaction (there is one at a
time) is held across all of them. Here one call does all four on the thread (the sqlite3
cursor is made, run, read and closed there) and keeps what SQLAlchemy reads afterwards:
description, rowcount, lastrowid and the rows.

It leans on private parts of both libraries (``aiosqlite.Connection._execute`` and ``_conn``,
the adapter's ``_rows`` and ``_execute_mutex``); tests/services and tests/api exercise it on
every SQLite run.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)


@dataclass(slots=True)
class Done:
    """What SQLAlchemy reads from a cursor once it has run."""

    description: Any = None
    rowcount: int = -1
    lastrowid: int | None = None
    arraysize: int = 1


def _run(raw_connection: Any, operation: str, parameters: Any, many: bool) -> tuple[Done, Any]:
    """On aiosqlite's thread: make a cursor, execute, fetch, close."""
    cursor = raw_connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        else:
            cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else None
        return Done(cursor.description, cursor.rowcount, cursor.lastrowid), rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor with each statement in one trip to the thread."""

    __slots__ = ()

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = Done()  # type: ignore[assignment]
        self._soft_closed_memoized: Any = {}
        self._rows = collections.deque()

    async def _trip(self, operation: Any, parameters: Any, many: bool) -> Any:
        async with self._adapt_connection._execute_mutex:
            aio = self._connection
            done, rows = await aio._execute(_run, aio._conn, operation, parameters, many)
            self._cursor = done
            if rows is not None:
                self._rows = collections.deque(rows)
            return done

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._trip(operation, seq_of_parameters, many=True)

    async def _async_soft_close(self) -> None:
        return  # the sqlite3 cursor is closed already; the rows stay for the result

    def close(self) -> None:
        self._rows.clear()


def install() -> None:
    """Make SQLAlchemy's aiosqlite connections use ``OneTripCursor`` (idempotent)."""
    AsyncAdapt_aiosqlite_connection._cursor_cls = OneTripCursor
