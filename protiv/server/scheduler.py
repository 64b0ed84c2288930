"""Periodic jobs the server runs beside the API (release line items whose waiting period is
over, sync integrations that are due, ...), started and stopped by the app's lifespan.

Each job is one coroutine function of the service context, run at once and then every
``every`` seconds, in its own asyncio task: a slow job does not delay the others, and a run
that fails is logged and the next run goes on (the work is idempotent, so a missed run only
delays it). A job adds itself with one line in ``jobs()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from protiv.config import Settings
from protiv.services import idempotency, integrations, release
from protiv.services.context import ServiceContext

log = logging.getLogger("protiv.scheduler")


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    every: float  # seconds between the starts of two runs
    run: Callable[[ServiceContext], Awaitable[object]]


def jobs(settings: Settings) -> list[Job]:
    """Every periodic job of the server; ``scheduler_seconds`` <= 0 turns them all off."""
    if settings.scheduler_seconds <= 0:
        return []
    return [
        Job("release-due line items", settings.scheduler_seconds, release.release_due),
        Job("sync due integrations", settings.scheduler_seconds, integrations.sync_due),
        Job("forget old idempotency keys", 3600.0, idempotency.purge),  # kept 7 days
    ]


class Scheduler:
    """``async with Scheduler(services, jobs):`` runs the jobs until the block exits."""

    def __init__(self, services: ServiceContext, jobs: Sequence[Job]) -> None:
        self.services = services
        self.jobs = tuple(jobs)
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Self:
        self._tasks = [
            asyncio.create_task(self._loop(job), name=f"scheduler: {job.name}") for job in self.jobs
        ]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _loop(self, job: Job) -> None:
        while True:
            await self.run_once(job)
            await asyncio.sleep(job.every)

    async def run_once(self, job: Job) -> None:
        """One run; an exception is logged, never raised (the next run tries again)."""
        try:
            result = await job.run(self.services)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduled job %r failed; it runs again in %ss", job.name, job.every)
        else:
            if result:
                log.info("scheduled job %r: %s", job.name, result)
