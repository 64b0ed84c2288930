"""Benchmark of event delivery: the latency of one committed change to N subscribers, each on
its own WebSocket (graphql-transport-ws, ``statusChanged``) to one server process, beside the
same broadcast by a minimal Starlette app (``bench/baseline_ws.py``) in the same run.

    python bench/events_bench.py [--subscribers 1000] [--events 20] [--clients 2]
                                 [--database-url postgresql://...] [--json PATH]
                                 [--profile DIR]

First the limit: ``bench/baseline_ws.py`` under uvicorn with ``protiv serve``'s options, the
same subscribers, each event fired by an HTTP POST and stamped when the server has it. Then one
``protiv serve`` process on a fresh SQLite database, and on PostgreSQL too when a server URL is
given (``--database-url`` or PROTIV_BENCH_DATABASE_URL: the bench makes and drops a database of
its own there). The subscribers are spread over ``--clients`` client processes, so the client
side's own work (one event loop reading N sockets) weighs less on the figures. Then
``--events`` changes, one at a time (cancel, restore, ... one ProPay over HTTP), each sent once
every subscriber got the previous one. For each event and subscriber, the latency is from the
change's ``occurredAt`` (stamped when its unit of work begins, before the commit) to the moment
the subscriber's client read the message: so it includes the transaction, numbering, fan-out,
GraphQL execution of the subscription, the WebSocket write and the client's read. Wall clocks
of the same machine. ``--profile DIR`` records the server with py-spy while the events fire.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import websockets
from alembic import command
from harness import Result, fresh_database, pg_server_url, wait_healthy, write_results
from websockets.typing import Subprotocol

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


def _launch(command: list[str], env: dict[str, str], log: Path) -> tuple[str, Any]:
    """Start a server on a free loopback port; its host:port and process once it is healthy."""
    port = _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, env=env
        )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log, "/healthz")
    except BaseException:
        process.terminate()
        raise
    return f"127.0.0.1:{port}", process


@contextmanager
def _server(command: list[str], env: dict[str, str], log: Path) -> Iterator[tuple[str, Any]]:
    host, process = _launch(command, env, log)
    try:
        yield host, process
    finally:
        process.terminate()
        process.wait(20)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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

Fire = Callable[[int], None]  # sends the nth event; returns once the server has it


@contextmanager
def _profiled(pid: int, folder: Path | None, name: str) -> Iterator[None]:
    """py-spy records the server while the block runs (nothing without ``--profile``)."""
    if folder is None:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    out = folder / f"{name}.txt"
    options = ["--subprocesses", "--format", "raw", "--rate", "200", "-o", str(out)]
    recorder = subprocess.Popen(
        [str(spy), "record", "--pid", str(pid), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)  # attached before the first event
    try:
        yield
    finally:
        recorder.send_signal(2)  # SIGINT: py-spy writes what it has
        recorder.wait(30)


def _measure(
    host: str, token: str, args: argparse.Namespace, fire: Fire, during: Callable[[], Any]
) -> list[tuple[int, float]]:
    """Subscribers connect from client processes; events fire one at a time, each once every
    subscriber has the previous one (inside ``during()``, a context manager); every delivery's
    latency, with its event's number."""
    clients = max(1, min(args.clients, args.subscribers))
    context = mp.get_context("spawn")
    pipes, processes = [], []
    for n in range(clients):
        count = args.subscribers // clients + (1 if n < args.subscribers % clients else 0)
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_client_process, args=(host, token, count, args.events, theirs)
        )
        process.start()
        pipes.append(ours)
        processes.append(process)
    try:
        for pipe in pipes:
            assert pipe.recv() == "ready"
        with during():
            for n in range(1, args.events + 1):
                fire(n)
                for pipe in pipes:
                    assert pipe.recv() == n
        return [value for pipe in pipes for value in pipe.recv()]
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.terminate()


def _protiv_fire(host: str, token: str) -> Fire:
    """Each call cancels or restores one ProPay over HTTP: one committed status change."""
    headers = {"Authorization": f"Bearer {token}"}
    http = httpx.Client(base_url=f"http://{host}", headers=headers)
    answer = http.post("/graphql", json={"query": "{ proPays(first: 1) { nodes { id status } } }"})
    pro_pay: dict[str, str] = answer.json()["data"]["proPays"]["nodes"][0]

    def fire(_n: int) -> None:
        query = FLIP[pro_pay["status"]]
        answer = http.post("/graphql", json={"query": query, "variables": {"id": pro_pay["id"]}})
        assert "errors" not in answer.json(), answer.text
        pro_pay["status"] = "CANCELED" if pro_pay["status"] == "ACTIVE" else "ACTIVE"

    return fire


