"""The server's lifespan tunes the garbage collector (protiv/server/gc_tuning.py): start-up
frozen, no automatic full collection, a full one when quiet; all undone on exit."""

from __future__ import annotations

import asyncio
import gc

from protiv.config import Settings
from protiv.server.app import create_app
from protiv.server.gc_tuning import NO_AUTOMATIC_FULL, GcTuning
from protiv.services.hub import EventHub


async def test_the_lifespan_installs_the_tuning_and_undoes_it(ctx):
    before = gc.get_threshold()
    app = create_app(Settings(scheduler_seconds=0), services=ctx)
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (before[0], before[1], NO_AUTOMATIC_FULL)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


async def test_a_full_collection_runs_when_quiet_not_while_events_flow():
    hub = EventHub()
    tuning = GcTuning(hub, every_seconds=0.02, quiet_seconds=0.2, at_most_seconds=60)
    async with tuning:
        for _ in range(10):  # an event every 20 ms: never quiet for 200 ms
            hub.publish([object()])  # type: ignore[list-item]
            await asyncio.sleep(0.02)
        assert tuning.full_collections == 0
        for _ in range(100):
            if tuning.full_collections:
                break
            await asyncio.sleep(0.02)
        assert tuning.full_collections >= 1


def test_an_overdue_full_collection_runs_even_when_busy():
    tuning = GcTuning(EventHub(), every_seconds=60, quiet_seconds=1, at_most_seconds=300)
    tuning._published()
    now = tuning._last_event  # an event this very moment
    assert not tuning.due(now, last_full=now - 299)
    assert tuning.due(now, last_full=now - 300)
    assert tuning.due(now + 1, last_full=now - 60)  # quiet and not too soon
