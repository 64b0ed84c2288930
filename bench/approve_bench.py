"""Benchmark of ``proPayApprove`` under load, with the same writes in raw SQL beside it.

    python bench/approve_bench.py [--seconds 10] [--database-url postgresql://...] [--json PATH]

Per backend, one fresh database (a SQLite file, or a scratch database on the PostgreSQL
server named by ``--database-url`` or PROTIV_BENCH_DATABASE_URL) gets, through the sync
service, 1,000 workers and a job per ProPay with a 40-hour budget and five workers' time
(4 h each): so every approval has savings and makes five HELD line items. ProPay ``n`` is
worked by workers ``5n .. 5n+4`` (mod 1,000), so approvals in flight together touch
different workers' statements, as in a company approving its week.

Ours: ``protiv serve`` (uvicorn, uvloop, httptools) and wrk (32 connections, one thread) for
``--seconds``; the Lua script sends ``proPayApprove`` (with ``expectedVersion``) for the next
ProPay of the run's own list, each ProPay once, and stops when the list runs out. Afterwards
every request must have succeeded: no non-2xx, no socket errors, no response with a userError
(the script writes any such body to a file), and in the database every requested ProPay is
APPROVED with exactly five line items.

The limit: the same approval in raw SQL (asyncpg / aiosqlite, no ORM, no GraphQL) by 32
concurrent tasks over their own ProPays, in the same database: per approval one transaction
that locks the ProPay (FOR UPDATE / BEGIN IMMEDIATE), checks its version, reads its time with
the workers' wages, updates status, version, approval stamp and frozen calculation, makes the
pay period and the workers' statements if missing (insert or nothing, then locked), inserts
the five line items and the event rows (approve, statement opened, line item created), and
numbers the events for the feed (in the transaction on SQLite; on PostgreSQL in a second
transaction under the sequencer's advisory lock, with its NOTIFY, as the server does). For
``--workers 2`` the raw tasks are split over two processes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    LOAD_TOOL,
    Load,
    Result,
    fresh_database,
    pg_server_url,
    protiv_server,
    write_results,
    wrk,
)

from protiv.domain.periods import PayCycle
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import ProPayStatus
from protiv.persistence.database import create_database
from protiv.persistence.migrate import upgrade
from protiv.persistence.models import Company, LineItem, ProPay
from protiv.services import sync, tokens
from protiv.services.context import ServiceContext

WORKERS = 1_000
CREW = 5  # workers per ProPay: five line items per approval
CONNECTIONS = 32
HEADROOM = {"sqlite": 400, "postgresql": 700}  # ProPays prepared per run and second
MUTATION = (
    "mutation($id: ID!, $v: Int) { proPayApprove(input: {id: $id, expectedVersion: $v}) "
    "{ proPay { id status version } event { id } userErrors { code message } } }"
)
ACTOR = "admin:bench"


# -- the data ------------------------------------------------------------------------------------


def records(count: int) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Workers, one job per ProPay (its ProPay is made by the sync), five workers' time each."""
    for n in range(WORKERS):
        yield "workers", {"externalId": f"W-{n}", "name": f"Worker {n}", "wage": "25"}
    for j in range(count):
        job = {"externalId": f"J-{j}", "name": f"Job {j}", "status": "IN_PROGRESS"}
        yield "jobs", job | {"budgetHours": "40"}
    for j in range(count):
        for k in range(CREW):
            yield (
                "timeEntries",
                {
                    "externalId": f"T-{j}-{k}",
                    "worker": f"W-{(CREW * j + k) % WORKERS}",
                    "job": f"J-{j}",
                    "date": "2026-03-02",
                    "hours": "4",
                },
            )


@dataclass(frozen=True)
class Prepared:
    token: str
    company_id: int
    pro_pays: list[tuple[int, int]]  # (id, version), in id order
    seconds: float