def run_protiv(url: str, args: argparse.Namespace, work: Path) -> list[tuple[int, float]]:
    token = asyncio.run(_prepare(url))
    command.stamp(alembic_config(url), "head")  # `protiv serve` finds nothing to migrate
    serve = [str(Path(sys.executable).with_name("protiv")), "serve", "--log-level", "warning"]
    serve += ["--workers", str(args.workers)]
    env = os.environ | {"PROTIV_DATABASE_URL": url}
    with _server(serve, env, work / "server.log") as (host, process):
        fire = _protiv_fire(host, token)
        name = "protiv-" + ("sqlite" if url.startswith("sqlite") else "postgresql")
        return _measure(host, token, args, fire, lambda: _profiled(process.pid, args.profile, name))


def run_baseline(args: argparse.Namespace, work: Path) -> list[tuple[int, float]]:
    script = Path(__file__).with_name("baseline_ws.py")
    with _server([sys.executable, str(script)], dict(os.environ), work / "baseline.log") as (
        host,
        process,
    ):
        http = httpx.Client(base_url=f"http://{host}")

        def fire(n: int) -> None:
            http.post("/fire", json={"to": "CANCELED" if n % 2 else "ACTIVE"}).raise_for_status()

        profile = lambda: _profiled(process.pid, args.profile, "baseline")  # noqa: E731
        return _measure(host, "-", args, fire, profile)


# -- the figures -------------------------------------------------------------------------------


class Figures:
    """Percentiles (ms) of one run's deliveries, and when the first and last subscriber of each
    event had it (median over the events)."""

    def __init__(self, latencies: list[tuple[int, float]], expected: int) -> None:
        assert len(latencies) == expected, f"{len(latencies)} deliveries, expected {expected}"
        ms = sorted(value * 1000 for _, value in latencies)
        q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
        per_event: dict[int, list[float]] = {}
        for nth, value in latencies:
            per_event.setdefault(nth, []).append(value * 1000)
        self.deliveries = len(ms)
        self.p50, self.p90, self.p99, self.max = q[49], q[89], q[98], ms[-1]
        self.first = statistics.median(min(v) for v in per_event.values())
        self.last = statistics.median(max(v) for v in per_event.values())
        self.load = os.getloadavg()[0]

    def row(self, name: str) -> str:
        return (
            f"| {name} | {self.deliveries:,} | {self.p50:.1f} ms | {self.p90:.1f} ms "
            f"| {self.p99:.1f} ms | {self.max:.1f} ms | {self.first:.1f} / {self.last:.1f} ms "
            f"| {self.load:.1f} |"
        )

    def extra(self) -> dict[str, float]:
        keys = ("p50", "p90", "p99", "max", "first", "last", "load")
        return {key: round(getattr(self, key), 2) for key in keys}


LIMIT = "Starlette WebSocket broadcast"
TARGET_MS = 50.0


def results(backend: str, ours: Figures, limit: Figures, args: argparse.Namespace) -> list[Result]:
    workers = f", --workers {args.workers}" if args.workers > 1 else ""
    name = f"events: one event to {args.subscribers:,} subscribers ({backend}{workers})"
    notes = (
        f"{args.events} events, protiv serve --workers {args.workers}, {args.clients} client processes "
        f"(websockets); load average {ours.load:.1f}"
    )
    extra = {"ours": ours.extra(), "limit": limit.extra()}
    return [
        Result(name, "p50", ours.p50, "ms", LIMIT, limit.p50, notes=notes, extra=extra),
        Result(
            name,
            "p99",
            ours.p99,
            "ms",
            LIMIT,
            limit.p99,
            target=f"p99 ≤ {TARGET_MS:.0f} ms",
            met=ours.p99 <= TARGET_MS,
            notes=notes,
            extra=extra,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument(
        "--workers", type=int, default=1, help="protiv serve --workers (the baseline has one)"
    )
    parser.add_argument(
        "--database-url", default=pg_server_url(), help="PostgreSQL server URL (also SQLite)"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--json", help="write the Result rows here (bench/run.py)")
    parser.add_argument("--profile", type=Path, help="py-spy raw profiles of the servers here")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(
        resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.subscribers + 256)), hard)
    )
    expected = args.subscribers * args.events
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} cores, uvicorn (uvloop, "
        f"websockets-sansio, no deflate), {args.subscribers:,} subscribers over {args.clients} "
        f"client processes (websockets), {args.events} events"
    )
    print("| server | deliveries | p50 | p90 | p99 | max | first / last reached | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    rows: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        limit = Figures(run_baseline(args, work), expected)
        print(limit.row("baseline"), flush=True)
        backends = [] if args.no_sqlite else [("SQLite", None)]
        if args.database_url:
            backends.append(("PostgreSQL", args.database_url))
        for backend, server_url in backends:
            with fresh_database(server_url) as url:
                ours = Figures(run_protiv(url, args, work), expected)
            print(ours.row(f"protiv, {backend}"), flush=True)
            rows += results(backend, ours, limit, args)
    write_results(args.json, rows)


if __name__ == "__main__":
    main()
