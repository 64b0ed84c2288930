"""Benchmark of payouts on a real database: release what is due, then pay a whole period, for
1,000 workers with 20 line items each (20,000 items from 1,000 approved ProPays of 20 workers).

    python bench/payout_bench.py                       # SQLite, a file in a temporary folder
    PROTIV_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/payout_bench.py

The ledger is laid down with bulk inserts before the clock starts (approved ProPays, HELD items
due for release, one OPEN statement per worker in one weekly period); what is timed goes
through the services as the API and the scheduler call them:

- ``release.release_due``: every item HELD → PAYABLE through the machine, one event each, in
  chunks of 500 (each its own transaction);
- ``payouts.pay_period``: one transaction paying the 1,000 statements (their 20,000 items
  PAID, the 1,000 ProPays settled PAID), one event per change.

On PostgreSQL the run makes its own database and drops it afterwards.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from protiv.config import normalize_database_url
from protiv.domain.bonus import Bucket, LineItemKind, LineItemSource
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import LineItemStatus, ProPayStatus, StatementStatus
from protiv.persistence.database import create_database
from protiv.persistence.models import (
    Base,
    Company,
    Event,
    Job,
    LineItem,
    PayPeriod,
    ProPay,
    Statement,
    Worker,
)
from protiv.services import payouts, release
from protiv.services.context import ServiceContext

WORKERS = 1_000
ITEMS_EACH = 20
CREW = 20  # workers per ProPay: WORKERS ProPays in all
NOW = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
PERIOD = (date(2026, 11, 2), date(2026, 11, 8))


async def lay_down(ctx: ServiceContext) -> int:
    """The ledger before the run; returns the pay period's id."""
    async with ctx.db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    approved_at = NOW - timedelta(days=8)
    async with ctx.db.write() as session, session.begin():
        company = Company(slug="bench", name="Bench Lawns", waiting_days=7)
        session.add(company)
        await session.flush()
        cid = company.id
        await session.execute(
            insert(Worker),
            [
                {
                    "company_id": cid,
                    "external_id": f"W-{n}",
                    "name": f"Worker {n:04d}",
                    "wage": Decimal(25),
                }
                for n in range(WORKERS)
            ],
        )
        await session.execute(
            insert(Job),
            [
                {"company_id": cid, "external_id": f"J-{n}", "name": f"Job {n}"}
                for n in range(WORKERS)
            ],
        )
        worker_ids = list(await session.scalars(select(Worker.id).order_by(Worker.id)))
        job_ids = list(await session.scalars(select(Job.id).order_by(Job.id)))
        await session.execute(
            insert(ProPay),
            [
                {
                    "company_id": cid,
                    "job_id": job,
                    "title": f"Job {n}",
                    "status": ProPayStatus.APPROVED,
                    "created_at": approved_at,
                    "approved_at": approved_at,
                }
                for n, job in enumerate(job_ids)
            ],
        )
        pro_pay_ids = list(await session.scalars(select(ProPay.id).order_by(ProPay.id)))
        period = PayPeriod(company_id=cid, kind="WEEKLY", starts_on=PERIOD[0], ends_on=PERIOD[1])
        session.add(period)
        await session.flush()
        await session.execute(
            insert(Statement),
            [{"company_id": cid, "worker_id": w, "pay_period_id": period.id} for w in worker_ids],
        )
        statement_of = dict(
            (await session.execute(select(Statement.worker_id, Statement.id))).all()
        )
        rows = []
        for n, worker in enumerate(worker_ids):  # worker n is on ProPays n, n+50, n+100, ...
            for k in range(ITEMS_EACH):
                rows.append(
                    {
                        "company_id": cid,
                        "worker_id": worker,
                        "statement_id": statement_of[worker],
                        "pro_pay_id": pro_pay_ids[(n + k * (WORKERS // CREW)) % WORKERS],
                        "source": LineItemSource.PRO_PAY,
                        "kind": LineItemKind.BONUS,
                        "bucket": Bucket.CREW,
                        "category": "PROPAY",
                        "amount": Decimal("12.34"),
                        "status": LineItemStatus.HELD,
                        "created_at": approved_at,
                        "release_at": approved_at + timedelta(days=7),
                    }
                )
        await session.execute(insert(LineItem), rows)
    return period.id


async def count(ctx: ServiceContext, stmt: Any) -> int:
    async with ctx.db.read() as session:
        return int(await session.scalar(stmt) or 0)


async def timed(label: str, work: Callable[[], Awaitable[Any]]) -> tuple[str, float, float]:
    """Wall time, and this process's CPU time (on SQLite that includes the driver's thread)."""
    start, cpu = time.perf_counter(), time.process_time()
    await work()
    return label, time.perf_counter() - start, time.process_time() - cpu


async def run(url: str) -> list[tuple[str, float, float, str]]:
    db = create_database(url, pool_size=2)
    ctx = ServiceContext(db=db, clock=lambda: NOW)
    try:
        period_id = await lay_down(ctx)
        payroll = Actor(company_id=1, role=Role.PAYROLL, name="bench")
        events_before = await count(ctx, select(func.count()).select_from(Event))
        label, released, cpu = await timed(
            "release_due: 20,000 items", lambda: release.release_due(ctx)
        )
        events_after = await count(ctx, select(func.count()).select_from(Event))
        results = [(label, released, cpu, f"{events_after - events_before:,} events")]
        label, paid, cpu = await timed(
            "payPeriod: 1,000 statements, 20,000 items, 1,000 ProPays",
            lambda: payouts.pay_period(ctx, payroll, period_id, date(2026, 11, 13)),
        )
        events_final = await count(ctx, select(func.count()).select_from(Event))
        results.append((label, paid, cpu, f"{events_final - events_after:,} events"))
        checks = (
            (
                select(func.count()).where(LineItem.status == LineItemStatus.PAID),
                WORKERS * ITEMS_EACH,
            ),
            (select(func.count()).where(Statement.status == StatementStatus.PAID), WORKERS),
            (select(func.count()).where(ProPay.status == ProPayStatus.PAID), WORKERS),
        )
        for stmt, wanted in checks:
            assert await count(ctx, stmt) == wanted, (stmt, wanted)
        return results
    finally:
        await db.dispose()


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    admin = make_url(normalize_database_url(url))
    conn = await asyncpg.connect(
        host=admin.host,
        port=admin.port or 5432,
        user=admin.username,
        password=admin.password,
        database=admin.database or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def main() -> None:
    load = os.getloadavg()[0]
    base = os.environ.get("PROTIV_BENCH_DATABASE_URL")
    if base:
        name = f"protiv_bench_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
        url = make_url(normalize_database_url(base)).set(database=name).render_as_string(False)
        try:
            results = asyncio.run(run(url))
        finally:
            asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        backend = "PostgreSQL"
    else:
        with tempfile.TemporaryDirectory() as folder:
            results = asyncio.run(run(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"))
        backend = "SQLite"
    print(
        f"{backend}, Python {platform.python_version()} ({sys.implementation.name}), {platform.machine()}"
    )
    print()
    print(f"load average before the run: {load:.1f} ({os.cpu_count()} cores)")
    print()
    print("| step | wall time | process CPU | written |")
    print("|---|---:|---:|---:|")
    for label, seconds, cpu, written in results:
        print(f"| {label} | {seconds:.1f} s | {cpu:.1f} s | {written} |")


if __name__ == "__main__":
    main()