async def _prepare(url: str, count: int) -> Prepared:
    started = time.perf_counter()
    db = create_database(url, pool_size=2)
    try:
        async with db.write() as session, session.begin():
            company = Company(slug="bench", name="Bench Landscaping")
            session.add(company)
        ctx = ServiceContext(db=db)
        actor = Actor(company.id, Role.INTEGRATION, "bench")
        integration = await sync.integration_for(ctx, actor, "bench")
        report = await sync.run(ctx, actor, integration, lambda: records(count), source="bench")
        assert report.outcome == "SUCCEEDED", report.error
        token = await tokens.create_token(ctx, "bench", Role.ADMIN, name="bench")
        async with db.read() as session:
            rows = await session.execute(select(ProPay.id, ProPay.version).order_by(ProPay.id))
            pro_pays = [(row.id, row.version) for row in rows]
        assert len(pro_pays) == count, f"{len(pro_pays)} ProPays for {count} jobs"
        return Prepared(token, company.id, pro_pays, time.perf_counter() - started)
    finally:
        await db.dispose()


def prepare(url: str, count: int) -> Prepared:
    upgrade(url)  # the real schema, migrations and all; `protiv serve` finds nothing to do
    return asyncio.run(_prepare(url, count))


# -- ours: protiv serve under wrk ----------------------------------------------------------------


def global_id(pk: int) -> str:
    import base64

    return base64.b64encode(f"ProPay:{pk}".encode()).decode()


def approve_script(token: str, pro_pays: list[tuple[int, int]], bad_path: str) -> str:
    """wrk Lua: each request approves the next ProPay of the list, once; a response without
    an empty ``userErrors`` is appended to ``bad_path``."""
    bodies = [
        json.dumps({"query": MUTATION, "variables": {"id": global_id(pk), "v": version}})
        for pk, version in pro_pays
    ]
    table = ",\n".join(json.dumps(body) for body in bodies)  # JSON strings are Lua strings
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
local bodies = {{
{table}
}}
local next_one = 1
request = function()
  if next_one > #bodies then
    wrk.thread:stop()
    return wrk.format(nil, "/healthz")
  end
  local body = bodies[next_one]
  next_one = next_one + 1
  return wrk.format("POST", "/graphql", nil, body)
end
response = function(status, headers, body)
  if status == 200 and not string.find(body, '"userErrors":[]', 1, true) then
    local out = io.open("{bad_path}", "a")
    out:write(body, "\\n")
    out:close()
  end
