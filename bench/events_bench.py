"""Benchmark of event delivery: the latency of one committed change to N subscribers, each on
its own WebSocket (graphql-transport-ws, ``statusChanged``) to one server process.

    python bench/events_bench.py [--subscribers 1000] [--events 20] [--clients 2]
                                 [--database-url postgresql://...]

One ``protiv serve`` process on a fresh database (SQLite in a temporary directory unless a
PostgreSQL URL is given: the bench makes and drops a database of its own there). The
subscribers are spread over ``--clients`` client processes, so the client side's own work (one
event loop reading N sockets) weighs less on the figures. Then ``--events`` changes, one at a
time (cancel, restore, ... one ProPay over HTTP), each sent once every subscriber got the
previous one. For each event and subscriber, the latency is from the change's ``occurredAt``
(stamped when its unit of work begins, before the commit) to the moment the subscriber's client
read the message: so it includes the transaction, numbering, fan-out, GraphQL execution of the
subscription, the WebSocket write and the client's read. Wall clocks of the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing as mp
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import websockets
from alembic import command
from sqlalchemy.engine import make_url
from websockets.typing import Subprotocol

from protiv.config import normalize_database_url
from protiv.domain.roles import Actor, Role
from protiv.persistence.database import create_database
from protiv.persistence.migrate import alembic_config
from protiv.persistence.models import Base, Company
from protiv.services import sync, tokens
from protiv.services.context import ServiceContext

PROTOCOL = Subprotocol("graphql-transport-ws")
SUBSCRIBE = "subscription { statusChanged(entity: PRO_PAY) { occurredAt to } }"
FLIP = {
    "CANCELED": "mutation($id: ID!) { proPayRestore(input: {id: $id}) { userErrors { code } } }",
    "ACTIVE": "mutation($id: ID!) { proPayCancel(input: {id: $id}) { userErrors { code } } }",
}
BATCH = {
    "workers": [{"externalId": "W-1", "name": "Ana", "wage": "50"}],
    "jobs": [
        {"externalId": "J-1", "name": "Bench job", "status": "IN_PROGRESS", "budgetHours": "40"}
    ],
}


# -- the database and the server ---------------------------------------------------------------


async def _prepare(url: str) -> str:
    """Tables, a company with one ProPay, an admin token."""
    db = create_database(url, pool_size=2)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        ctx = ServiceContext(db=db)
        async with db.write() as session, session.begin():
            company = Company(slug="bench", name="Bench Landscaping")
            session.add(company)
        await sync.sync_batch(ctx, Actor(company.id, Role.ADMIN, "bench"), BATCH)
        return await tokens.create_token(ctx, "bench", Role.ADMIN, name="bench")
    finally:
        await db.dispose()


async def _admin_sql(url: str, statement: str) -> None:
    import asyncpg

    parts = make_url(normalize_database_url(url))
    conn = await asyncpg.connect(
        host=parts.host,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        database=parts.database or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(url: str, log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = _free_port()
    executable = Path(sys.executable).with_name("protiv")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(executable), "serve", "--port", str(port), "--log-level", "warning"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ | {"PROTIV_DATABASE_URL": url},
        )
    host = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server exited: {log.read_text()}")
        try:
            if httpx.get(f"http://{host}/healthz", timeout=1).status_code == 200:
                return host, process
        except httpx.TransportError:
            time.sleep(0.1)
    sys.exit("the server did not come up")


# -- one client process ------------------------------------------------------------------------


class Tally:
    """What one client process's subscribers received, and when each event reached them all."""

    def __init__(self, count: int, events: int) -> None:
        self.count = count
        self.latencies: list[tuple[int, float]] = []  # (which event, latency in seconds)
        self.reached = [0] * (events + 1)
        self.everyone = [asyncio.Event() for _ in range(events + 1)]

    def got(self, nth: int, latency: float) -> None:
        self.latencies.append((nth, latency))
        self.reached[nth] += 1
        if self.reached[nth] == self.count:
            self.everyone[nth].set()


async def _subscriber(host: str, token: str, ready: asyncio.Event, tally: Tally) -> None:
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
    async with websockets.connect(f"ws://{host}/graphql", subprotocols=[PROTOCOL]) as ws:
        await ws.send(json.dumps(init))
        await ws.recv()
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
        ready.set()
        nth = 0
        while True:
            message = await ws.recv()
            read_at = time.time()  # first: the parsing below is the client's, not delivery
            event = json.loads(message)["payload"]["data"]["statusChanged"]
            nth += 1
            tally.got(nth, read_at - datetime.fromisoformat(event["occurredAt"]).timestamp())


