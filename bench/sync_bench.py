"""Benchmark of a large sync, with its limit beside it: workers, jobs and time entries generated
on the fly and streamed through ``protiv.services.sync.run`` into a fresh, migrated database;
then, in another fresh database of the same schema holding the same workers and jobs, the same
time-entry rows bulk-loaded straight into the table, the fastest the backend takes them.

    python bench/sync_bench.py                          # 1,000 / 20,000 / 1,000,000; SQLite,
                                                        # and PostgreSQL when
                                                        # PROTIV_BENCH_DATABASE_URL is set
    python bench/sync_bench.py --scale 0.1              # a quicker run: a tenth of each
    python bench/sync_bench.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    python bench/sync_bench.py --json results.json      # Result rows for bench/run.py

The records are made by a generator as the sync asks for them (nothing is held in a list), so
peak memory is the sync's own. Each measurement runs in a fresh process of its own (spawned),
so its peak RSS (``getrusage``) is its own too. A second run of the same records measures the
idempotent path (every record unchanged, nothing written). The limit: SQLite, one
``executemany`` of 5,000 rows per transaction through the standard ``sqlite3`` module (the same
pragmas as the service's engine); PostgreSQL, one ``COPY`` of every row through asyncpg's
``copy_records_to_table``. See bench/notes/sync.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import islice
from multiprocessing import get_context
from typing import Any, TypeVar

from harness import Result, fresh_database, pg_server_url, write_results
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from protiv.config import normalize_database_url
from protiv.domain.roles import Actor, Role
from protiv.persistence.database import create_database
from protiv.persistence.migrate import upgrade
from protiv.persistence.models import Company, Job, Worker
from protiv.services import sync
from protiv.services.context import ServiceContext

Record = tuple[str, Mapping[str, Any]]
T = TypeVar("T")
TARGET_ENTRIES = 1_000_000
TARGET_SECONDS = 60.0
TARGET_RSS_MB = 300.0
CHUNK = 5_000  # the limit's rows per transaction on SQLite: the sync's own chunk size
COLUMNS = (
    "company_id",
    "external_id",
    "worker_id",
    "job_id",
    "work_date",
    "hours",
    "overtime_hours",
    "kind",
)


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


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


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
            rate = done / self.seconds[kind]
            print(
                f"  {kind}: {done:,} ({rate:,.0f}/s, peak RSS {rss_mib():.0f} MiB)", file=sys.stderr
            )


@dataclass
class Run:
    """One sync run's phases, as plain data (it crosses a process boundary)."""

    label: str
    seconds: dict[str, float]
    cpu: dict[str, float]
    counts: dict[str, int]
    total: float
    written: int
    peak_mb: float


@dataclass
class Ours:
    runs: list[Run]
    rss_before_mb: float


@dataclass
class Limit:
    seconds: float
    entries: int
    cpu: float
    peak_mb: float
    how: str
    extra: dict[str, Any] = field(default_factory=dict)


# -- ours: the sync ----------------------------------------------------------------------------


def measure_ours(url: str, workers: int, jobs: int, entries: int) -> Ours:
    """In a fresh process: migrate, then sync everything twice through the service."""
    before = rss_mb()
    upgrade(url)
    return Ours(asyncio.run(_sync_twice(url, workers, jobs, entries)), before)


async def _sync_twice(url: str, workers: int, jobs: int, entries: int) -> list[Run]:
    db = create_database(url, pool_size=2)
    try:
        async with db.write() as session, session.begin():
            company = Company(slug="bench", name="Bench Landscaping")
            session.add(company)
        ctx = ServiceContext(db=db)
        actor = Actor(company_id=company.id, role=Role.INTEGRATION, name="bench")
        integration = await sync.integration_for(ctx, actor, "bench")
        runs = []
        for label in ("first sync", "same records again"):
            phases = Phases()
            report = await sync.run(
                ctx,
                actor,
                integration,
                lambda: records(workers, jobs, entries),
                source="bench",
                progress=phases,
            )
            assert report.outcome == "SUCCEEDED", report.error
            written = sum(v.created + v.updated for v in report.kinds.values())
            total = time.perf_counter() - phases.started
            runs.append(
                Run(label, phases.seconds, phases.cpu, phases.counts, total, written, rss_mb())
            )
            print(f"{label}: {cpu_seconds() - phases.cpu_started:.1f} s CPU", file=sys.stderr)
        return runs
    finally:
        await db.dispose()


# -- the limit: a plain bulk load --------------------------------------------------------------


def prepare_limit(url: str, workers: int, jobs: int) -> int:
    """In a fresh process: migrate and lay down the same workers and jobs; the company's id.
    Apart from the load, so the load's process holds only what loading takes."""
    upgrade(url)
    return asyncio.run(_lay_down(url, workers, jobs))