end
"""


@dataclass(frozen=True)
class Checked:
    load: Load
    approved: int
    items: int
    bad: list[str]
    listed: int  # ProPays the script could send

    @property
    def ran_out(self) -> bool:
        """Every ProPay of the list was sent (wrk stopped early; the rate still holds)."""
        return self.approved == self.listed

    @property
    def ok(self) -> bool:
        return (
            not self.bad
            and self.load.non2xx == 0
            and self.load.errors == 0
            and self.approved >= min(self.load.requests, self.listed)
            and self.items == CREW * self.approved
        )

    def problems(self) -> str:
        if self.ok:
            return ""
        first = self.bad[0][:300] if self.bad else ""
        return (
            f"NOT ALL SUCCEEDED: {len(self.bad)} userErrors {first}, non-2xx "
            f"{self.load.non2xx}, socket errors {self.load.errors}, {self.approved} approved "
            f"for {self.load.requests} answered, {self.items} line items"
        )


async def _count(url: str, ids: list[int]) -> tuple[int, int]:
    """APPROVED ProPays among ``ids`` and their line items."""
    db = create_database(url, pool_size=1)
    try:
        async with db.read() as session:
            approved = await session.scalar(
                select(func.count())
                .select_from(ProPay)
                .where(ProPay.id.in_(ids), ProPay.status == ProPayStatus.APPROVED)
            )
            items = await session.scalar(
                select(func.count()).select_from(LineItem).where(LineItem.pro_pay_id.in_(ids))
            )
        return int(approved or 0), int(items or 0)
    finally:
        await db.dispose()


def run_ours(
    url: str, prepared: Prepared, run: list[tuple[int, int]], workers: int, seconds: float
) -> Checked:
    with tempfile.NamedTemporaryFile("r", suffix=".bad", delete=False) as bad_file:
        bad_path = bad_file.name
    try:
        script = approve_script(prepared.token, run, bad_path)
        with protiv_server(url, workers=workers) as base:
            load = wrk(base + "/graphql", script, seconds=round(seconds), connections=CONNECTIONS)
            time.sleep(0.5)  # requests still in flight when wrk stopped finish
        bad = Path(bad_path).read_text().splitlines()
    finally:
        os.unlink(bad_path)
    approved, items = asyncio.run(_count(url, [pk for pk, _ in run]))
    return Checked(load, approved, items, bad, len(run))


# -- the limit: the same writes in raw SQL -------------------------------------------------------

NUMBER_SQL = """
WITH todo AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n
    FROM event WHERE position IS NULL ORDER BY id LIMIT 5000
), head AS (SELECT coalesce(max(position), 0) AS p FROM event)
UPDATE event SET position = head.p + todo.n FROM todo, head WHERE event.id = todo.id
RETURNING event.id, event.position
"""
SEQUENCER_LOCK = 0x7072_6F74_6976


@dataclass(frozen=True)
class CompanyRow:
    id: int
    timezone: str
    waiting_days: int
    kind: str
    anchor: date


def shares(rows: list[tuple[int, Decimal, Decimal]], budget_hours: Decimal) -> dict[int, Decimal]:
    """Savings split by hours over the crew (70 % crew bucket): the raw side's calculation."""
    hours = sum((h for _, h, _ in rows), Decimal(0))
    wage = sum((h * w for _, h, w in rows), Decimal(0)) / hours
    bucket = ((budget_hours - hours) * wage * Decimal("0.7")).quantize(Decimal("0.01"))
    return {worker: (bucket * h / hours).quantize(Decimal("0.01")) for worker, h, _ in rows}


def calculation_json(amounts: dict[int, Decimal]) -> str:
    """A frozen calculation of about the size ours stores (2.8 kB)."""
    return json.dumps(
        {
            "shares": [
                {"worker_id": w, "amount": str(a), "bucket": "CREW", "note": "x" * 300}
                for w, a in amounts.items()
            ],
            "totals": {"budget": "1000.00", "actual": "500.00", "savings": "500.00"},
        },
        sort_keys=True,
    )


def period_start(company: CompanyRow, now: datetime) -> tuple[date, date]:
    cycle = PayCycle.of((company.kind, company.anchor), None)
    period = cycle.period(now.astimezone(ZoneInfo(company.timezone)).date())
    return period.starts_on, period.ends_on


