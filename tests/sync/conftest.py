"""Fixtures of the sync tests: an integration-role actor, and a helper that reads the state a
sync leaves behind (rows, events, ProPays) so a test can compare two runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from protiv.domain.roles import Actor, Role
from protiv.persistence.database import Database, create_database
from protiv.persistence.models import (
    Base,
    Company,
    Event,
    Integration,
    Job,
    Milestone,
    ProPay,
    SyncIssue,
    SyncRun,
    TimeEntry,
    Worker,
)
from protiv.services.context import ServiceContext

_ENGINES: dict[str, Database] = {}


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The shared fixture's database, emptied with DELETE and its engine kept for the run (the
    pool is disposed after each test), which is several times faster on PostgreSQL."""
    database = _ENGINES.get(database_url)
    if database is None:
        database = _ENGINES[database_url] = create_database(database_url, pool_size=5)
    try:
        async with database.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                await conn.execute(delete(table))
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def integration(company: Company) -> Actor:
    return Actor(company_id=company.id, role=Role.INTEGRATION, name="aspire")


async def state(ctx: ServiceContext) -> dict[str, Any]:
    """Everything a sync may change, as plain values (compare before and after)."""
    async with ctx.db.read() as session:
        out: dict[str, Any] = {}
        for model in (Worker, Job, Milestone, TimeEntry, ProPay, Integration):
            rows = await session.scalars(select(model).order_by(model.id))
            out[model.__tablename__] = [
                {c.key: getattr(r, c.key) for c in model.__table__.columns} for r in rows
            ]
        out["events"] = await session.scalar(select(func.count()).select_from(Event))
    return out


async def count(ctx: ServiceContext, model: Any, *where: Any) -> int:
    async with ctx.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def rows(ctx: ServiceContext, model: Any, *where: Any) -> list[Any]:
    async with ctx.db.read() as session:
        return list(await session.scalars(select(model).where(*where).order_by(model.id)))


async def issues(ctx: ServiceContext) -> list[tuple[str, str | None, str, str]]:
    return [(i.kind, i.external_id, i.disposition, i.code) for i in await rows(ctx, SyncIssue)]


async def runs(ctx: ServiceContext) -> list[SyncRun]:
    return await rows(ctx, SyncRun)


from tests.api.conftest import api, client, tokens_by_role  # noqa: E402, F401  (GraphQL fixtures)
