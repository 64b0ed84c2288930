"""Integration connections: their settings, their lifecycle (connect, fail, disconnect,
reconnect: the integration machine), and running one's sync now or when it is due.

A push integration (the provider calls ``syncBatch``) has nothing to pull; a file-drop one
(``drop_folder``) is pulled: every JSON, JSON Lines and CSV file waiting in its folder is synced
in one run, then moved to ``done/`` (or to ``failed/`` with a ``.error.txt`` beside it when the
run failed). The server's scheduler calls ``sync_due`` every tick: an integration is due when
its last run started ``schedule_minutes`` ago (default 20) or it never ran.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from protiv.domain.errors import NotFound, ValidationFailed
from protiv.domain.permissions import require
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import EntityKind, IntegrationStatus, IntegrationTrigger
from protiv.persistence.models import Integration, SyncRun
from protiv.services import sync
from protiv.services.adapters import BatchError
from protiv.services.adapters.files import pending_files, read_files
from protiv.services.context import ServiceContext
from protiv.services.results import Transitioned
from protiv.services.sync_report import FAILED, SyncReport
from protiv.services.uow import UnitOfWork
from statemachines.integration import MACHINE as INTEGRATION

log = logging.getLogger("protiv.sync")
PROVIDERS = ("api", "file", "aspire", "jobber")
UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class Settings:
    """What an admin sets on an integration (None: leave as it is)."""

    name: str | None = None
    schedule_minutes: int | None = None
    budget_sync: bool | None = None
    drop_folder: str | None = UNSET  # "" clears it


def _check(settings: Settings) -> None:
    if settings.name is not None and not settings.name.strip():
        raise ValidationFailed("name must not be blank.", field=["name"])
    minutes = settings.schedule_minutes
    if minutes is not None and not 1 <= minutes <= 24 * 60:
        raise ValidationFailed(
            "scheduleMinutes must be between 1 and 1440 (a day).", field=["scheduleMinutes"]
        )


def _apply(row: Integration, settings: Settings) -> list[str]:
    changed = []
    for name in ("name", "schedule_minutes", "budget_sync"):
        value = getattr(settings, name)
        if value is not None and getattr(row, name) != value:
            setattr(row, name, value.strip() if isinstance(value, str) else value)
            changed.append(name)
    if settings.drop_folder is not UNSET:
        folder = (settings.drop_folder or "").strip() or None
        if folder != row.drop_folder:
            row.drop_folder = folder
            changed.append("drop_folder")
    return changed


async def create(
    ctx: ServiceContext, actor: Actor, provider: str, settings: Settings
) -> Integration:
    """A new connection, PENDING until its first successful sync."""
    require(actor, "integration.manage")
    provider = provider.strip().lower()
    if provider not in PROVIDERS:
        raise ValidationFailed(
            f"Unknown provider {provider!r}; expected one of {list(PROVIDERS)}.",
            field=["provider"],
        )
    _check(settings)
    async with UnitOfWork(ctx) as uow:
        row = Integration(company_id=actor.company_id, provider=provider, name=provider.title())
        _apply(row, settings)
        uow.session.add(row)
        await uow.session.flush()
        uow.log(EntityKind.INTEGRATION, row, "create", None, actor)
        await uow.commit()
    return row


async def update(
    ctx: ServiceContext,
    actor: Actor,
    integration_id: int,
    settings: Settings,
    *,
    expected_version: int | None = None,
) -> Integration:
    """Change its settings; one ``edit`` event naming the fields."""
    require(actor, "integration.manage")
    _check(settings)
    async with UnitOfWork(ctx) as uow:
        row = await uow.lock(
            Integration,
            integration_id,
            actor,
            expected_version=expected_version,
            label="integration",
        )
        changed = _apply(row, settings)
        if changed:
            await uow.session.flush()
            status = row.status.value
            uow.log(
                EntityKind.INTEGRATION,
                row,
                "edit",
                status,
                actor,
                reason="changed: " + ", ".join(changed),
            )
        await uow.commit()
    return row


async def transition(
    ctx: ServiceContext,
    actor: Actor,
    integration_id: int,
    trigger: IntegrationTrigger,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Transitioned[Integration]:
    """disconnect or reconnect (admin), through the integration machine."""
    async with UnitOfWork(ctx) as uow:
        row = await uow.lock(
            Integration,
            integration_id,
            actor,
            expected_version=expected_version,
            label="integration",
        )
        event = await uow.fire(INTEGRATION, row, trigger, actor, reason=reason)
        await uow.commit()
    return Transitioned(row, event)


async def find(ctx: ServiceContext, actor: Actor, id_or_name: str) -> int:
    """An integration of the actor's company by id, provider or name."""
    text = id_or_name.strip()
    async with ctx.db.read() as session:
        rows = list(
            await session.scalars(
                select(Integration)
                .where(Integration.company_id == actor.company_id)
                .order_by(Integration.id)
            )
        )
    for row in rows:
        if str(row.id) == text or text.lower() in (row.provider.lower(), row.name.lower()):
            return row.id
    raise NotFound(f"No integration {id_or_name!r} in this company.", field=["integration"])


