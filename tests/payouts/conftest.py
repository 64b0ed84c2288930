"""Fixtures of the payout tests: the GraphQL harness of tests/api (the app over httpx's ASGI
transport, a token per role), and a database emptied the cheap way."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete

from protiv.persistence.database import Database, create_database
from protiv.persistence.models import Base
from tests.api.conftest import api, client, tokens_by_role

__all__ = ["api", "client", "db", "tokens_by_role"]

_ENGINES: dict[str, Database] = {}


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The shared fixture's database, made cheaper for many short tests: one engine per
    backend for the whole run (statements compiled once; its pool is disposed after each test,
    so no connection outlives the test's event loop), tables emptied with DELETE rather than a
    TRUNCATE of every table. Ids are not restarted; no test here relies on them."""
    database = _ENGINES.get(database_url)
    if database is None:
        database = _ENGINES[database_url] = create_database(database_url, pool_size=5)
    async with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(delete(table))
    try:
        yield database
    finally:
        await database.dispose()