async def _raw_pg(
    dsn: str, company: CompanyRow, ids: list[tuple[int, int]], tasks: int, seconds: float
) -> int:
    import asyncpg

    pool = await asyncpg.create_pool(dsn, min_size=tasks, max_size=tasks)
    queue = list(reversed(ids))
    deadline = time.perf_counter() + seconds
    done = 0

    async def approve_one(pk: int, version: int) -> None:
        now = datetime.now(UTC)
        async with pool.acquire() as conn:
            async with conn.transaction():
                row = await conn.fetchrow(
                    "SELECT status, version, job_id, budget_hours FROM pro_pay "
                    "WHERE id = $1 AND company_id = $2 FOR UPDATE",
                    pk,
                    company.id,
                )
                assert row["version"] == version
                assert row["status"] == "ACTIVE"
                time_rows = await conn.fetch(
                    "SELECT t.worker_id, sum(t.hours::numeric) AS h, w.wage "
                    "FROM time_entry t JOIN worker w ON w.id = t.worker_id "
                    "WHERE t.job_id = $1 GROUP BY t.worker_id, w.wage ORDER BY t.worker_id",
                    row["job_id"],
                )
                amounts = shares(
                    [(r["worker_id"], Decimal(r["h"]), Decimal(r["wage"])) for r in time_rows],
                    Decimal(row["budget_hours"]),
                )
                await conn.execute(
                    "UPDATE pro_pay SET status = 'APPROVED', version = version + 1, "
                    "approved_at = $2, approved_by = $3, calculation = $4 "
                    "WHERE id = $1 AND version = $5",
                    pk,
                    now,
                    ACTOR,
                    calculation_json(amounts),
                    version,
                )
                starts, ends = period_start(company, now)
                await conn.execute(
                    "INSERT INTO pay_period (company_id, kind, starts_on, ends_on) "
                    "VALUES ($1, $2, $3, $4) ON CONFLICT (company_id, kind, starts_on) DO NOTHING",
                    company.id,
                    company.kind,
                    starts,
                    ends,
                )
                period = await conn.fetchval(
                    "SELECT id FROM pay_period WHERE company_id = $1 AND kind = $2 "
                    "AND starts_on = $3",
                    company.id,
                    company.kind,
                    starts,
                )
                worker_ids = sorted(amounts)
                opened = await conn.fetch(
                    "INSERT INTO statement (company_id, worker_id, pay_period_id, status, "
                    "version, rollover, carried_forward, written_off) "
                    "SELECT $1, w, $3, 'OPEN', 1, 0, 0, 0 FROM unnest($2::bigint[]) AS w "
                    "ON CONFLICT (worker_id, pay_period_id) DO NOTHING RETURNING id",
                    company.id,
                    worker_ids,
                    period,
                )
                statements = await conn.fetch(
                    "SELECT id, worker_id, status FROM statement "
                    "WHERE worker_id = ANY($1::bigint[]) AND pay_period_id = $2 "
                    "ORDER BY worker_id FOR UPDATE",
                    worker_ids,
                    period,
                )
                assert all(s["status"] == "OPEN" for s in statements)
                release = now + timedelta(days=company.waiting_days)
                items = await conn.fetch(
                    "INSERT INTO line_item (company_id, worker_id, statement_id, pro_pay_id, "
                    "source, kind, bucket, category, amount, status, version, created_at, "
                    "release_at, note) SELECT $1, w, s, $4, 'PRO_PAY', 'BONUS', 'CREW', "
                    "'PROPAY', a, 'HELD', 1, $6, $7, 'crew share' "
                    "FROM unnest($2::bigint[], $3::bigint[], $5::numeric[]) AS x(w, s, a) "
                    "RETURNING id",
                    company.id,
                    [s["worker_id"] for s in statements],
                    [s["id"] for s in statements],
                    pk,
                    [amounts[s["worker_id"]] for s in statements],
                    now,
                    release,
                )
                entities = ["PRO_PAY"] + ["STATEMENT"] * len(opened) + ["LINE_ITEM"] * len(items)
                entity_ids = [pk] + [o["id"] for o in opened] + [i["id"] for i in items]
                triggers = ["approve"] + ["open"] * len(opened) + ["create"] * len(items)
                froms = ["ACTIVE"] + [None] * (len(opened) + len(items))
                tos = ["APPROVED"] + ["OPEN"] * len(opened) + ["HELD"] * len(items)
                versions = [version + 1] + [1] * (len(opened) + len(items))
                await conn.execute(
                    "INSERT INTO event (company_id, entity, entity_id, trigger, from_status, "
                    "to_status, version, actor, occurred_at) "
                    "SELECT $1, e, i, t, f, s, v, $8, $9 FROM unnest($2::text[], $3::bigint[], "
                    "$4::text[], $5::text[], $6::text[], $7::int[]) AS x(e, i, t, f, s, v)",
                    company.id,
                    entities,
                    entity_ids,
                    triggers,
                    froms,
                    tos,
                    versions,
                    ACTOR,
                    now,
                )
            async with conn.transaction():  # the feed's sequencer, after the commit
                await conn.execute("SELECT pg_advisory_xact_lock($1)", SEQUENCER_LOCK)
                numbered = await conn.fetch(NUMBER_SQL)
                if numbered:
                    head = max(r["position"] for r in numbered)
                    await conn.execute("SELECT pg_notify('protiv_events', $1)", str(head))

    async def worker() -> None:
        nonlocal done
        while queue and time.perf_counter() < deadline:
            pk, version = queue.pop()
            await approve_one(pk, version)
            done += 1

    try:
        await asyncio.gather(*(worker() for _ in range(tasks)))
    finally:
        await pool.close()
    return done


