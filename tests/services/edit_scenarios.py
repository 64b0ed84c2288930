"""Jobs synced the way the integration sends them, and what the editing tests read back: the
live preview's shares, the approved line items, the ProPay's events.

    pro_pay_id = await sync_job(ctx, admin, {"budgetAmount": "5000"}, crew=[("W-1", "90", "15")])
    shares(await preview(ctx, admin, pro_pay_id))      # {(worker external id, bucket): amount}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind, LineItemStatus
from protiv.persistence.models import Event, LineItem, ProPay, Worker
from protiv.services import queries, sync
from protiv.services.context import ServiceContext

D = Decimal
LEAD, MANAGER = "W-LEAD", "W-MGR"


def batch(
    job: str,
    budget: dict[str, str],
    crew: Sequence[tuple[str, str, str]],
    *,
    manager: bool = True,
    extra_entries: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """One job with ``budget`` (sync fields); ``crew`` as (external id, wage, hours): each
    worker logs their hours in entries of at most 8 h. A crew lead and a manager who log no time
    exist too; the manager manages the job unless ``manager`` is False."""
    workers = [{"externalId": w, "name": f"Worker {w}", "wage": wage} for w, wage, _ in crew]
    workers += [
        {"externalId": LEAD, "name": "Lee Lead", "wage": "30", "role": "CREW_LEAD"},
        {"externalId": MANAGER, "name": "Mo Manager", "wage": "40", "role": "MANAGER"},
    ]
    entries = []
    for worker, _, hours in crew:
        entries += _entries(job, worker, D(hours))
    for worker, hours in extra_entries:
        entries += _entries(job, worker, D(hours), tag="x")
    record: dict[str, Any] = {
        "externalId": job,
        "name": f"Job {job}",
        "status": "IN_PROGRESS",
        "branch": "BR-1",
        "route": "RT-1",
        **budget,
    }
    if manager:
        record["manager"] = MANAGER
    return {
        "branches": [{"externalId": "BR-1", "name": "Austin"}],
        "routes": [{"externalId": "RT-1", "name": "Route North", "branch": "BR-1"}],
        "workers": workers,
        "jobs": [record],
        "timeEntries": entries,
    }


def _entries(job: str, worker: str, hours: Decimal, tag: str = "") -> list[dict[str, str]]:
    entries = []
    day = 0
    while hours > 0:
        part = min(hours, D(8))
        day += 1
        entries.append(
            {
                "externalId": f"T-{job}-{worker}-{tag}{day}",
                "worker": worker,
                "job": job,
                "date": f"2026-10-{day:02d}",
                "hours": str(part),
            }
        )
        hours -= part
    return entries


async def sync_job(
    ctx: ServiceContext,
    admin: Actor,
    budget: dict[str, str],
    crew: Sequence[tuple[str, str, str]],
    *,
    job: str = "J-1",
    manager: bool = True,
) -> int:
    """Sync one job; the id of its new ACTIVE ProPay."""
    return await sync_new(ctx, admin, batch(job, budget, crew, manager=manager))


async def sync_new(ctx: ServiceContext, admin: Actor, records: dict[str, Any]) -> int:
    """Sync a batch with one new job; the id of its new ACTIVE ProPay."""
    report = await sync.sync_batch(ctx, admin, records)
    assert report.pro_pays_created == 1, report.as_dict()
    async with ctx.db.read() as session:
        return int(
            await session.scalar(
                select(ProPay.id)
                .where(ProPay.company_id == admin.company_id)
                .order_by(ProPay.id.desc())
                .limit(1)
            )
            or 0
        )


async def worker_ids(ctx: ServiceContext) -> dict[str, int]:
    async with ctx.db.read() as session:
        return {w.external_id: w.id for w in await session.scalars(select(Worker))}


async def preview(ctx: ServiceContext, actor: Actor, pro_pay_id: int) -> dict[str, Any]:
    """The live breakdown (a test that expects a calculation problem uses ``problem``)."""
    (result,) = await queries.previews_by_id(ctx, actor.company_id, [pro_pay_id])
    assert isinstance(result, dict), result
    return result


async def problem(ctx: ServiceContext, actor: Actor, pro_pay_id: int) -> str:
    """Why the ProPay cannot be calculated yet."""
    (result,) = await queries.previews_by_id(ctx, actor.company_id, [pro_pay_id])
    assert isinstance(result, str), result
    return result


async def names(ctx: ServiceContext) -> dict[int, str]:
    return {pk: ext for ext, pk in (await worker_ids(ctx)).items()}


async def shares(ctx: ServiceContext, breakdown: dict[str, Any] | str) -> dict[tuple[str, str], D]:
    """A breakdown's shares by (worker external id, bucket)."""
    assert isinstance(breakdown, dict), breakdown
    who = await names(ctx)
    return {
        (who[int(s["worker_id"])], s["bucket"]): D(s["amount"])
        for bucket in breakdown["buckets"]
        for s in bucket["shares"]
    }


async def line_items(ctx: ServiceContext, pro_pay_id: int) -> dict[tuple[str, str], D]:
    """The live line items of a ProPay by (worker external id, bucket)."""
    who = await names(ctx)
    async with ctx.db.read() as session:
        rows = await session.scalars(
            select(LineItem).where(
                LineItem.pro_pay_id == pro_pay_id, LineItem.status != LineItemStatus.VOIDED
            )
        )
        items: dict[tuple[str, str], D] = defaultdict(D)
        for row in rows:
            assert row.bucket is not None
            items[(who[row.worker_id], row.bucket.value)] += row.amount
    return dict(items)


async def per_worker(ctx: ServiceContext, pro_pay_ids: Sequence[int]) -> dict[str, D]:
    """Each worker's total over the live line items of these ProPays."""
    totals: dict[str, D] = defaultdict(D)
    for pro_pay_id in pro_pay_ids:
        for (worker, _), amount in (await line_items(ctx, pro_pay_id)).items():
            totals[worker] += amount
    return dict(totals)


async def events(ctx: ServiceContext, pro_pay_id: int) -> list[Event]:
    async with ctx.db.read() as session:
        rows = await session.scalars(
            select(Event)
            .where(Event.entity == EntityKind.PRO_PAY, Event.entity_id == pro_pay_id)
            .order_by(Event.id)
        )
        return list(rows)


async def row(ctx: ServiceContext, pro_pay_id: int) -> ProPay:
    async with ctx.db.read() as session:
        found = await session.get(ProPay, pro_pay_id)
        assert found is not None
        return found
