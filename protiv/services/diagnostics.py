"""Reads that answer "where is it?": the issues of a sync run (more in why_missing.py,
lifecycle.py and alerts.py)."""

from __future__ import annotations

from sqlalchemy import select

from protiv.domain.roles import Actor
from protiv.persistence.models import SyncIssue
from protiv.services.context import ServiceContext


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
