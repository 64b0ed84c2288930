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

The limit, in another database laid down the same way: the same writes in plain SQL through
SQLAlchemy Core on the same driver (no ORM, no machines, no checks): per item an ``UPDATE ...
WHERE id = ? AND version = ?`` (executemany) and one event row each, in the same chunks and
transactions; then, for the period, the items', statements' and ProPays' UPDATEs and their
events in one transaction. ``--json PATH`` writes Result rows for bench/run.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from harness import Result, fresh_database, pg_server_url, write_results
from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from protiv.domain.bonus import Bucket, LineItemKind, LineItemSource
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import EntityKind, LineItemStatus, ProPayStatus, StatementStatus
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
PAY_DATE = date(2026, 11, 13)
RELEASE_CHUNK = 500  # release_due's own chunk: one transaction each


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
        label, released, cpu = await timed(RELEASE, lambda: release.release_due(ctx))
        events_after = await count(ctx, select(func.count()).select_from(Event))
        results = [(label, released, cpu, f"{events_after - events_before:,} events")]
        label, paid, cpu = await timed(
            PAY, lambda: payouts.pay_period(ctx, payroll, period_id, PAY_DATE)
        )
        events_final = await count(ctx, select(func.count()).select_from(Event))
        results.append((label, paid, cpu, f"{events_final - events_after:,} events"))
        await check_paid(ctx)
        return results
    finally:
        await db.dispose()


RELEASE, PAY = "release_due", "payPeriod"


def describe(label: str) -> str:
    """A step's name with the run's sizes (``--workers`` scales them)."""
    items = WORKERS * ITEMS_EACH
    if label == RELEASE:
        return f"release_due: {items:,} items"
    return f"payPeriod: {WORKERS:,} statements, {items:,} items, {WORKERS:,} ProPays"


async def check_paid(ctx: ServiceContext) -> None:
    """Every item, statement and ProPay PAID: the run did the whole job."""
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


# -- the limit: the same writes in plain SQL ---------------------------------------------------

ITEM, STATEMENT, PRO_PAY, EVENT = (
    cast(Table, model.__table__) for model in (LineItem, Statement, ProPay, Event)
)


def _versioned(table: Any, **values: Any) -> Any:
    """``UPDATE table SET ..., version = version + 1 WHERE id = :b_id AND version = :b_v``, for
    an executemany: the ORM's optimistic check, without the ORM."""
    return (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_v"))
        .values(version=table.c.version + 1, **values)
    )


def _events(
    entity: EntityKind, rows: list[Any], trigger: str, source: str, dest: str
) -> list[dict[str, Any]]:
    return [
        {
            "company_id": 1,
            "entity": entity,
            "entity_id": row.id,
            "trigger": trigger,
            "from_status": source,
            "to_status": dest,
            "version": row.version + 1,
            "actor": "bench",
            "occurred_at": NOW,
        }
        for row in rows
    ]


async def _write(
    conn: AsyncConnection, table: Any, rows: list[Any], events: list[dict[str, Any]], **values: Any
) -> None:
    if rows:
        params = [{"b_id": row.id, "b_v": row.version} for row in rows]
        await conn.execute(_versioned(table, **values), params)
        await conn.execute(insert(EVENT), events)


async def limit_release(ctx: ServiceContext) -> None:
    """Every due HELD item PAYABLE, an event each, RELEASE_CHUNK items a transaction."""
    held = LineItemStatus.HELD
    while True:
        async with ctx.db.engine.begin() as conn:
            found = select(ITEM.c.id, ITEM.c.version).where(
                ITEM.c.status == held, ITEM.c.release_at <= NOW
            )
            chunk = list(
                await conn.execute(found.order_by(ITEM.c.id).limit(RELEASE_CHUNK).with_for_update())
            )
            events = _events(EntityKind.LINE_ITEM, chunk, "release", "HELD", "PAYABLE")
            await _write(conn, ITEM, chunk, events, status=LineItemStatus.PAYABLE)
        if len(chunk) < RELEASE_CHUNK:
            return


