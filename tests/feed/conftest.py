"""Seeding and reading back the event log for the feed tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind
from protiv.persistence.models import Event, ProPay
from protiv.services import sync
from protiv.services.context import ServiceContext
from tests.api.conftest import api, client, tokens_by_role  # noqa: F401  (the webhook API tests)
from tests.services.batches import crew_batch


def jobs_batch(jobs: int) -> dict[str, Any]:
    """``jobs`` jobs like crew_batch's one (40 h budget, two crew), each making an ACTIVE ProPay."""
    batch = crew_batch()
    [job] = batch["jobs"]
    entries = batch["timeEntries"]
    batch["jobs"] = [job | {"externalId": f"J-{n}", "name": f"Job {n}"} for n in range(1, jobs + 1)]
    batch["timeEntries"] = [
        entry | {"externalId": f"T-{n}-{k}", "job": f"J-{n}"}
        for n in range(1, jobs + 1)
        for k, entry in enumerate(entries)
    ]
    return batch


async def seed(ctx: ServiceContext, admin: Actor, jobs: int) -> list[int]:
    """Sync ``jobs`` jobs; the ids of their ProPays."""
    await sync.sync_batch(ctx, admin, jobs_batch(jobs))
    async with ctx.db.read() as session:
        return list(await session.scalars(select(ProPay.id).order_by(ProPay.id)))


@dataclass(frozen=True)
class Logged:
    id: int
    position: int | None
    entity: EntityKind
    entity_id: int
    version: int


async def logged(ctx: ServiceContext) -> list[Logged]:
    """Every event row, by id."""
    async with ctx.db.read() as session:
        rows = await session.execute(
            select(Event.id, Event.position, Event.entity, Event.entity_id, Event.version).order_by(
                Event.id
            )
        )
        return [Logged(*row) for row in rows]


@pytest.fixture
def on_postgres(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite has one writer at a time")


@pytest.fixture
def on_sqlite(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
