"""Answers to repeated queries, served again while nothing in the database has changed.

A list such as ``proPays(first: 100)`` with its line items is thousands of resolved fields:
tens of milliseconds of GraphQL execution to produce the same bytes as last time. The fast
path keeps the encoded answer of a query, keyed by who asked (the whole actor: company, role,
worker, branches) and what (document, operation, variables), with the database's data version
read *before* it was executed (``protiv.persistence.data_version``). It is served again only
while the data version is unchanged, so a commit by anyone, in any process, is seen by the
next request; and only for ``MAX_AGE`` seconds of the service clock, because a few fields
depend on the time as well as the data (what is due, which actions are available now).

An answer that takes less time to make than checking the data version takes is not kept at
all: it is made afresh (``{ viewer { id } }`` on PostgreSQL). Bounded in entries and in bytes; an answer
bigger than ``MAX_ANSWER_BYTES`` is not kept.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from protiv.domain.roles import Actor

MAX_AGE = timedelta(seconds=1)
# An answer made faster than this is not worth keeping; None: faster than checking the data
# version costs (measured: microseconds on SQLite, a round trip on PostgreSQL).
CHEAP_SECONDS: float | None = None
CHEAP_FOR = timedelta(seconds=10)  # then it is measured again (the data may have grown)
MAX_ENTRIES = 256
MAX_BYTES = 64 * 1024 * 1024
MAX_ANSWER_BYTES = 4 * 1024 * 1024

Key = tuple[Actor, str, str | None, str | None]


@dataclass(frozen=True, slots=True)
class _Answer:
    version: str
    made_at: datetime
    body: bytes


class Answers:
    """Encoded answers by (actor, query, operation name, variables), least recently used out."""

    def __init__(self) -> None:
        self._answers: OrderedDict[Key, _Answer] = OrderedDict()
        self._bytes = 0
        self._running: dict[tuple[Key, str], asyncio.Future[bytes | None]] = {}
        self._cheap: dict[Key, datetime] = {}  # answers quicker to make than to validate

    def is_cheap(self, key: Key, now: datetime) -> bool:
        marked = self._cheap.get(key)
        if marked is None:
            return False
        if timedelta(0) <= now - marked < CHEAP_FOR:
            return True
        del self._cheap[key]
        return False

    def mark_cheap(self, key: Key, now: datetime) -> None:
        """``{ viewer { id } }`` executes in 50 µs; asking PostgreSQL for its data version takes
        a round trip. Such answers are made afresh every time."""
        if len(self._cheap) >= MAX_ENTRIES:
            self._cheap.clear()
        self._cheap[key] = now

    async def single_flight(
        self, key: Key, version: str, made_at: datetime, run: Callable[[], Awaitable[bytes | None]]
    ) -> bytes | None:
        """Execute once for everyone asking the same thing at the same data version: when a
        popular answer lapses, 32 requests wait for one execution instead of running 32 (which
        on a 100-ProPay list took longer than clients wait, so the cache never refilled)."""
        running = self._running.get((key, version))
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._running[(key, version)] = future
        try:
            body = await run()
        except BaseException as problem:
            future.set_exception(problem)
            future.exception()  # retrieved: no warning when nobody else waited
            raise
        finally:
            del self._running[(key, version)]
        future.set_result(body)
        if body is not None:
            self.put(key, version, made_at, body)
        return body

    def get(self, key: Key, version: str, now: datetime) -> bytes | None:
        answer = self._answers.get(key)
        if answer is None:
            return None
        if answer.version != version or not timedelta(0) <= now - answer.made_at < MAX_AGE:
            self._drop(key)
            return None
        self._answers.move_to_end(key)
        return answer.body

    def put(self, key: Key, version: str, made_at: datetime, body: bytes) -> None:
        if len(body) > MAX_ANSWER_BYTES:
            return
        self._drop(key)
        self._answers[key] = _Answer(version, made_at, body)
        self._bytes += len(body)
        while len(self._answers) > MAX_ENTRIES or self._bytes > MAX_BYTES:
            self._drop(next(iter(self._answers)))

    def _drop(self, key: Key) -> None:
        answer = self._answers.pop(key, None)
        if answer is not None:
            self._bytes -= len(answer.body)

    def __len__(self) -> int:
        return len(self._answers)


def key(actor: Actor, query: str, operation_name: str | None, variables: Any) -> Key:
    canonical = None if variables is None else json.dumps(variables, sort_keys=True)
    return (actor, query, operation_name, canonical)