async def resync(
    ctx: ServiceContext,
    actor: Actor,
    integration_id: int,
    *,
    progress: sync.Progress | None = None,
) -> SyncReport:
    """Run the integration's sync now (seed 003, step 5: trigger a manual resync)."""
    require(actor, "integration.resync")
    async with ctx.db.read() as session:
        row = await session.scalar(
            select(Integration).where(
                Integration.id == integration_id, Integration.company_id == actor.company_id
            )
        )
    if row is None:
        raise NotFound("No integration with that id.", field=["id"])
    if row.drop_folder is None:
        raise ValidationFailed(
            f"The {row.name} integration pushes its records (syncBatch) and has no drop folder, "
            "so there is nothing to pull: ask the sending system to push again.",
            field=["id"],
        )
    return await _pull(ctx, actor, row, progress=progress)


async def _pull(
    ctx: ServiceContext, actor: Actor, row: Integration, *, progress: sync.Progress | None = None
) -> SyncReport:
    folder = Path(row.drop_folder or "")
    files: list[Path] = []

    def records() -> sync.Records:
        files.extend(pending_files(folder))
        return read_files(files, row.provider)

    report = await sync.run(
        ctx, actor, row.id, records, source=f"drop folder {folder}", progress=progress
    )
    _file_away(folder, files, report)
    return report


def _file_away(folder: Path, files: list[Path], report: SyncReport) -> None:
    """Done files to done/, those of a failed run to failed/ with the error beside them."""
    target = folder / ("failed" if report.outcome == FAILED else "done")
    stamp = f"{report.started_at:%Y%m%dT%H%M%S}" if report.started_at else "undated"
    for path in files:
        try:
            target.mkdir(exist_ok=True)
            moved = path.rename(target / f"{stamp}-run{report.run_id}-{path.name}")
            if report.outcome == FAILED:
                moved.with_name(moved.name + ".error.txt").write_text(f"{report.error}\n")
        except OSError:
            log.exception("could not move %s to %s", path, target)


async def last_started(ctx: ServiceContext, integration_ids: list[int]) -> dict[int, datetime]:
    """When each integration's latest run started."""
    if not integration_ids:
        return {}
    async with ctx.db.read() as session:
        rows = await session.execute(
            select(SyncRun.integration_id, func.max(SyncRun.started_at))
            .where(SyncRun.integration_id.in_(integration_ids))
            .group_by(SyncRun.integration_id)
        )
        return {int(i): at for i, at in rows if i is not None and at is not None}


async def runs(ctx: ServiceContext, actor: Actor, integration_id: int, first: int) -> list[SyncRun]:
    """An integration's latest runs, newest first."""
    async with ctx.db.read() as session:
        rows = await session.scalars(
            select(SyncRun)
            .where(SyncRun.company_id == actor.company_id, SyncRun.integration_id == integration_id)
            .order_by(SyncRun.id.desc())
            .limit(first)
        )
        return list(rows)


def next_due(row: Integration, started: datetime | None, now: datetime) -> datetime:
    """When the integration's next scheduled sync is due (now, when it never ran)."""
    if started is None:
        return now
    return started + timedelta(minutes=row.schedule_minutes)


async def sync_due(ctx: ServiceContext) -> str | None:
    """The scheduler's job: pull every file-drop integration that is due and has files."""
    now = ctx.clock()
    async with ctx.db.read() as session:
        rows = list(
            await session.scalars(
                select(Integration)
                .where(
                    Integration.drop_folder.is_not(None),
                    Integration.status != IntegrationStatus.DISCONNECTED,
                )
                .order_by(Integration.id)
            )
        )
    started = await last_started(ctx, [r.id for r in rows])
    ran = []
    for row in rows:
        if next_due(row, started.get(row.id), now) > now or not _has_files(row):
            continue
        actor = Actor(company_id=row.company_id, role=Role.INTEGRATION, name="scheduler")
        report = await _pull(ctx, actor, row)
        ran.append(f"{row.name} (run {report.run_id}: {report.outcome.lower()})")
    return ", ".join(ran) or None


def _has_files(row: Integration) -> bool:
    try:
        return bool(pending_files(Path(row.drop_folder or "")))
    except BatchError:
        return True  # a missing folder is worth a failed run that says so
