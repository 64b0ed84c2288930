"""Engines and session factories for SQLite (embedded default) and PostgreSQL.

SQLite: WAL so readers never wait for the writer, a busy timeout, foreign keys on, and
``BEGIN IMMEDIATE`` for write transactions so two writers serialise at BEGIN instead of
failing at COMMIT (there is no ``FOR UPDATE``). PostgreSQL: rows are locked ``FOR UPDATE``
by the unit of work; both check the row version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from protiv.config import normalize_database_url

WRITE_OPTION = "protiv_write"


@dataclass(frozen=True, slots=True)
class Database:
    """The engine plus two session factories: one for reads, one that takes the write lock."""

    engine: AsyncEngine
    read: async_sessionmaker[AsyncSession]
    write: async_sessionmaker[AsyncSession]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def dispose(self) -> None:
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


def create_database(url: str, *, echo: bool = False, pool_size: int = 10) -> Database:
    url = normalize_database_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        if ":memory:" in url or "mode=memory" in url:
            raise ValueError("use a file for SQLite: an in-memory database is one connection")
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _install_sqlite_hooks(engine)
    write_engine = engine.execution_options(**{WRITE_OPTION: True})
    return Database(
        engine=engine,
        read=async_sessionmaker(engine, expire_on_commit=False, autoflush=False),
        write=async_sessionmaker(write_engine, expire_on_commit=False, autoflush=False),
    )


def create_migration_engine(url: str) -> AsyncEngine:
    """An engine for Alembic: no pool, so nothing lingers after the upgrade."""
    return create_async_engine(normalize_database_url(url), poolclass=NullPool)
