"""Done-when of the integrator feed: two `protiv serve` processes on one PostgreSQL database; a
subscriber on the first sees every change fired concurrently through both, exactly once and in
commit order per record, also across a dropped and resumed subscription (``after:``)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from alembic import command
from sqlalchemy import select
from sqlalchemy.engine import make_url
from websockets.typing import Subprotocol

from protiv.config import normalize_database_url
from protiv.domain.roles import Actor, Role
from protiv.persistence.database import create_database
from protiv.persistence.migrate import alembic_config
from protiv.persistence.models import Base, Company, Event
from protiv.services import tokens
from protiv.services.context import ServiceContext
from schema.ids import parse_feed_cursor
from tests.cli.test_serve import free_port, wait_until_up
from tests.conftest import PG_ENV, _admin
from tests.feed.conftest import seed

pytestmark = pytest.mark.slow
PROTOCOL = Subprotocol("graphql-transport-ws")
SUBSCRIBE = """subscription($after: String) { statusChanged(after: $after) {
  id cursor entity entityId trigger version } }"""
RESTORE = """mutation($id: ID!) { proPayRestore(input: {id: $id}) { userErrors { code } } }"""
CANCEL = """mutation($id: ID!) { proPayCancel(input: {id: $id}) { userErrors { code } } }"""
PRO_PAYS = "{ proPays(first: 100) { nodes { id } } events(first: 100) { pageInfo { endCursor } } }"


@pytest.fixture
def served_database() -> Iterator[str]:
    """A database of its own, with the models' tables, stamped at the migrations' head (so
    `protiv serve`'s upgrade has nothing to do)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"needs {PG_ENV}")
    name = f"protiv_served_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(base, f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_database_url(base)).set(database=name).render_as_string(False)
    asyncio.run(_create_tables(url))
    command.stamp(alembic_config(url), "head")
    yield url
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _create_tables(url: str) -> None:
    db = create_database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    await db.dispose()


@contextlib.contextmanager
def servers(url: str, count: int, logs: Path) -> Iterator[list[str]]:
    """``count`` `protiv serve` processes on free loopback ports; their base URLs."""
    executable = Path(sys.executable).with_name("protiv")
    env = os.environ | {"PROTIV_DATABASE_URL": url}
    started: list[tuple[str, subprocess.Popen[bytes]]] = []
    with contextlib.ExitStack() as files:
        try:
            for n in range(count):
                port = free_port()
                process = subprocess.Popen(
                    [str(executable), "serve", "--port", str(port), "--log-level", "warning"],
                    stdout=files.enter_context((logs / f"server{n}.log").open("wb")),
                    stderr=subprocess.STDOUT,
                    env=env,
                )
                started.append((f"127.0.0.1:{port}", process))
            for host, process in started:
                wait_until_up(f"http://{host}", process)
            yield [host for host, _ in started]
        finally:
            for _, process in started:
                process.terminate()
            for _, process in started:
                process.wait(timeout=10)


async def _seeded(url: str) -> str:
    """A company with ProPays; an admin token."""
    db = create_database(url, pool_size=2)
    ctx = ServiceContext(db=db)
    try:
        async with db.write() as session, session.begin():
            company = Company(slug="acme", name="Acme Landscaping")
            session.add(company)
        await seed(ctx, Actor(company.id, Role.ADMIN, "seeder"), jobs=4)
        return await tokens.create_token(ctx, "acme", Role.ADMIN)
    finally:
        await db.dispose()


async def _committed(url: str, after_position: int) -> list[tuple[int, int, int, int]]:
    """(position, id, entity id, version) of every event after ``after_position``."""
    db = create_database(url, pool_size=1)
    try:
        async with db.read() as session:
            rows = await session.execute(
                select(Event.position, Event.id, Event.entity_id, Event.version)
                .where(Event.position > after_position)
                .order_by(Event.position)
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        await db.dispose()


class Subscriber:
    """One `statusChanged` subscription on one server, over a real WebSocket."""

    def __init__(self, host: str, token: str) -> None:
        self.host, self.token = host, token
        self.received: list[dict[str, Any]] = []

    @contextlib.asynccontextmanager
    async def subscribed(self, after: str | None) -> AsyncIterator[websockets.ClientConnection]:
        async with websockets.connect(f"ws://{self.host}/graphql", subprotocols=[PROTOCOL]) as ws:
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {self.token}"}}
            await ws.send(json.dumps(init))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            payload = {"query": SUBSCRIBE, "variables": {"after": after}}
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            yield ws

    async def take(
        self, ws: websockets.ClientConnection, count: int | None, until: int = 0
    ) -> None:
        """Receive ``count`` events, or until the event at position ``until``."""
        for _ in itertools.count() if count is None else range(count):
            message = json.loads(await asyncio.wait_for(ws.recv(), 15))
            assert message["type"] == "next", message
            event = message["payload"]["data"]["statusChanged"]
            self.received.append(event)
            if count is None and _position(event) >= until:
                return

    @property
    def cursor(self) -> str:
        return str(self.received[-1]["cursor"])


def _position(event: dict[str, Any]) -> int:
    return parse_feed_cursor(event["cursor"]) or 0


async def _fire(clients: list[httpx.AsyncClient], ids: list[str], rounds: int) -> None:
    """Cancel and restore every ProPay ``rounds`` times, through both servers at once: the
    ProPays concurrently, each ProPay's cancel and restore raced through different servers."""

    async def flip(n: int, pro_pay_id: str) -> None:
        for r in range(rounds):
            first, second = clients[(n + r) % 2], clients[(n + r + 1) % 2]
            await asyncio.gather(
                first.post("/graphql", json={"query": CANCEL, "variables": {"id": pro_pay_id}}),
                second.post("/graphql", json={"query": RESTORE, "variables": {"id": pro_pay_id}}),
            )

    await asyncio.gather(*(flip(n, i) for n, i in enumerate(ids)))


async def test_two_servers_deliver_every_event_once_in_commit_order(
    served_database: str, tmp_path: Path
):
    token = await _seeded(served_database)
    headers = {"Authorization": f"Bearer {token}"}
    with servers(served_database, 2, tmp_path) as hosts:
        clients = [httpx.AsyncClient(base_url=f"http://{h}", headers=headers) for h in hosts]
        try:
            start = (await clients[0].post("/graphql", json={"query": PRO_PAYS})).json()["data"]
            ids = [node["id"] for node in start["proPays"]["nodes"]]
            start_cursor = start["events"]["pageInfo"]["endCursor"]
            subscriber = Subscriber(hosts[0], token)

            async with subscriber.subscribed(start_cursor) as ws:
                firing = asyncio.create_task(_fire(clients, ids, rounds=2))
                await subscriber.take(ws, 5)  # then the subscription drops mid-way
            await asyncio.sleep(0.3)  # changes keep committing while nobody listens
            async with subscriber.subscribed(subscriber.cursor) as ws:
                await firing
                await _fire(clients, ids, rounds=1)
                committed = await _committed(served_database, _position(subscriber.received[0]) - 1)
                await subscriber.take(ws, None, until=committed[-1][0])
                with pytest.raises(TimeoutError):  # and nothing more: no repeat at the end
                    await asyncio.wait_for(ws.recv(), 0.5)
        finally:
            for client in clients:
                await client.aclose()

    received = [_position(e) for e in subscriber.received]
    assert received == [position for position, *_ in committed]  # every event once, in order
    assert len(received) > 2 * len(ids)
    for _, _, entity_id, _ in committed:  # per record: versions strictly increasing
        versions = [v for _, _, e, v in committed if e == entity_id]
        assert versions == sorted(set(versions))
