"""The server's scheduler: periodic jobs run at once and then every ``every`` seconds, each in
its own task; a failing run is logged and the next goes on; the app's lifespan runs the
release job, which lets due items go."""

from __future__ import annotations

import asyncio
import logging

import pytest

from protiv.config import Settings
from protiv.domain.statuses import LineItemStatus
from protiv.server.app import create_app
from protiv.server.scheduler import Job, Scheduler, jobs
from tests.payouts.helpers import approved, items


async def test_jobs_run_at_once_then_every_interval(ctx):
    runs: list[str] = []

    async def tick(_ctx) -> None:
        runs.append("tick")

    async with Scheduler(ctx, [Job("tick", 0.01, tick)]):
        await until(lambda: len(runs) >= 3)
    count = len(runs)
    await asyncio.sleep(0.05)
    assert len(runs) == count  # stopped with the block


async def until(condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


async def test_a_failing_run_is_logged_and_the_next_one_goes_on(ctx, caplog):
    calls = 0

    async def flaky(_ctx) -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database went away")
        return "recovered"

    with caplog.at_level(logging.INFO, logger="protiv.scheduler"):
        async with Scheduler(ctx, [Job("flaky", 0.01, flaky)]):
            await until(lambda: calls >= 2)
    assert calls >= 2
    messages = [r.getMessage() for r in caplog.records]
    assert "scheduled job 'flaky' failed; it runs again in 0.01s" in messages
    assert "scheduled job 'flaky': recovered" in messages


def test_the_server_schedules_the_release_job():
    (job,) = [j for j in jobs(Settings()) if j.name.startswith("release")]
    assert job.every == Settings().scheduler_seconds == 60.0
    assert [j for j in jobs(Settings(scheduler_seconds=0)) if j.name.startswith("release")] == []


async def test_the_lifespan_releases_what_is_due(ctx, clock, admin):
    if not ctx.db.is_sqlite:
        pytest.skip("the wiring is the same on both backends; release_due is tested on both")
    await approved(ctx, admin)
    clock.advance(days=7)
    app = create_app(Settings(scheduler_seconds=3600), services=ctx)
    async with app.router.lifespan_context(app):
        for _ in range(100):  # the first run starts at once
            if {i.status for i in await items(ctx)} == {LineItemStatus.PAYABLE}:
                break
            await asyncio.sleep(0.02)
    assert {i.status for i in await items(ctx)} == {LineItemStatus.PAYABLE}