def measure_limit(url: str, company_id: int, workers: int, jobs: int, entries: int) -> Limit:
    """In a fresh process: load the time entries straight into the table, timed."""
    cpu, start = cpu_seconds(), time.perf_counter()
    if url.startswith("sqlite"):
        how = "sqlite3 executemany, 5,000 rows a transaction"
        loaded = _sqlite_load(str(make_url(url).database), company_id, workers, jobs, entries)
    else:
        how = "asyncpg copy_records_to_table, one COPY"
        loaded = asyncio.run(_postgres_load(url, company_id, workers, jobs, entries))
    seconds = time.perf_counter() - start
    return Limit(seconds, loaded, cpu_seconds() - cpu, rss_mb(), how)


async def _lay_down(url: str, workers: int, jobs: int) -> int:
    """The company, workers and jobs the time entries point at (the same external ids as the
    sync's; no ProPays or events, which the time-entry table does not touch)."""
    db = create_database(url, pool_size=1)
    try:
        async with db.write() as session, session.begin():
            company = Company(slug="bench", name="Bench Landscaping")
            session.add(company)
            await session.flush()
            cid = company.id
            people = [
                {
                    "company_id": cid,
                    "external_id": f"W-{n}",
                    "name": f"Worker {n}",
                    "wage": Decimal(25),
                }
                for n in range(workers)
            ]
            await session.execute(insert(Worker), people)
            await session.execute(
                insert(Job),
                [
                    {"company_id": cid, "external_id": f"J-{n}", "name": f"Job {n}"}
                    for n in range(jobs)
                ],
            )
        return cid
    finally:
        await db.dispose()


def _entries(workers: int, jobs: int, entries: int) -> Iterator[Mapping[str, Any]]:
    """The same time-entry records the sync gets, in the same order."""
    for kind, record in records(workers, jobs, entries):
        if kind == "timeEntries":
            yield record


def _rows(
    company_id: int,
    ids: tuple[dict[str, int], dict[str, int]],
    source: Iterable[Mapping[str, Any]],
    convert: Callable[[str, str], tuple[Any, Any]],
) -> Iterator[tuple[Any, ...]]:
    """Table rows from records: external ids resolved in memory, date and hours converted."""
    worker_ids, job_ids = ids
    zero = convert("2026-01-01", "0")[1]
    for r in source:
        work_date, hours = convert(r["date"], r["hours"])
        worker, job = worker_ids[r["worker"]], job_ids[r["job"]]
        yield (company_id, r["externalId"], worker, job, work_date, hours, zero, "WORK")


def _sqlite_load(path: str, company_id: int, workers: int, jobs: int, entries: int) -> int:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            conn.execute(f"PRAGMA {pragma}")
        ids = (
            dict(
                conn.execute(
                    "SELECT external_id, id FROM worker WHERE company_id = ?", (company_id,)
                )
            ),
            dict(
                conn.execute("SELECT external_id, id FROM job WHERE company_id = ?", (company_id,))
            ),
        )
        # As the sync stores them: the date as ISO text, the decimals as text (Exact on SQLite).
        rows = _rows(company_id, ids, _entries(workers, jobs, entries), lambda d, h: (d, h))
        statement = f"INSERT INTO time_entry ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        loaded = 0
        for chunk in chunks(rows, CHUNK):
            conn.execute("BEGIN")
            conn.executemany(statement, chunk)
            conn.execute("COMMIT")
            loaded += len(chunk)
        return loaded
    finally:
        conn.close()


async def _postgres_load(url: str, company_id: int, workers: int, jobs: int, entries: int) -> int:
    import asyncpg

    parts = make_url(normalize_database_url(url))
    conn = await asyncpg.connect(
        host=parts.host,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        database=parts.database,
    )
    try:
        query = "SELECT external_id, id FROM {} WHERE company_id = $1"
        ids = (
            {r[0]: r[1] for r in await conn.fetch(query.format("worker"), company_id)},
            {r[0]: r[1] for r in await conn.fetch(query.format("job"), company_id)},
        )
        rows = _rows(
            company_id,
            ids,
            _entries(workers, jobs, entries),
            lambda d, h: (date.fromisoformat(d), Decimal(h)),
        )
        status = await conn.copy_records_to_table("time_entry", records=rows, columns=COLUMNS)
        return int(status.split()[-1])  # "COPY 1000000"
    finally:
        await conn.close()


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# -- running and reporting ---------------------------------------------------------------------


