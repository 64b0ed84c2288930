"""The server's scheduler syncs file-drop integrations when they are due (every
``schedule_minutes``, 20 by default), and only when files are waiting."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from protiv.config import Settings
from protiv.domain.roles import Actor
from protiv.domain.statuses import IntegrationTrigger
from protiv.persistence.models import Job, SyncRun
from protiv.server.app import create_app
from protiv.server.scheduler import jobs
from protiv.services import integrations
from protiv.services.context import ServiceContext
from tests.conftest import Clock
from tests.sync import records as r
from tests.sync.conftest import count, rows


def test_the_server_runs_due_syncs_with_its_other_periodic_jobs() -> None:
    names = [job.name for job in jobs(Settings(scheduler_seconds=30))]
    assert "sync due integrations" in names
    assert jobs(Settings(scheduler_seconds=0)) == []  # off (tests start it explicitly)


async def test_a_drop_folder_is_synced_when_due_and_files_are_waiting(
    ctx: ServiceContext, admin: Actor, clock: Clock, tmp_path: Path
) -> None:
    row = await integrations.create(
        ctx, admin, "file", integrations.Settings(drop_folder=str(tmp_path))
    )
    assert await integrations.sync_due(ctx) is None  # nothing waiting: no run recorded
    (tmp_path / "a.json").write_text(json.dumps(r.crew()))
    ran = await integrations.sync_due(ctx)
    assert ran == f"File (run {(await _runs(ctx))[-1]}: succeeded)"
    (tmp_path / "b.json").write_text(json.dumps(r.base(jobs=[r.job("J-2", "Elm")])))
    clock.advance(minutes=19)
    assert await integrations.sync_due(ctx) is None  # not due yet
    clock.advance(minutes=1)
    assert await integrations.sync_due(ctx) is not None
    assert await count(ctx, Job) == 2
    await integrations.transition(ctx, admin, row.id, IntegrationTrigger.DISCONNECT)
    (tmp_path / "c.json").write_text(json.dumps(r.crew()))
    clock.advance(hours=1)
    assert await integrations.sync_due(ctx) is None  # a disconnected integration is not pulled
    assert len(await _runs(ctx)) == 2


async def _runs(ctx: ServiceContext) -> list[int]:
    return [run.id for run in await rows(ctx, SyncRun)]


async def test_the_server_lifespan_pulls_a_due_drop_folder(
    ctx: ServiceContext, admin: Actor, tmp_path: Path
) -> None:
    if not ctx.db.is_sqlite:
        pytest.skip("the wiring is the same on both backends; sync_due is tested on both")
    await integrations.create(ctx, admin, "file", integrations.Settings(drop_folder=str(tmp_path)))
    (tmp_path / "a.json").write_text(json.dumps(r.crew()))
    app = create_app(Settings(scheduler_seconds=3600), services=ctx)
    async with app.router.lifespan_context(app):
        for _ in range(200):  # the first run starts at once
            if await count(ctx, Job) and not (tmp_path / "a.json").exists():
                break
            await asyncio.sleep(0.02)
    assert await count(ctx, Job) == 1
    assert [p.name.split("-", 2)[-1] for p in (tmp_path / "done").iterdir()] == ["a.json"]
