"""Data sets for the statement-count checks: the same shape at two sizes, so a count that grows
with the data is an N+1 (a query per row) and not a different shape.

Job ``n`` has a crew of its own (``C-n-1`` ... ``C-n-k``, 6 h each at $50 against 8 h a head
of budget) and a manager (``M-n``), so every ProPay has its own workers and every approval its
own line items and statements: nothing is shared that a cache could hide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from protiv.domain.roles import Actor
from protiv.persistence.models import ProPay
from protiv.services import groups, pro_pays, sync
from protiv.services.context import ServiceContext


def crew_of(n: int, crew: int) -> list[str]:
    return [f"C-{n}-{k}" for k in range(1, crew + 1)]


def batch(jobs: Sequence[int], crew: int) -> dict[str, Any]:
    """Sync records for the job numbers ``jobs``, each worked by ``crew`` workers."""
    workers: list[dict[str, Any]] = []
    job_rows: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for n in jobs:
        manager = {"externalId": f"M-{n}", "name": f"Manager {n}", "wage": "40", "role": "MANAGER"}
        workers.append(manager)
        job_rows.append(
            {
                "externalId": f"J-{n}",
                "name": f"Job {n}",
                "status": "IN_PROGRESS",
                "branch": "BR-1",
                "route": "RT-1",
                "manager": f"M-{n}",
                "budgetHours": str(8 * crew),
            }
        )
        for worker in crew_of(n, crew):
            workers.append({"externalId": worker, "name": worker, "wage": "50", "branch": "BR-1"})
            entries.append(
                {
                    "externalId": f"T-{worker}",
                    "worker": worker,
                    "job": f"J-{n}",
                    "date": "2026-11-02",
                    "hours": "6",
                }
            )
    return {
        "branches": [{"externalId": "BR-1", "name": "Austin"}],
        "routes": [{"externalId": "RT-1", "name": "Route North", "branch": "BR-1"}],
        "workers": workers,
        "jobs": job_rows,
        "timeEntries": entries,
    }


async def synced(ctx: ServiceContext, admin: Actor, jobs: Sequence[int], crew: int) -> list[int]:
    """Sync the jobs; their new (ACTIVE) ProPays' ids, in job order."""
    report = await sync.sync_batch(ctx, admin, batch(jobs, crew))
    assert report.pro_pays_created == len(jobs), report.as_dict()
    async with ctx.db.read() as session:
        ids = await session.scalars(
            select(ProPay.id).where(ProPay.company_id == admin.company_id).order_by(ProPay.id)
        )
        return list(ids)[-len(jobs) :]


async def grow(ctx: ServiceContext, admin: Actor, start: int, units: int) -> None:
    """``units`` times: one approved ProPay (5 line items on 5 statements) and one group of two
    ACTIVE ProPays; job numbers from ``start`` (three jobs a unit)."""
    ids = await synced(ctx, admin, range(start, start + 3 * units), crew=4)
    for unit in range(units):
        approved, *members = ids[3 * unit : 3 * unit + 3]
        await pro_pays.approve(ctx, admin, approved)
        await groups.create(ctx, admin, f"Group {start + unit}", members)
