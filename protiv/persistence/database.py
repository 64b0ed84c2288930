"""Engines and session factories for SQLite (embedded default) and PostgreSQL.

SQLite: WAL so readers never wait for the writer, a busy timeout, foreign keys on, and
``BEGIN IMMEDIATE`` for write transactions so two writers serialise at BEGIN instead of
failing at COMMIT (there is no ``FOR UPDATE``). Write sessions of one process share one
connection (a pool of one): SQLite has one writer at a time anyway, and a writer queued on the
pool waits its turn in order, woken the moment the connection is back; queued on the database
lock instead, each waiting writer sleeps in SQLite's busy handler (1, 2, 5 ... 100 ms steps)
and under load most of a request's time went there (15 approvals/s, p50 0.9 s, at 32
connections). The busy timeout still orders writers of other processes. PostgreSQL: rows are
locked ``FOR UPDATE`` by the unit of work; both check the row version.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, event, func, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.pool import NullPool

from protiv.config import normalize_database_url
from protiv.persistence import sqlite_cursor
from protiv.persistence.data_version import DataVersion

WRITE_OPTION = "protiv_write"


@dataclass(frozen=True, slots=True)
class Database:
    """The engine plus two session factories: one for reads, one that takes the write lock."""

    engine: AsyncEngine
    read: async_sessionmaker[AsyncSession]
    write: async_sessionmaker[AsyncSession]
    write_engine: AsyncEngine | None = None  # SQLite: the one writing connection's own pool
    version: DataVersion = field(init=False)  # changes on any commit: validates cached answers

    def __post_init__(self) -> None:
        object.__setattr__(self, "version", DataVersion(self.engine))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def dispose(self) -> None:
        await self.version.close()
        if self.write_engine is not None:
            await self.write_engine.dispose()
        await self.engine.dispose()


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy, not pysqlite, emits BEGIN
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        writing = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


class SQLiteWriteSession(Session):
    """A write session on SQLite: holds the database's one write lock (BEGIN IMMEDIATE) from
    its first statement to its end, so it may number its own new rows (``_give_ids``)."""


def _numbered_by_us(mapper: Mapper[Any]) -> bool:
    """A plain table with one integer primary key that the database would number."""
    keys = mapper.primary_key
    return (
        mapper.inherits is None
        and len(keys) == 1
        and isinstance(keys[0].type, Integer)
        and keys[0].autoincrement in (True, "auto")
    )


@event.listens_for(SQLiteWriteSession, "before_flush")
def _give_ids(session: Session, _context: Any, _instances: Any) -> None:
    """Rows of one table added together get their ids here, max(id) + 1 onwards, exactly what
    SQLite would give them (no other writer can insert meanwhile): with their keys known the
    flush inserts them in one executemany. Without, SQLite cannot say which returned id is
    whose row, and SQLAlchemy inserts them one statement at a time (an approval's five line
    items and eleven events were sixteen round trips through aiosqlite's thread)."""
    pending: dict[Mapper[Any], list[Any]] = defaultdict(list)
    for obj in session.new:
        state = inspect(obj)
        if _numbered_by_us(state.mapper) and state.mapper.primary_key_from_instance(obj)[0] is None:
            pending[state.mapper].append(state)
    for mapper, states in pending.items():
        if len(states) < 2:  # one row: one INSERT ... RETURNING is as cheap as it gets
            continue
        column = mapper.primary_key[0]
        key = mapper.get_property_by_column(column).key
        top = session.execute(select(func.max(column))).scalar() or 0
        for number, state in enumerate(sorted(states, key=lambda s: s.insert_order), top + 1):
            setattr(state.obj(), key, number)


def create_database(url: str, *, echo: bool = False, pool_size: int = 10) -> Database:
    url = normalize_database_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        sqlite_cursor.install()  # one trip to aiosqlite's thread per statement
        if ":memory:" in url or "mode=memory" in url:
            raise ValueError("use a file for SQLite: an in-memory database is one connection")
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    engine = create_async_engine(url, **kwargs)
    own: AsyncEngine | None = None
    if engine.dialect.name == "sqlite":
        _install_sqlite_hooks(engine)
        own = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=60, **kwargs)
        _install_sqlite_hooks(own)
    write_engine = (own or engine).execution_options(**{WRITE_OPTION: True})
    return Database(
        engine=engine,
        read=async_sessionmaker(engine, expire_on_commit=False, autoflush=False),
        write=async_sessionmaker(
            write_engine,
            expire_on_commit=False,
            autoflush=False,
            sync_session_class=SQLiteWriteSession if own is not None else Session,
        ),
        write_engine=own,
    )


def create_migration_engine(url: str) -> AsyncEngine:
    """An engine for Alembic: no pool, so nothing lingers after the upgrade."""
    return create_async_engine(normalize_database_url(url), poolclass=NullPool)
