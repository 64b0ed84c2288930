"""Committed contracts match the code: the GraphQL SDL, and migrations match the models."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from protiv.persistence.database import create_database
from protiv.persistence.migrate import upgrade
from protiv.persistence.models import Base
from schema.export import SDL_PATH, sdl


def test_committed_sdl_matches_the_schema() -> None:
    """Regenerate with `python -m schema.export` when the schema changes on purpose."""
    assert SDL_PATH.read_text() == sdl()


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def _migrated_diff(url: str) -> list[object]:
    await asyncio.to_thread(upgrade, url)
    db = create_database(url)
    try:
        async with db.engine.connect() as conn:
            return await conn.run_sync(_diff)
    finally:
        await db.dispose()


async def test_migrations_build_exactly_the_models(empty_database_url: str) -> None:
    """`alembic upgrade head` on an empty database gives the tables the models describe."""
    assert await _migrated_diff(empty_database_url) == []