async def _sqlite_approve(conn: Any, company: CompanyRow, pk: int, version: int) -> None:
    """One approval by hand on SQLite: everything inside BEGIN IMMEDIATE ... COMMIT."""
    now = datetime.now(UTC)
    stamp = now.replace(tzinfo=None).isoformat(" ")
    await conn.execute("BEGIN IMMEDIATE")
    try:
        cur = await conn.execute(
            "SELECT status, version, job_id, budget_hours FROM pro_pay "
            "WHERE id = ? AND company_id = ?",
            (pk, company.id),
        )
        status, current, job_id, budget = await cur.fetchone()
        assert current == version
        assert status == "ACTIVE"
        cur = await conn.execute(
            "SELECT t.worker_id, t.hours, w.wage FROM time_entry t "
            "JOIN worker w ON w.id = t.worker_id WHERE t.job_id = ? ORDER BY t.worker_id",
            (job_id,),
        )
        by_worker: dict[int, tuple[Decimal, Decimal]] = {}
        for worker_id, hours, wage in await cur.fetchall():
            h, _ = by_worker.get(worker_id, (Decimal(0), Decimal(0)))
            by_worker[worker_id] = (h + Decimal(hours), Decimal(wage))
        amounts = shares([(w, h, g) for w, (h, g) in by_worker.items()], Decimal(budget))
        await conn.execute(
            "UPDATE pro_pay SET status = 'APPROVED', version = version + 1, approved_at = ?, "
            "approved_by = ?, calculation = ? WHERE id = ? AND version = ?",
            (stamp, ACTOR, calculation_json(amounts), pk, version),
        )
        starts, ends = period_start(company, now)
        await conn.execute(
            "INSERT INTO pay_period (company_id, kind, starts_on, ends_on) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (company_id, kind, starts_on) DO NOTHING",
            (company.id, company.kind, starts.isoformat(), ends.isoformat()),
        )
        cur = await conn.execute(
            "SELECT id FROM pay_period WHERE company_id = ? AND kind = ? AND starts_on = ?",
            (company.id, company.kind, starts.isoformat()),
        )
        (period,) = await cur.fetchone()
        worker_ids = sorted(amounts)
        marks = ",".join("?" * len(worker_ids))
        cur = await conn.execute(
            "INSERT INTO statement (company_id, worker_id, pay_period_id, status, version, "
            "rollover, carried_forward, written_off) SELECT ?, value, ?, 'OPEN', 1, '0', '0', "
            "'0' FROM json_each(?) WHERE true ON CONFLICT (worker_id, pay_period_id) "
            "DO NOTHING RETURNING id",
            (company.id, period, json.dumps(worker_ids)),
        )
        opened = [r[0] for r in await cur.fetchall()]
        cur = await conn.execute(
            f"SELECT id, worker_id, status FROM statement WHERE worker_id IN ({marks}) "
            "AND pay_period_id = ? ORDER BY worker_id",
            (*worker_ids, period),
        )
        statements = await cur.fetchall()
        assert all(s[2] == "OPEN" for s in statements)
        release = (now + timedelta(days=company.waiting_days)).replace(tzinfo=None).isoformat(" ")
        rows = ",".join(
            ["(?, ?, ?, ?, 'PRO_PAY', 'BONUS', 'CREW', 'PROPAY', ?, 'HELD', 1, ?, ?, ?)"]
            * len(statements)
        )
        params: list[Any] = []
        for statement_id, worker_id, _ in statements:
            params += [
                company.id,
                worker_id,
                statement_id,
                pk,
                str(amounts[worker_id]),
                stamp,
                release,
                "crew share",
            ]
        cur = await conn.execute(
            "INSERT INTO line_item (company_id, worker_id, statement_id, pro_pay_id, source, "
            "kind, bucket, category, amount, status, version, created_at, release_at, note) "
            f"VALUES {rows} RETURNING id",
            params,
        )
        items = [r[0] for r in await cur.fetchall()]
        events = (
            [("PRO_PAY", pk, "approve", "ACTIVE", "APPROVED", version + 1)]
            + [("STATEMENT", s, "open", None, "OPEN", 1) for s in opened]
            + [("LINE_ITEM", i, "create", None, "HELD", 1) for i in items]
        )
        params = []
        for event in events:
            params += [company.id, *event, ACTOR, stamp]
        rows = ",".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(events))
        await conn.execute(
            'INSERT INTO event (company_id, entity, entity_id, "trigger", from_status, '
            f"to_status, version, actor, occurred_at) VALUES {rows}",
            params,
        )
        cur = await conn.execute(NUMBER_SQL)
        await cur.fetchall()
        await conn.execute("COMMIT")
    except BaseException:
        await conn.execute("ROLLBACK")
        raise


