"""The garbage collector tuned for a long-lived server holding many WebSocket connections.

CPython's automatic full collection walks every tracked object of the process. With 1,000
subscribers connected that is the objects of 1,000 connections plus everything the start-up
built (modules, the schema, SQLAlchemy's metadata): 100-170 ms on this machine, and whichever
event was being fanned out waited for it (the p99 of bench/events_bench.py). So, while the app
runs (``async with GcTuning(hub):`` in the lifespan):

- What start-up built is frozen (``gc.freeze()`` after one collection): no collection walks it
  again. Safe because it lives as long as the process anyway (imported modules, the schema, the
  app); frozen objects are still freed by reference counting, only cycles among them would never
  be collected, and start-up does not make cycles that later become garbage. Connections are
  *not* frozen as they come: a closed connection's objects are cyclic garbage (handler and
  operation refer to each other, tasks to their frames), which frozen would leak.
- Young collections keep CPython's thresholds (700, 10): a larger ``gen0`` threshold (10,000
  was tried) keeps a burst of new connections' objects in the young generations longer, and
  the first young collections after the burst walked them all (a 184 ms gen1 collection in the
  middle of an event's fan-out); small ones promote them to the old generation quickly.
- Automatic full collections are off (a huge ``gen2`` threshold); a full collection runs instead
  when the server is quiet (no event published for ``quiet_seconds``) and at least
  ``every_seconds`` since the last one, or regardless after ``at_most_seconds``: so cyclic
  garbage is bounded by minutes of traffic, and the pause lands between events.

On exit the collector's settings are restored and the start-up objects unfrozen (tests run many
apps in one process).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from types import TracebackType
from typing import Self

from protiv.services.hub import EventHub

log = logging.getLogger("protiv.gc")

NO_AUTOMATIC_FULL = 1_000_000  # gen1 collections before CPython considers a full one


class GcTuning:
    """Freeze start-up; full collections only when quiet (or overdue), not automatically."""

    def __init__(
        self,
        hub: EventHub,
        *,
        every_seconds: float = 60.0,
        quiet_seconds: float = 1.0,
        at_most_seconds: float = 300.0,
    ) -> None:
        self.hub = hub
        self.every_seconds = every_seconds
        self.quiet_seconds = quiet_seconds
        self.at_most_seconds = at_most_seconds
        self.full_collections = 0  # run by this tuning so far
        self._last_event = time.monotonic()
        self._saved: tuple[int, int, int] | None = None
        self._task: asyncio.Task[None] | None = None
        self._watch = contextlib.ExitStack()

    async def __aenter__(self) -> Self:
        self._saved = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(self._saved[0], self._saved[1], NO_AUTOMATIC_FULL)
        self._watch.enter_context(self.hub.watching(self._published))
        self._task = asyncio.create_task(self._run(), name="protiv gc")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._watch.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._saved is not None:
            gc.set_threshold(*self._saved)
        gc.unfreeze()

    def _published(self) -> None:
        self._last_event = time.monotonic()

    def due(self, now: float, last_full: float) -> bool:
        """A full collection now? When quiet and not too soon, or when long overdue."""
        since = now - last_full
        quiet = now - self._last_event >= self.quiet_seconds
        return since >= self.at_most_seconds or (quiet and since >= self.every_seconds)

    async def _run(self) -> None:
        last_full = time.monotonic()
        step = min(self.quiet_seconds, self.every_seconds) / 2
        while True:
            await asyncio.sleep(step)
            now = time.monotonic()
            if self.due(now, last_full):
                started = time.perf_counter()
                found = gc.collect()
                self.full_collections += 1
                last_full = time.monotonic()
                log.debug(
                    "full collection: %d unreachable, %.1f ms",
                    found,
                    (time.perf_counter() - started) * 1000,
                )
