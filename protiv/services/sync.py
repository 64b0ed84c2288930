"""Sync: records from the company's job management system, upserted as read-only mirrors.

    sync_batch(ctx, actor, batch, provider=)     a pushed batch (syncBatch, protiv sync FILE)
    run(ctx, actor, integration_id, records, ...) any stream of (kind, record), e.g. a file drop

A run is recorded as a ``SyncRun`` (RUNNING, then SUCCEEDED or FAILED with the error) and works
through the records in chunks, each chunk its own transaction: reference records (branches,
routes, workers, jobs, milestones) through the ORM with their events and ProPays
(sync_apply.py), time entries in bulk statements (sync_time.py). Memory is bounded by a chunk,
so a stream of a million time entries syncs like a small one.

Records are matched by (company, external id), so the same batch twice changes nothing and
fires nothing. A record that fails validation is rejected with its reason and the rest lands;
records that do not sync (draft or archived, inactive or wage-less workers, milestones with no
hours and no budget, excluded jobs) are kept in the report with theirs.

A batch that cannot be read or mapped as a whole fails the run: the integration goes FAILED
with the error kept (sync_failed), and the next good run connects it again (sync_succeeded).
A crash mid-run leaves every committed chunk in place and the run RUNNING; running the same
records again finishes the rest (idempotent).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from sqlalchemy import select

from protiv.domain.errors import Conflict, DomainError, ValidationFailed
from protiv.domain.exclusions import Rule
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind, IntegrationStatus, IntegrationTrigger
from protiv.persistence.models import ExclusionRule, Integration, SyncRun
from protiv.services.adapters import BatchError, records_of
from protiv.services.context import ServiceContext
from protiv.services.sync_apply import apply_chunk
from protiv.services.sync_records import KINDS
from protiv.services.sync_report import FAILED, SUCCEEDED, SyncReport
from protiv.services.sync_state import RunState
from protiv.services.sync_time import apply_time_chunk
from protiv.services.uow import UnitOfWork
from statemachines.base import Via
from statemachines.integration import MACHINE as INTEGRATION

__all__ = ["SyncReport", "run", "sync_batch"]

CHUNK = {"timeEntries": 5000}
RETRIES = 2
REFERENCE_CHUNK = 500
Progress = Callable[[str, int], None]  # (kind, records of that kind done so far)
Records = Iterable[tuple[str, Mapping[str, Any]]]


async def sync_batch(
    ctx: ServiceContext,
    actor: Actor,
    batch: Mapping[str, Any],
    *,
    provider: str = "api",
    progress: Progress | None = None,
) -> SyncReport:
    """Sync a pushed batch (internal shape, or the provider's own: aspire, jobber)."""
    require(actor, "sync")
    integration_id = await integration_for(ctx, actor, provider)
    return await run(
        ctx,
        actor,
        integration_id,
        lambda: records_of(provider, batch),
        source="push",
        progress=progress,
    )


async def integration_for(ctx: ServiceContext, actor: Actor, provider: str) -> int:
    """The company's integration for ``provider``; the first push makes it (PENDING)."""
    provider = provider.strip().lower() or "api"
    async with UnitOfWork(ctx) as uow:
        found = await uow.session.scalar(
            select(Integration.id)
            .where(Integration.company_id == actor.company_id, Integration.provider == provider)
            .order_by(Integration.id)
        )
        if found is not None:
            return int(found)
        integration = Integration(
            company_id=actor.company_id, provider=provider, name=provider.title()
        )
        uow.session.add(integration)
        await uow.session.flush()
        uow.log(EntityKind.INTEGRATION, integration, "create", None, actor)
        await uow.commit()
        return integration.id


async def run(
    ctx: ServiceContext,
    actor: Actor,
    integration_id: int,
    records: Callable[[], Records],
    *,
    source: str,
    progress: Progress | None = None,
) -> SyncReport:
    """One recorded run over ``records()`` (called once the run is started, so reading a file
    or mapping a payload that fails as a whole fails this run)."""
    require(actor, "sync")
    state = await _start(ctx, actor, integration_id, source)
    done: dict[str, int] = dict.fromkeys(KINDS, 0)
    try:
        for kind, chunk in _chunks(records()):
            await _apply(state, kind, chunk)
            done[kind] += len(chunk)
            if progress is not None:
                progress(kind, done[kind])
    except BatchError as error:
        state.report.outcome, state.report.error = FAILED, str(error)
    except DomainError as error:  # e.g. a concurrent sync wrote the same records first
        state.report.outcome, state.report.error = FAILED, error.message
    else:
        state.report.outcome = SUCCEEDED
    await _finish(ctx, actor, state.report)
    return state.report


async def _apply(state: RunState, kind: str, chunk: list[Mapping[str, Any]]) -> None:
    """Apply one chunk; a chunk that lost a race with a concurrent writer (another run of the
    same records, an edit) rolled back whole and is tried again, with the report as before."""
    for attempt in range(RETRIES + 1):
        before = state.report.snapshot()
        try:
            if kind == "timeEntries":
                await apply_time_chunk(state, chunk)
            else:
                await apply_chunk(state, kind, chunk)
            return
        except Conflict:
            state.report.restore(before)
            state.pending.clear()
            state.refs.clear()  # ids learnt in the rolled-back chunk may not exist
            if attempt == RETRIES:
                raise


def _chunks(records: Records) -> Iterator[tuple[str, list[Mapping[str, Any]]]]:
    """Consecutive records of one kind, at most a chunk's worth at a time."""
    iterator = iter(records)
    pending: tuple[str, Mapping[str, Any]] | None = next(iterator, None)
    while pending is not None:
        kind = pending[0]
        if kind not in KINDS:
            raise BatchError(f"Unknown record kind {kind!r}; expected one of {list(KINDS)}.")
        size = CHUNK.get(kind, REFERENCE_CHUNK)
        chunk = [pending[1]]
        pending = None
        for next_kind, record in islice(iterator, size - 1):
            if next_kind != kind:
                pending = (next_kind, record)
                break
            chunk.append(record)
        else:
            pending = next(iterator, None)
        yield kind, chunk


async def _start(ctx: ServiceContext, actor: Actor, integration_id: int, source: str) -> RunState:
    async with UnitOfWork(ctx) as uow:
        integration = await uow.lock(Integration, integration_id, actor, label="integration")
        if integration.status is IntegrationStatus.DISCONNECTED:
            raise ValidationFailed(
                f"The {integration.name} integration is disconnected: reconnect it to sync.",
                field=["integration"],
            )
        rules = await uow.session.scalars(
            select(ExclusionRule).where(
                ExclusionRule.company_id == actor.company_id, ExclusionRule.deleted_at.is_(None)
            )
        )
        report = SyncReport(
            integration_id=integration.id,
            provider=integration.provider,
            source=source,
            started_at=uow.now,
        )
        run_row = SyncRun(
            company_id=actor.company_id,
            integration_id=integration.id,
            started_at=uow.now,
            report=json.dumps(report.as_dict()),
        )
        uow.session.add(run_row)
        await uow.session.flush()
        report.run_id = run_row.id
        state = RunState(
            ctx=ctx,
            actor=actor,
            integration_id=integration.id,
            budget_sync=integration.budget_sync,
            run_id=run_row.id,
            rules=[Rule(r.id, r.kind, r.value) for r in rules],
            report=report,
        )
        await uow.commit()
    return state


async def _finish(ctx: ServiceContext, actor: Actor, report: SyncReport) -> None:
    """Record the run's outcome and move the integration: CONNECTED after a good run, FAILED
    (the error kept) after a failed one."""
    async with UnitOfWork(ctx) as uow:
        integration = await uow.lock(Integration, report.integration_id, actor)
        status = integration.status
        if report.outcome == SUCCEEDED:
            integration.last_sync_at = uow.now
            if status in (IntegrationStatus.PENDING, IntegrationStatus.FAILED):
                await _fire(uow, integration, IntegrationTrigger.SYNC_SUCCEEDED, actor)
        elif status in (IntegrationStatus.PENDING, IntegrationStatus.CONNECTED):
            error = report.error or "the sync failed"
            await _fire(uow, integration, IntegrationTrigger.SYNC_FAILED, actor, error=error)
        elif status is IntegrationStatus.FAILED:
            integration.last_error = report.error  # still failing: the latest error is kept
        run_row = await uow.session.get_one(SyncRun, report.run_id)
        report.finished_at = uow.now
        run_row.finished_at = uow.now
        run_row.report = json.dumps(report.as_dict())
        await uow.commit()


async def _fire(
    uow: UnitOfWork,
    integration: Integration,
    trigger: IntegrationTrigger,
    actor: Actor,
    **context: Any,
) -> None:
    await uow.fire(INTEGRATION, integration, trigger, actor, via=Via.SYNC, cascade=True, **context)