async def _raw_sqlite(
    path: str, company: CompanyRow, ids: list[tuple[int, int]], tasks: int, seconds: float
) -> int:
    """SQLite is one writer at a time: the tasks share a few connections (as our pool does)
    and serialise on BEGIN IMMEDIATE; an asyncio lock in front spares SQLite's busy sleeps."""
    import aiosqlite

    connections: asyncio.Queue[Any] = asyncio.Queue()
    opened_connections = []
    for _ in range(4):
        conn = await aiosqlite.connect(path, isolation_level=None)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            await conn.execute(f"PRAGMA {pragma}")
        opened_connections.append(conn)
        connections.put_nowait(conn)
    writer = asyncio.Lock()
    queue = list(reversed(ids))
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while queue and time.perf_counter() < deadline:
            pk, version = queue.pop()
            conn = await connections.get()
            try:
                async with writer:
                    await _sqlite_approve(conn, company, pk, version)
            finally:
                connections.put_nowait(conn)
            done += 1

    try:
        await asyncio.gather(*(worker() for _ in range(tasks)))
    finally:
        for conn in opened_connections:
            await conn.close()
    return done


async def _company(url: str) -> CompanyRow:
    db = create_database(url, pool_size=1)
    try:
        async with db.read() as session:
            row = (await session.scalars(select(Company))).one()
        return CompanyRow(
            row.id, row.timezone, row.waiting_days, str(row.pay_period_kind), row.pay_period_anchor
        )
    finally:
        await db.dispose()


def _raw_run(
    url: str, company: CompanyRow, ids: list[tuple[int, int]], tasks: int, seconds: float
) -> tuple[int, float]:
    started = time.perf_counter()
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1]
        done = asyncio.run(_raw_sqlite(path, company, ids, tasks, seconds))
    else:
        dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        done = asyncio.run(_raw_pg(dsn, company, ids, tasks, seconds))
    return done, time.perf_counter() - started


