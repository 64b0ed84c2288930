"""HTTP throughput of the GraphQL API beside the plain web stack, measured in the same run.

    python bench/http_bench.py [--seconds 10] [--connections 32] [--json PATH]

One uvicorn worker each (uvloop, httptools, as ``protiv serve`` runs), load from wrk on
loopback, bounded in time:

* the limit: a plain Starlette endpoint that reads a JSON body and answers JSON
  (``bench/baseline_apps.py``), and stock strawberry answering ``{ hello }``, for context;
* ``{ viewer { id } }`` with an admin bearer token: target ≥ 0.35 of the plain endpoint;
* ``proPays(first: 100)`` with status, version, availableActions, the job's name and every line
  item with its worker, from the database (100 ProPays, 500 line items): target ≥ 500 req/s
  and p99 ≤ 250 ms.

With ``PROTIV_BENCH_DATABASE_URL`` (a PostgreSQL server) the two queries run on PostgreSQL
too, and ``protiv serve --workers 2`` is measured against one worker (target ≥ 1.7×), with the
plain endpoint's own scaling from one to two workers beside it.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from harness import (
    LOAD_TOOL,
    Load,
    Result,
    fresh_database,
    pg_server_url,
    plain_server,
    post_script,
    protiv_server,
    write_results,
    wrk,
)

from protiv.domain.roles import Actor, Role
from protiv.persistence.database import create_database
from protiv.persistence.migrate import upgrade
from protiv.persistence.models import Company, ProPay
from protiv.services import pro_pays, sync, tokens
from protiv.services.context import ServiceContext

VIEWER = {"query": "{ viewer { id } }"}
PRO_PAYS = {
    "query": "{ proPays(first: 100) { nodes { id status version availableActions job { name } "
    "lineItems { id amount status worker { name } } } } }"
}
HELLO = {"query": "{ hello }"}
WORKERS = 5
APPROVED = 100
LOOP = "uvloop"
UNCACHED_CONNECTIONS = 4  # ~100 ms a request: 32 at once would only measure the queue


def _batch(jobs: int) -> dict[str, Any]:
    """``jobs`` jobs with a 40 h budget, each worked by the same five workers."""
    workers = [
        {"externalId": f"W-{w}", "name": f"Worker {w}", "wage": "30"} for w in range(WORKERS)
    ]
    job_rows = [
        {"externalId": f"J-{j}", "name": f"Job {j}", "status": "IN_PROGRESS", "budgetHours": "40"}
        for j in range(jobs)
    ]
    entries = [
        {
            "externalId": f"T-{j}-{w}",
            "worker": f"W-{w}",
            "job": f"J-{j}",
            "date": "2026-11-02",
            "hours": "6",
        }
        for j in range(jobs)
        for w in range(WORKERS)
    ]
    return {"workers": workers, "jobs": job_rows, "timeEntries": entries}


async def _seed(url: str) -> str:
    """A company with 110 ProPays, 100 of them approved (5 line items each); an admin token."""
    db = create_database(url, pool_size=2)
    try:
        ctx = ServiceContext(db=db)
        async with db.write() as session, session.begin():
            company = Company(slug="bench", name="Bench Landscaping")
            session.add(company)
        admin = Actor(company.id, Role.ADMIN, "bench")
        await sync.sync_batch(ctx, admin, _batch(APPROVED + 10))
        async with db.read() as session:
            ids = list(
                await session.scalars(ProPay.__table__.select().with_only_columns(ProPay.id))
            )
        for pro_pay_id in sorted(ids)[:APPROVED]:
            await pro_pays.approve(ctx, admin, pro_pay_id)
        return await tokens.create_token(ctx, "bench", Role.ADMIN, name="bench")
    finally:
        await db.dispose()


@contextmanager
def _prepared(server_url: str | None) -> Iterator[tuple[str, str]]:
    """A fresh database, migrated and seeded: (its URL, an admin token)."""
    with fresh_database(server_url) as url:
        upgrade(url)
        yield url, asyncio.run(_seed(url))


def _measure(
    base: str,
    body: dict[str, Any],
    token: str | None,
    args: argparse.Namespace,
    connections: int | None = None,
) -> Load:
    url = f"{base}/graphql"
    script = post_script(body, token)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for _ in range(3):  # one client first: the full path answers once, then the fast path
        httpx.post(url, json=body, headers=headers, timeout=60).raise_for_status()
    connections = connections or args.connections
    wrk(url, script, seconds=2, connections=connections)  # warm: every cache
    load = wrk(url, script, seconds=args.seconds, connections=connections)
    if load.non2xx:
        raise SystemExit(f"{url}: {load.non2xx} answers were not 2xx")
    return load


def _tool(load: Load, connections: int = 32) -> str:
    errors = f", {load.errors} socket errors or timeouts" if load.errors else ""
    return (
        f"{LOAD_TOOL}, {connections} connections, {LOOP}; "
        f"p50 {load.p50:.1f} ms, p99 {load.p99:.1f} ms{errors}"
    )


def _limits(args: argparse.Namespace) -> tuple[Load, Load]:
    with plain_server("baseline_apps:plain") as base:
        plain = _measure(base, VIEWER, None, args)
    with plain_server("baseline_apps:stock") as base:
        stock = _measure(base, HELLO, None, args)
    return plain, stock


def _queries(
    backend: str, server_url: str | None, plain: Load, args: argparse.Namespace
) -> list[Result]:
    with _prepared(server_url) as (url, token):
        with protiv_server(url) as base:
            viewer = _measure(base, VIEWER, token, args)
            listing = _measure(base, PRO_PAYS, token, args)
        with protiv_server(url, env={"PROTIV_ANSWER_CACHE": "0"}) as base:
            executed = _measure(base, PRO_PAYS, token, args, connections=UNCACHED_CONNECTIONS)
    return [
        Result(
            benchmark=f"{{ viewer {{ id }} }} with a token, {backend}, 1 worker",
            figure="req/s",
            ours=viewer.rate,
            unit="req/s",
            limit_name="plain Starlette JSON endpoint",
            limit=plain.rate,
            target="≥ 0.35 × plain",
            met=viewer.rate >= 0.35 * plain.rate,
            notes=_tool(viewer),
        ),
        Result(
            benchmark=f"proPays(first: 100) + line items, {backend}, 1 worker",
            figure="req/s",
            ours=listing.rate,
            unit="req/s",
            limit_name="plain Starlette JSON endpoint",
            limit=plain.rate,
            target="≥ 500 req/s, p99 ≤ 250 ms",
            met=listing.rate >= 500 and listing.p99 <= 250,
            notes="answers kept while the data is unchanged; " + _tool(listing),
            extra={"p99_ms": listing.p99},
        ),
        Result(
            benchmark=f"proPays(first: 100) + line items, executed every time, {backend}",
            figure="req/s",
            ours=executed.rate,
            unit="req/s",
            limit_name="plain Starlette JSON endpoint",
            limit=plain.rate,
            target="(the same target, without the answer cache)",
            met=executed.rate >= 500 and executed.p99 <= 250,
            notes="PROTIV_ANSWER_CACHE=0: what every request costs right after a write; "
            + _tool(executed, UNCACHED_CONNECTIONS),
            extra={"p99_ms": executed.p99},
        ),
    ]


def _scaling(server_url: str, args: argparse.Namespace) -> list[Result]:
    """One worker against two on PostgreSQL, for the cached list (mostly sending 58 KB) and
    for the list executed every time (CPU-bound: where a second process should count)."""
    with plain_server("baseline_apps:plain", workers=1) as base:
        plain_one = _measure(base, VIEWER, None, args)
    with plain_server("baseline_apps:plain", workers=2) as base:
        plain_two = _measure(base, VIEWER, None, args)
    limit = plain_two.rate / plain_one.rate
    rows = []
    with _prepared(server_url) as (url, token):
        for label, env, connections in (
            ("answers kept", {}, None),
            ("executed every time", {"PROTIV_ANSWER_CACHE": "0"}, UNCACHED_CONNECTIONS),
        ):
            rates = []
            for workers in (1, 2):
                with protiv_server(url, workers=workers, env=env) as base:
                    rates.append(_measure(base, PRO_PAYS, token, args, connections).rate)
            ours = rates[1] / rates[0]
            rows.append(
                Result(
                    benchmark=f"protiv serve --workers 2 vs 1, PostgreSQL, proPays(first: 100), "
                    f"{label}",
                    figure="speed-up",
                    ours=ours,
                    unit="×",
                    limit_name="plain Starlette, 2 workers vs 1",
                    limit=limit,
                    target="≥ 1.7×",
                    met=ours >= 1.7,
                    notes=f"{label}: {rates[0]:,.0f} → {rates[1]:,.0f} req/s (plain "
                    f"{plain_one.rate:,.0f} → {plain_two.rate:,.0f}); {LOAD_TOOL}, "
                    f"{connections or args.connections} connections, {LOOP}; wrk, PostgreSQL "
                    "and the servers share the machine's 2 cores",
                )
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--json", help="write the Result rows here")
    args = parser.parse_args()
    plain, stock = _limits(args)
    results = [
        Result(
            benchmark="stock strawberry { hello } (no caches), for context",
            figure="req/s",
            ours=stock.rate,
            unit="req/s",
            limit_name="plain Starlette JSON endpoint",
            limit=plain.rate,
            notes=_tool(stock),
        )
    ]
    results += _queries("SQLite", None, plain, args)
    server = pg_server_url()
    if server:
        results += _queries("PostgreSQL", server, plain, args)
        results += _scaling(server, args)
    write_results(args.json, results)


if __name__ == "__main__":
    main()