async def _client(host: str, token: str, count: int, events: int, pipe: Any) -> None:
    tally = Tally(count, events)
    readies = [asyncio.Event() for _ in range(count)]
    tasks = []
    for ready in readies:  # connect in small waves: the server's accept queue stays short
        tasks.append(asyncio.create_task(_subscriber(host, token, ready, tally)))
        if len(tasks) % 50 == 0:
            await asyncio.gather(*(r.wait() for r in readies[: len(tasks)]))
    await asyncio.gather(*(r.wait() for r in readies))
    await asyncio.sleep(0.5)  # every subscription registered on the server
    gc.freeze()  # the client's collections of its 1,000 sockets' objects are not the server's time
    pipe.send("ready")
    for n in range(1, events + 1):
        await tally.everyone[n].wait()
        pipe.send(n)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    pipe.send(tally.latencies)


def _client_process(host: str, token: str, count: int, events: int, pipe: Any) -> None:
    asyncio.run(_client(host, token, count, events, pipe))


# -- the run -----------------------------------------------------------------------------------


def _fire(host: str, token: str, pro_pay: dict[str, str], pipes: list[Any], events: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"http://{host}", headers=headers) as http:
        for n in range(1, events + 1):
            query = FLIP[pro_pay["status"]]
            answer = http.post(
                "/graphql", json={"query": query, "variables": {"id": pro_pay["id"]}}
            )
            assert "errors" not in answer.json(), answer.text
            pro_pay["status"] = "CANCELED" if pro_pay["status"] == "ACTIVE" else "ACTIVE"
            for pipe in pipes:
                assert pipe.recv() == n


def _first_pro_pay(host: str, token: str) -> dict[str, str]:
    answer = httpx.post(
        f"http://{host}/graphql",
        json={"query": "{ proPays(first: 1) { nodes { id status } } }"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    node: dict[str, str] = answer["data"]["proPays"]["nodes"][0]
    return node


def run(
    url: str, subscribers: int, events: int, clients: int, work: Path
) -> list[tuple[int, float]]:
    clients = max(1, min(clients, subscribers))
    token = asyncio.run(_prepare(url))
    command.stamp(alembic_config(url), "head")  # `protiv serve` finds nothing to migrate
    host, server = _serve(url, work / "server.log")
    try:
        pro_pay = _first_pro_pay(host, token)
        context = mp.get_context("spawn")
        pipes, processes = [], []
        for n in range(clients):
            count = subscribers // clients + (1 if n < subscribers % clients else 0)
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_client_process, args=(host, token, count, events, theirs)
            )
            process.start()
            pipes.append(ours)
            processes.append(process)
        for pipe in pipes:
            assert pipe.recv() == "ready"
        _fire(host, token, pro_pay, pipes, events)
        latencies = [value for pipe in pipes for value in pipe.recv()]
        for process in processes:
            process.join(10)
        return latencies
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--database-url", help="PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(
        resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.subscribers + 256)), hard)
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.database_url:
            name = f"protiv_bench_{uuid.uuid4().hex[:8]}"
            asyncio.run(_admin_sql(args.database_url, f'CREATE DATABASE "{name}"'))
            url = make_url(normalize_database_url(args.database_url)).set(database=name)
            database = url.render_as_string(hide_password=False)
        else:
            database = f"sqlite+aiosqlite:///{work / 'bench.db'}"
        started = time.perf_counter()
        try:
            latencies = run(database, args.subscribers, args.events, args.clients, work)
        finally:
            if args.database_url:
                asyncio.run(
                    _admin_sql(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                )
        elapsed = time.perf_counter() - started
    report(latencies, args, elapsed, "PostgreSQL" if args.database_url else "SQLite")


def report(
    latencies: list[tuple[int, float]], args: argparse.Namespace, elapsed: float, backend: str
) -> None:
    expected = args.subscribers * args.events
    assert len(latencies) == expected, f"{len(latencies)} deliveries, expected {expected}"
    ms = sorted(value * 1000 for _, value in latencies)
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
    per_event: dict[int, list[float]] = {}
    for nth, value in latencies:
        per_event.setdefault(nth, []).append(value * 1000)
    first = statistics.median(min(v) for v in per_event.values())
    last = statistics.median(max(v) for v in per_event.values())
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} cores, {backend}, "
        f"{args.clients} client processes, {elapsed:.1f} s in all, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "| subscribers | events | deliveries | p50 | p90 | p99 | max | first / last reached (median) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.subscribers:,} | {args.events} | {len(ms):,} | {q[49]:.1f} ms | {q[89]:.1f} ms "
        f"| {q[98]:.1f} ms | {ms[-1]:.1f} ms | {first:.1f} / {last:.1f} ms |"
    )


if __name__ == "__main__":
    main()