def run_raw(
    url: str, run: list[tuple[int, int]], processes: int, seconds: float
) -> tuple[float, int]:
    """Approvals per second of the raw-SQL limit, and how many were done."""
    company = asyncio.run(_company(url))
    if processes == 1:
        done, elapsed = _raw_run(url, company, run, CONNECTIONS, seconds)
        return done / elapsed, done
    share = [run[i::processes] for i in range(processes)]
    spawn = mp.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=spawn) as pool:
        futures = [
            pool.submit(_raw_run, url, company, part, CONNECTIONS // processes, seconds)
            for part in share
        ]
        answers = [future.result() for future in futures]
    done = sum(d for d, _ in answers)
    return done / max(e for _, e in answers), done


# -- one backend ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mode:
    name: str  # "SQLite" / "PostgreSQL"
    workers: int
    target: float | None  # approvals/s the issue asks for; None: for information


def modes(backend: str) -> list[Mode]:
    if backend == "sqlite":
        return [Mode("SQLite", 1, 300)]
    return [Mode("PostgreSQL", 2, 1_000), Mode("PostgreSQL", 1, None)]


def rows_for(
    mode: Mode, checked: Checked, raw_rate: float, raw_done: int, load_avg: str
) -> list[Result]:
    load = checked.load
    ours = load.requests / load.seconds
    ratio = ours / raw_rate if raw_rate else 0.0
    met = None
    if mode.target is not None:
        met = checked.ok and ours >= mode.target and ratio >= 0.5
    plural = "s" if mode.workers > 1 else ""
    name = f"proPayApprove, {mode.name}, {mode.workers} worker{plural}"
    target = f"≥ {mode.target:,.0f}/s and ≥ ½ raw SQL" if mode.target else "(for information)"
    notes = (
        f"{load.requests:,} approvals in {load.seconds:.1f} s, 5 line items each; p50 "
        f"{load.p50:.1f} ms, p99 {load.p99:.1f} ms ({LOAD_TOOL}, uvloop, {CONNECTIONS} "
        f"connections); raw: {raw_done:,} approvals, {CONNECTIONS} tasks"
        + (f" in {mode.workers} processes" if mode.workers > 1 else "")
        + f"; load average {load_avg}"
    )
    problems = checked.problems()
    if checked.ran_out:
        notes += f"; all {checked.listed:,} prepared ProPays approved before the time was up"
    if problems:
        notes = f"{problems}; {notes}"
    return [
        Result(
            benchmark=name,
            figure="approvals/s",
            ours=ours,
            unit="/s",
            limit_name="raw SQL, same writes",
            limit=raw_rate,
            target=target,
            met=met,
            notes=notes,
            extra={"ratio": ratio, "requests": load.requests, "approved": checked.approved},
        ),
        Result(
            benchmark=name,
            figure="p99",
            ours=load.p99,
            unit="ms",
            notes=f"{LOAD_TOOL}, uvloop, {CONNECTIONS} connections, {load.seconds:.1f} s",
        ),
    ]


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def bench_backend(server_url: str | None, seconds: float) -> list[Result]:
    backend = "sqlite" if server_url is None else "postgresql"
    chosen = modes(backend)
    per_run = int(seconds * HEADROOM[backend])
    results: list[Result] = []
    with fresh_database(server_url) as url:
        # ours needs a run's worth per mode; the raw side gets as many again per mode
        prepared = prepare(url, per_run * 2 * len(chosen))
        print(
            f"{backend}: {len(prepared.pro_pays):,} ProPays prepared in {prepared.seconds:.1f} s",
            file=sys.stderr,
        )
        runs = iter(
            prepared.pro_pays[i : i + per_run] for i in range(0, len(prepared.pro_pays), per_run)
        )
        for mode in chosen:
            load_avg = load_average()
            checked = run_ours(url, prepared, next(runs), mode.workers, seconds)
            print(f"  ours ({mode.workers} worker): {checked.load}", file=sys.stderr)
            raw_rate, raw_done = run_raw(url, next(runs), mode.workers, seconds)
            print(f"  raw: {raw_rate:,.0f}/s ({raw_done:,})", file=sys.stderr)
            results += rows_for(mode, checked, raw_rate, raw_done, load_avg)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--database-url", default=pg_server_url(), help="PostgreSQL server")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one backend only")
    parser.add_argument("--json", help="write the Result rows here")
    args = parser.parse_args()
    results: list[Result] = []
    if args.only != "postgresql":
        results += bench_backend(None, args.seconds)
    if args.only != "sqlite" and args.database_url:
        results += bench_backend(args.database_url, args.seconds)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
