"""Events committed through one process reach the subscribers of every other (PostgreSQL
LISTEN/NOTIFY, a poll on SQLite), also across a lost listening connection and a committer that
died before numbering its events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from protiv.domain.events import EventRecord
from protiv.persistence.database import create_database
from protiv.services import feed, pro_pays
from protiv.services.context import ServiceContext
from protiv.services.relay import Relay
from tests.feed.conftest import seed


@pytest.fixture
async def other_process(database_url: str, clock) -> AsyncIterator[ServiceContext]:
    """A second service context on the same database, as another server process has: its own
    engine, its own hub."""
    db = create_database(database_url, pool_size=2)
    yield ServiceContext(db=db, clock=clock)
    await db.dispose()


async def _receive(follower: AsyncIterator[EventRecord], count: int) -> list[EventRecord]:
    return [await asyncio.wait_for(anext(follower), 10) for _ in range(count)]


async def test_an_event_committed_in_one_process_reaches_subscribers_of_another(
    ctx, other_process, admin
):
    ids = await seed(ctx, admin, jobs=2)
    async with Relay(other_process, sweep_seconds=0.2) as relay:
        await relay.listening()
        follower = feed.follow(other_process, feed.Selector(admin.company_id))
        receiving = asyncio.create_task(_receive(follower, 2))
        await asyncio.sleep(0.05)
        for pro_pay_id in ids:
            await pro_pays.cancel(ctx, admin, pro_pay_id)  # committed through the first process
        received = await receiving
        await follower.aclose()
    assert [(r.entity_id, r.trigger) for r in received] == [(i, "cancel") for i in ids]
    assert [r.position for r in received] == sorted(r.position or 0 for r in received)


async def test_the_relay_reconnects_and_catches_up_what_it_missed(
    ctx, other_process, admin, on_postgres
):
    ids = await seed(ctx, admin, jobs=2)
    async with Relay(other_process, sweep_seconds=0.2) as relay:
        await relay.listening()
        follower = feed.follow(other_process, feed.Selector(admin.company_id))
        receiving = asyncio.create_task(_receive(follower, 2))
        await pro_pays.cancel(ctx, admin, ids[0])
        async with ctx.db.write() as session:  # the listening connection drops
            await session.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": relay.listener_pid}
            )
            await session.commit()
        await pro_pays.cancel(ctx, admin, ids[1])  # NOTIFY is lost while nobody listens
        received = await receiving
        await follower.aclose()
        assert relay.connections >= 2
    assert [(r.entity_id, r.trigger) for r in received] == [(i, "cancel") for i in ids]


async def test_the_sweep_numbers_what_a_dead_committer_left_and_delivers_it(
    ctx, other_process, admin, on_postgres, monkeypatch: pytest.MonkeyPatch
):
    [pro_pay_id] = await seed(ctx, admin, jobs=1)
    async with Relay(other_process, sweep_seconds=0.2) as relay:
        await relay.listening()
        follower = feed.follow(other_process, feed.Selector(admin.company_id))
        receiving = asyncio.create_task(_receive(follower, 1))

        async def died(*_args: object) -> None:  # committed, then the process died
            return None

        monkeypatch.setattr(feed, "after_commit", died)
        await pro_pays.cancel(ctx, admin, pro_pay_id)
        assert await feed.has_unnumbered(ctx)
        [received] = await receiving
        await follower.aclose()
    assert (received.entity_id, received.trigger) == (pro_pay_id, "cancel")
    assert not await feed.has_unnumbered(ctx)
