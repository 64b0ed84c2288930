"""Reads that answer "where is it?" share these: the state of the company's integrations (with
when each is next due), the latest sync issue of a record, and a run's issues.

    why_missing.py   seed 003: why a job, worker or milestone is not here (or not on a ProPay)
    lifecycle.py     seed 002: the nine steps of a bonus, the one it is at, and why it stalled
    alerts.py        everything stalled, for the dashboard
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from protiv.domain.roles import Actor
from protiv.domain.statuses import IntegrationStatus
from protiv.persistence.models import Integration, SyncIssue, SyncRun
from protiv.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class IntegrationState:
    """An integration as the troubleshooting steps see it (seed 003, steps 1 and 2)."""

    id: int
    name: str
    provider: str
    status: IntegrationStatus
    last_sync_at: datetime | None  # the last successful sync
    last_run_at: datetime | None  # the last attempt, good or bad
    last_error: str | None
    schedule_minutes: int
    pulls: bool  # a file drop is pulled when due; others push

    @property
    def next_sync_due(self) -> datetime | None:
        if self.status is IntegrationStatus.DISCONNECTED:
            return None
        if self.last_run_at is None:
            return None
        return self.last_run_at + timedelta(minutes=self.schedule_minutes)

    def overdue(self, now: datetime) -> bool:
        """No attempt for two full cycles (a push integration that went quiet)."""
        due = self.next_sync_due
        return due is not None and now > due + timedelta(minutes=self.schedule_minutes)


async def integration_states(session: AsyncSession, company_id: int) -> list[IntegrationState]:
    rows = list(
        await session.scalars(
            select(Integration).where(Integration.company_id == company_id).order_by(Integration.id)
        )
    )
    last_runs = dict(
        (
            await session.execute(
                select(SyncRun.integration_id, func.max(SyncRun.started_at))
                .where(SyncRun.company_id == company_id)
                .group_by(SyncRun.integration_id)
            )
        ).all()
    )
    return [
        IntegrationState(  # positional: only the machines pass ``status=``
            row.id,
            row.name,
            row.provider,
            row.status,
            row.last_sync_at,
            last_runs.get(row.id),
            row.last_error,
            row.schedule_minutes,
            row.drop_folder is not None,
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class LastIssue:
    """The latest sync issue of one record, with when its run started."""

    issue: SyncIssue
    run_started_at: datetime


async def last_issue(
    session: AsyncSession, company_id: int, kind: str, external_id: str
) -> LastIssue | None:
    row = (
        await session.execute(
            select(SyncIssue, SyncRun.started_at)
            .join(SyncRun, SyncRun.id == SyncIssue.run_id)
            .where(
                SyncIssue.company_id == company_id,
                SyncIssue.kind == kind,
                SyncIssue.external_id == external_id,
            )
            .order_by(SyncIssue.id.desc())
            .limit(1)
        )
    ).first()
    return LastIssue(row[0], row[1]) if row else None


async def last_run_at(session: AsyncSession, company_id: int) -> datetime | None:
    found: datetime | None = await session.scalar(
        select(func.max(SyncRun.started_at)).where(SyncRun.company_id == company_id)
    )
    return found


async def run_issues(ctx: ServiceContext, actor: Actor, run_id: int, first: int) -> list[SyncIssue]:
    """The records of one run that did not land as sent, in the order they were met."""
    async with ctx.db.read() as session:
        rows = await session.scalars(
            select(SyncIssue)
            .where(SyncIssue.company_id == actor.company_id, SyncIssue.run_id == run_id)
            .order_by(SyncIssue.id)
            .limit(first)
        )
        return list(rows)
