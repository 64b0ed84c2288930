"""Benchmark of a large sync: workers, jobs and time entries generated on the fly and streamed
through ``protiv.services.sync.run`` into a fresh database. Prints a markdown table.

    python bench/sync_bench.py                                   # 1,000 / 20,000 / 1,000,000
    python bench/sync_bench.py --entries 100000                  # a quicker run
    python bench/sync_bench.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

The records are made by a generator as the sync asks for them (nothing is held in a list), so
peak memory is the sync's own. Each phase's rate is records per second of wall time; peak RSS
is the process's maximum resident set (``getrusage``), before and after. A second run of the
same records measures the idempotent path (every record unchanged, nothing written).
On PostgreSQL the named database is only used to create and drop a scratch one.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from protiv.config import normalize_database_url
from protiv.domain.roles import Actor, Role
from protiv.persistence.database import create_database
from protiv.persistence.models import Base, Company
from protiv.services import sync
from protiv.services.context import ServiceContext

Record = tuple[str, Mapping[str, Any]]


def records(workers: int, jobs: int, entries: int) -> Iterator[Record]:
    """A company's worth of records, in dependency order, made one at a time."""
    yield "branches", {"externalId": "BR-1", "name": "Denver"}
    for n in range(workers):
        role = "MANAGER" if n % 50 == 0 else "CREW_LEAD" if n % 10 == 0 else "CREW"
        wage = f"{18 + n % 15}.{n % 4 * 25:02d}"
        yield (
            "workers",
            {
                "externalId": f"W-{n}",
                "name": f"Worker {n}",
                "wage": wage,
                "role": role,
                "branch": "BR-1",
            },
        )
    for n in range(jobs):
        yield (
            "jobs",
            {
                "externalId": f"J-{n}",
                "name": f"Job {n}",
                "status": "IN_PROGRESS",
                "branch": "BR-1",
                "manager": f"W-{n % workers // 50 * 50}",
                "budgetHours": str(40 + n % 60),
            },
        )
    for n in range(entries):
        yield (
            "timeEntries",
            {
                "externalId": f"T-{n}",
                "worker": f"W-{(n * 7919) % workers}",
                "job": f"J-{(n * 104729) % jobs}",
                "date": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "hours": f"{1 + n % 9}.{n % 4 * 25:02d}",
            },
        )


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def cpu_seconds() -> float:
    """This process's CPU time (every thread: the event loop and aiosqlite's); the machine may
    be shared, so wall time alone can say more about the neighbours than about the sync."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Phases:
    """Wall time per kind, from the sync's progress callback."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last = self.started
        self.cpu_started = self.cpu_last = cpu_seconds()
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def __call__(self, kind: str, done: int) -> None:
        now, cpu = time.perf_counter(), cpu_seconds()
        self.seconds[kind] = self.seconds.get(kind, 0.0) + now - self.last
        self.cpu[kind] = self.cpu.get(kind, 0.0) + cpu - self.cpu_last
        self.counts[kind] = done
        self.last, self.cpu_last = now, cpu
        if kind == "timeEntries" and done % 100_000 == 0:
            print(
                f"  {kind}: {done:,} ({done / self.seconds[kind]:,.0f}/s, peak RSS {rss_mib():.0f} MiB)",
                file=sys.stderr,
            )


async def scratch(url: str | None, folder: Path) -> tuple[str, str | None]:
    """A fresh database: a SQLite file, or a new PostgreSQL database (name returned)."""
    if url is None:
        return f"sqlite+aiosqlite:///{folder / 'bench.db'}", None
    import asyncpg

    admin = make_url(normalize_database_url(url))
    name = f"protiv_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(
        host=admin.host,
        port=admin.port or 5432,
        user=admin.username,
        password=admin.password,
        database=admin.database or "postgres",
    )
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return admin.set(database=name).render_as_string(False), name


async def drop(url: str, name: str | None) -> None:
    if name is None:
        return
    import asyncpg

    admin = make_url(normalize_database_url(url))
    conn = await asyncpg.connect(
        host=admin.host,
        port=admin.port or 5432,
        user=admin.username,
        password=admin.password,
        database=admin.database or "postgres",
    )
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def bench(args: argparse.Namespace) -> list[tuple[str, Phases, float, sync.SyncReport]]:
    with tempfile.TemporaryDirectory() as folder:
        url, name = await scratch(args.database_url, Path(folder))
        db = create_database(url, pool_size=2)
        try:
            async with db.engine.begin() as conn:
                await conn.run_sync(Base.metadata.create_all)
            async with db.write() as session, session.begin():
                company = Company(slug="bench", name="Bench Landscaping")
                session.add(company)
            ctx = ServiceContext(db=db)
            actor = Actor(company_id=company.id, role=Role.INTEGRATION, name="bench")
            integration = await sync.integration_for(ctx, actor, "bench")
            results = []
            for label in ("first sync", "same records again"):
                phases = Phases()
                report = await sync.run(
                    ctx,
                    actor,
                    integration,
                    lambda: records(args.workers, args.jobs, args.entries),
                    source="bench",
                    progress=phases,
                )
                results.append((label, phases, time.perf_counter() - phases.started, report))
                print(
                    f"{label}: {cpu_seconds() - phases.cpu_started:.1f} s CPU in this process",
                    file=sys.stderr,
                )
            return results
        finally:
            await db.dispose()
            if args.database_url:
                await drop(args.database_url, name)


def table(results: list[tuple[str, Phases, float, sync.SyncReport]], backend: str) -> str:
    lines = [
        f"| {backend} run | workers | jobs | time entries | total | peak RSS |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, phases, total, report in results:
        cells = []
        for kind in ("workers", "jobs", "timeEntries"):
            seconds = phases.seconds.get(kind, 0.0)
            count = phases.counts.get(kind, 0)
            cpu = phases.cpu.get(kind, 0.0)
            cells.append(
                f"{count:,} in {seconds:.1f} s ({count / seconds:,.0f}/s, CPU {cpu:.1f} s)"
                if seconds
                else "–"
            )
        k = report.kinds
        assert report.outcome == "SUCCEEDED", report.error
        changed = sum(v.created + v.updated for v in k.values())
        lines.append(
            f"| {label} ({changed:,} written) | "
            + " | ".join(cells)
            + f" | {total:.1f} s | {rss_mib():.0f} MiB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=1_000)
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="PostgreSQL server (default: a SQLite file)")
    args = parser.parse_args()
    before = rss_mib()
    results = asyncio.run(bench(args))
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"Python {platform.python_version()}, {platform.machine()}, RSS before the run {before:.0f} MiB"
    )
    print(table(results, backend))


if __name__ == "__main__":
    main()