async def limit_pay(ctx: ServiceContext, period_id: int) -> None:
    """The period's statements, their items and their ProPays PAID with an event each, in one
    transaction."""
    async with ctx.db.engine.begin() as conn:
        statements = list(
            await conn.execute(
                select(STATEMENT.c.id, STATEMENT.c.version)
                .where(
                    STATEMENT.c.pay_period_id == period_id,
                    STATEMENT.c.status == StatementStatus.OPEN,
                )
                .with_for_update()
            )
        )
        items = list(
            await conn.execute(
                select(ITEM.c.id, ITEM.c.version, ITEM.c.pro_pay_id)
                .join(STATEMENT, STATEMENT.c.id == ITEM.c.statement_id)
                .where(STATEMENT.c.pay_period_id == period_id)
                .with_for_update(of=ITEM)
            )
        )
        pro_pay_ids = {item.pro_pay_id for item in items}
        pro_pays = list(
            await conn.execute(
                select(PRO_PAY.c.id, PRO_PAY.c.version)
                .where(PRO_PAY.c.id.in_(pro_pay_ids))
                .with_for_update()
            )
        )
        paid = {"status": LineItemStatus.PAID, "paid_at": NOW}
        await _write(
            conn,
            ITEM,
            items,
            _events(EntityKind.LINE_ITEM, items, "pay", "PAYABLE", "PAID"),
            **paid,
        )
        await _write(
            conn,
            STATEMENT,
            statements,
            _events(EntityKind.STATEMENT, statements, "pay", "OPEN", "PAID"),
            status=StatementStatus.PAID,
            paid_at=NOW,
            pay_date=PAY_DATE,
        )
        await _write(
            conn,
            PRO_PAY,
            pro_pays,
            _events(EntityKind.PRO_PAY, pro_pays, "settle", "APPROVED", "PAID"),
            status=ProPayStatus.PAID,
            paid_at=NOW,
        )


async def run_limit(url: str) -> list[tuple[str, float, float, str]]:
    db = create_database(url, pool_size=2)
    ctx = ServiceContext(db=db, clock=lambda: NOW)
    try:
        period_id = await lay_down(ctx)
        results = [(*(await timed(RELEASE, lambda: limit_release(ctx))), "")]
        results.append((*(await timed(PAY, lambda: limit_pay(ctx, period_id))), ""))
        await check_paid(ctx)
        return results
    finally:
        await db.dispose()


# -- running and reporting ---------------------------------------------------------------------


def bench_backend(server_url: str | None) -> tuple[list[Any], list[Any]]:
    with fresh_database(server_url) as url:
        ours = asyncio.run(run(url))
    with fresh_database(server_url) as url:
        limit = asyncio.run(run_limit(url))
    return ours, limit


def rows(backend: str, ours: list[Any], limit: list[Any], load: str) -> list[Result]:
    """Wall time of each step beside the plain-SQL limit's; no target of its own."""
    found = []
    for (label, seconds, cpu, written), (_, limit_seconds, limit_cpu, _) in zip(
        ours, limit, strict=True
    ):
        found.append(
            Result(
                f"payouts: {describe(label)} ({backend})",
                "wall time",
                seconds,
                "s",
                "the same UPDATEs and event INSERTs, SQLAlchemy Core executemany",
                limit_seconds,
                notes=f"{written} written; process CPU {cpu:.1f} s (limit {limit_cpu:.1f} s); {load}",
            )
        )
    return found


def main() -> None:
    global WORKERS
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--json", help="write the Result rows here (for bench/run.py)")
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help=f"a multiple of {CREW} (a quick run: 100)"
    )
    args = parser.parse_args()
    WORKERS = args.workers
    backends = [("SQLite", None)] + ([("PostgreSQL", pg_server_url())] if pg_server_url() else [])
    print(f"Python {platform.python_version()} ({sys.implementation.name}), {platform.machine()}")
    results: list[Result] = []
    for backend, server_url in backends:
        before = os.getloadavg()[0]
        ours, limit = bench_backend(server_url)
        load = f"load average {before:.1f} before, {os.getloadavg()[0]:.1f} after"
        print(f"\n{backend} ({load}, {os.cpu_count()} cores)\n")
        print("| step | wall time | process CPU | written | limit: plain SQL | limit CPU |")
        print("|---|---:|---:|---:|---:|---:|")
        for (label, seconds, cpu, written), (_, lim, lim_cpu, _) in zip(ours, limit, strict=True):
            print(
                f"| {describe(label)} | {seconds:.1f} s | {cpu:.1f} s | {written} | {lim:.1f} s | {lim_cpu:.1f} s |"
            )
        results += rows(backend, ours, limit, load)
    print()
    write_results(args.json, results)


if __name__ == "__main__":
    main()
