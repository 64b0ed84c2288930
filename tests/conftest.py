"""Shared fixtures: a real database on each backend, a service context with a clock the test
controls, and a company with actors of every role.

Every database test runs on SQLite (a file of its own) and on PostgreSQL when
``PROTIV_TEST_DATABASE_URL`` points at a server; the run makes its own database there and
drops it at the end, so runs never collide.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import text
from sqlalchemy.engine import make_url

from protiv.config import normalize_database_url
from protiv.domain.roles import Actor, Role
from protiv.persistence.database import Database, create_database
from protiv.persistence.models import Base, Company
from protiv.services.context import ServiceContext

settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

PG_ENV = "PROTIV_TEST_DATABASE_URL"
NO_PG = f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)"


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    admin = make_url(normalize_database_url(url))
    conn = await asyncpg.connect(
        host=admin.host,
        port=admin.port or 5432,
        user=admin.username,
        password=admin.password,
        database=admin.database or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _create_schema(url: str) -> None:
    db = create_database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    await db.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, dropped afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(NO_PG)
    name = f"protiv_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_database_url(base)).set(database=name).render_as_string(False)
    asyncio.run(_create_schema(url))
    yield url
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "protiv.db"
    url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(_create_schema(url))
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    name = "postgres_url" if request.param == "postgres" else "sqlite_url"
    return str(request.getfixturevalue(name))


async def _empty(db: Database) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    async with db.engine.begin() as conn:
        if db.is_sqlite:
            await conn.execute(text("PRAGMA foreign_keys=OFF"))
            for table in tables:
                await conn.execute(text(f'DELETE FROM "{table}"'))
        else:
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = create_database(database_url, pool_size=5)
    await _empty(database)
    yield database
    await database.dispose()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(db: Database, clock: Clock) -> ServiceContext:
    return ServiceContext(db=db, clock=clock)


@pytest.fixture
async def company(ctx: ServiceContext) -> Company:
    async with ctx.db.write() as session, session.begin():
        row = Company(slug="acme", name="Acme Landscaping", timezone="America/Chicago")
        session.add(row)
    return row


@pytest.fixture
def admin(company: Company) -> Actor:
    return Actor(company_id=company.id, role=Role.ADMIN, name="ada")


@pytest.fixture
def manager(company: Company) -> Actor:
    return Actor(company_id=company.id, role=Role.MANAGER, name="max")


@pytest.fixture
def payroll(company: Company) -> Actor:
    return Actor(company_id=company.id, role=Role.PAYROLL, name="pat")


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database on the same backend, for tests that build the schema themselves."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    base = os.environ[PG_ENV]
    name = f"protiv_empty_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    yield make_url(normalize_database_url(base)).set(database=name).render_as_string(False)
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
