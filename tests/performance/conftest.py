"""The app over httpx's ASGI transport on a real database (both backends), and a counter of the
SQL statements the engine sends."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event

from protiv.config import Settings
from protiv.domain.roles import Role
from protiv.persistence.database import Database
from protiv.persistence.models import Company
from protiv.server.app import create_app
from protiv.services import tokens
from protiv.services.context import ServiceContext
from tests.api.conftest import Api
from tests.services import scenarios

TOKEN_LOOKUP = re.compile(r"\s*SELECT api_token\.", re.IGNORECASE)


class StatementCounter:
    """Every statement the engine sends to the database driver, in order."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    def queries(self) -> list[str]:
        """The operation's own statements: without transaction control (SQLite's read sessions
        emit BEGIN themselves; asyncpg begins implicitly), so both backends count alike, and
        without the token's lookup, which is cached for a second (test_caches checks that)
        and so comes and goes with the machine's speed."""
        return [
            s
            for s in self.statements
            if s.strip().upper() not in {"BEGIN", "COMMIT"} and not TOKEN_LOOKUP.match(s)
        ]


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The engine is kept for the run (statements compile once), the tables emptied per test."""
    async for database in scenarios.empty_database(database_url):
        yield database


def engines(db: Database) -> list[Engine]:
    """Every engine the app sends statements through, once each: on SQLite the writes go
    through a one-connection engine of their own; on PostgreSQL the write engine is the same
    engine with options (same pool), whose listeners fire for both."""
    found: dict[int, Engine] = {}
    for engine in (db.engine, db.write_engine):
        if engine is not None:
            found.setdefault(id(engine.sync_engine.pool), engine.sync_engine)
    return list(found.values())


@pytest.fixture
def counter(ctx: ServiceContext) -> Iterator[StatementCounter]:
    counting = StatementCounter()
    watched = engines(ctx.db)
    for engine in watched:
        event.listen(engine, "before_cursor_execute", counting)
    yield counting
    for engine in watched:
        event.remove(engine, "before_cursor_execute", counting)


@pytest.fixture
async def api(ctx: ServiceContext, company: Company) -> AsyncIterator[Api]:
    """An admin's client of the real app."""
    token = await tokens.create_token(ctx, company.slug, Role.ADMIN, name="admin")
    app = create_app(Settings(), services=ctx)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield Api(http, token)