def isolated(function: Callable[..., T], *args: Any) -> T:
    """Run ``function`` in a freshly spawned process: its peak RSS is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def bench_backend(server_url: str | None, args: argparse.Namespace) -> tuple[Ours, Limit]:
    sizes = (args.workers, args.jobs, args.entries)
    with fresh_database(server_url) as url:
        company_id = isolated(prepare_limit, url, args.workers, args.jobs)
        limit = isolated(measure_limit, url, company_id, *sizes)
    with fresh_database(server_url) as url:
        ours = isolated(measure_ours, url, *sizes)
    return ours, limit


def table(ours: Ours, limit: Limit, backend: str) -> str:
    lines = [
        f"| {backend} run | workers | jobs | time entries | total | peak RSS |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for run in ours.runs:
        cells = []
        for kind in ("workers", "jobs", "timeEntries"):
            seconds, count = run.seconds.get(kind, 0.0), run.counts.get(kind, 0)
            cpu = run.cpu.get(kind, 0.0)
            cells.append(
                f"{count:,} in {seconds:.1f} s ({count / seconds:,.0f}/s, CPU {cpu:.1f} s)"
                if seconds
                else "–"
            )
        lines.append(
            f"| {run.label} ({run.written:,} written) | "
            + " | ".join(cells)
            + f" | {run.total:.1f} s | {run.peak_mb:.0f} MB |"
        )
    rate = limit.entries / limit.seconds
    lines.append(
        f"| limit: {limit.how} | – | – | {limit.entries:,} in {limit.seconds:.1f} s "
        f"({rate:,.0f}/s, CPU {limit.cpu:.1f} s) | – | {limit.peak_mb:.0f} MB |"
    )
    return "\n".join(lines)


def results(ours: Ours, limit: Limit, backend: str, entries: int, load: str) -> list[Result]:
    """The table's rows: the time entries' wall time and rate, and the peak RSS, each beside
    the bulk load's. The target holds at 1,000,000 entries; a scaled run has no verdict."""
    first = ours.runs[0]
    seconds, loaded = first.seconds["timeEntries"], first.counts["timeEntries"]
    full = entries == TARGET_ENTRIES
    name = f"sync {entries:,} time entries ({backend})"
    limit_name = f"bulk insert: {limit.how}"
    notes = (
        f"first sync, time-entry phase; {first.counts.get('jobs', 0):,} jobs took "
        f"{first.seconds.get('jobs', 0.0):.1f} s before it; {load}"
    )
    rerun = ours.runs[1]
    rerun_rate = rerun.counts["timeEntries"] / rerun.seconds["timeEntries"]
    return [
        Result(name, "wall time", seconds, "s", limit_name, limit.seconds,
               f"≤ {TARGET_SECONDS:.0f} s", seconds <= TARGET_SECONDS if full else None, notes,
               {"cpu_s": first.cpu["timeEntries"], "limit_cpu_s": limit.cpu}),
        Result(name, "time entries/s", loaded / seconds, "entries/s", limit_name,
               limit.entries / limit.seconds, "", None, notes),
        Result(name, "peak RSS", first.peak_mb, "MB", limit_name, limit.peak_mb,
               f"≤ {TARGET_RSS_MB:.0f} MB", first.peak_mb <= TARGET_RSS_MB if full else None,
               f"the whole sync's process (workers, jobs, entries), {ours.rss_before_mb:.0f} MB "
               f"after imports; the limit: the load's own process; {load}"),
        Result(name, "re-sync unchanged, time entries/s", rerun_rate, "entries/s",
               notes=f"the same records again: nothing written; {load}"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--workers", type=int, default=1_000)
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--entries", type=int, default=TARGET_ENTRIES)
    parser.add_argument(
        "--database-url", help="PostgreSQL server only (default: SQLite, and PostgreSQL too "
        "when PROTIV_BENCH_DATABASE_URL is set)"
    )  # fmt: skip
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply the three sizes (0.1: a quick run)"
    )
    parser.add_argument("--json", help="write the Result rows here (for bench/run.py)")
    args = parser.parse_args()
    for size in ("workers", "jobs", "entries"):
        setattr(args, size, max(1, round(getattr(args, size) * args.scale)))
    backends: list[tuple[str, str | None]] = [("PostgreSQL", args.database_url)]
    if not args.database_url:
        backends = [("SQLite", None)] + (
            [("PostgreSQL", pg_server_url())] if pg_server_url() else []
        )
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    rows: list[Result] = []
    for backend, server_url in backends:
        before = os.getloadavg()
        ours, limit = bench_backend(server_url, args)
        after = os.getloadavg()
        load = f"load average {before[0]:.1f} before, {after[0]:.1f} after"
        print(f"\n{backend} ({load}):\n{table(ours, limit, backend)}\n")
        rows += results(ours, limit, backend, args.entries, load)
    write_results(args.json, rows)


if __name__ == "__main__":
    main()
