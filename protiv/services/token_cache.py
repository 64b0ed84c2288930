"""A second's memory of authenticated tokens.

Looking a token up is a database round trip, and on ``{ viewer { id } }`` it was most of the
request: the event loop waited on it. A server process keeps who a token belongs to for one
second (``TTL_SECONDS``), and checks the expiry against the clock on every request.

Revocation: in the process that revokes a token (``apiTokenRevoke``, ``protiv token revoke``
run in-process) it takes effect at once: every cache in the process is dropped. In the other
server processes it takes effect within ``TTL_SECONDS``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from protiv.domain.roles import Actor

TTL_SECONDS = 1.0
MAX_ENTRIES = 10_000  # a flood of distinct valid tokens cannot grow it without bound

_generation = 0  # bumped by every revocation in this process: older entries are stale


def revoked() -> None:
    """A token was revoked in this process: forget every cached token, in every cache."""
    global _generation
    _generation += 1


@dataclass(frozen=True, slots=True)
class _Entry:
    actor: Actor
    expires_at: datetime | None
    fetched_at: float  # time.monotonic()
    generation: int


class TokenCache:
    """Token hash → the actor it authenticated, for ``ttl`` seconds."""

    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._entries: dict[str, _Entry] = {}
        self._lookups: dict[str, asyncio.Future[Actor]] = {}

    def get(self, token_hash: str, now: datetime) -> Actor | None:
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        fresh = time.monotonic() - entry.fetched_at < self.ttl and entry.generation == _generation
        if fresh and (entry.expires_at is None or entry.expires_at > now):
            return entry.actor
        del self._entries[token_hash]
        return None

    def put(self, token_hash: str, actor: Actor, expires_at: datetime | None) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[token_hash] = _Entry(actor, expires_at, time.monotonic(), _generation)

    async def single_flight(self, token_hash: str, lookup: Callable[[], Awaitable[Actor]]) -> Actor:
        """One database lookup per token at a time: when an entry lapses under load, the 32
        requests that miss together wait for one query instead of sending 32."""
        pending = self._lookups.get(token_hash)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Actor] = asyncio.get_running_loop().create_future()
        self._lookups[token_hash] = future
        try:
            actor = await lookup()
        except BaseException as problem:
            future.set_exception(problem)
            future.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        else:
            future.set_result(actor)
            return actor
        finally:
            del self._lookups[token_hash]
