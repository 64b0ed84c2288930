"""Idempotency keys: a mutation sent again with the same key does not happen twice.

Semantics (Stripe's, adapted to a GraphQL payload):

- The key is scoped to the company and the mutation. It is claimed by the first request whose
  change commits: the claim row is written in the same transaction as the change, first thing,
  so two requests racing with one key serialise on it (a unique index; on SQLite the write
  lock) and exactly one of them executes. The other waits for the first to commit, then
  answers with the first result.
- A refused request (``userErrors``) changes nothing and claims nothing: the key stays free,
  and a retry runs again.
- A retry with the same key and the same input answers with the first result: the same event,
  and the records it changed **as they are now** (they are reloaded, not replayed from a
  snapshot); plain values (a sync report, say) exactly as first answered.
- The same key with a different input is refused with ``IDEMPOTENCY_KEY_REUSED``.
- Keys are kept ``RETENTION`` (7 days); after that the key may be used afresh.

How: the GraphQL layer sets ``CLAIM`` (a context variable) around one mutation's resolver; the
unit of work calls ``claim_in`` when it opens, and ``UnitOfWork.commit`` marks the claim as
committed; the GraphQL layer then stores the result with ``record``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from protiv.domain.errors import Conflict, ValidationFailed
from protiv.persistence.models import IdempotencyKey
from protiv.services.context import ServiceContext

RETENTION = timedelta(days=7)
MAX_KEY_LENGTH = 255
WAIT_FOR_RESULT = 10.0  # seconds a retry waits for the first request to write its result


@dataclass(slots=True)
class Claim:
    """One mutation's key, while its resolver runs."""

    company_id: int
    operation: str
    key: str
    input_hash: str
    committed: bool = False  # the change (and the claim with it) is in the database
    closed: bool = False  # the mutation has answered: later work (a task it started) claims nothing


@dataclass(frozen=True, slots=True)
class Used:
    """A key already used: the input it came with and, once written, the first result."""

    input_hash: str
    result: str | None


class KeyTaken(Exception):
    """Another request with the same key committed first: answer with its result. Not a
    DomainError, so it passes through the services' refusal handling untouched."""


CLAIM: ContextVar[Claim | None] = ContextVar("protiv_idempotency_claim", default=None)


def fingerprint(arguments: Any) -> str:
    """SHA-256 of the mutation's input in a canonical JSON form."""
    text = json.dumps(arguments, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def check_key(key: str) -> str:
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            f"An idempotency key is 1 to {MAX_KEY_LENGTH} characters (a UUID is a good one).",
            field=["input", "idempotencyKey"],
        )
    return key


async def claim_in(session: AsyncSession, now: datetime) -> Claim | None:
    """Write the current claim (if any, and not yet committed) in ``session``'s transaction;
    KeyTaken when a request with the same key got there first. The unit of work calls this
    before anything else, so the race is decided before any work is done."""
    claim = CLAIM.get()
    if claim is None or claim.committed or claim.closed:
        return None
    await _insert(session, claim, now)
    return claim


async def _insert(
    session: AsyncSession, claim: Claim, now: datetime, result: str | None = None
) -> None:
    await session.execute(_expired(claim, now))
    session.add(
        IdempotencyKey(
            company_id=claim.company_id,
            operation=claim.operation,
            key=claim.key,
            input_hash=claim.input_hash,
            created_at=now,
            result=result,
        )
    )
    try:
        await session.flush()
    except IntegrityError as taken:
        raise KeyTaken(claim.key) from taken


def _expired(claim: Claim, now: datetime) -> Any:
    return delete(IdempotencyKey).where(
        IdempotencyKey.company_id == claim.company_id,
        IdempotencyKey.operation == claim.operation,
        IdempotencyKey.key == claim.key,
        IdempotencyKey.created_at < now - RETENTION,
    )


async def find(ctx: ServiceContext, claim: Claim) -> Used | None:
    """The key's first use, unless it has expired."""
    async with ctx.db.read() as session:
        row = await session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.company_id == claim.company_id,
                IdempotencyKey.operation == claim.operation,
                IdempotencyKey.key == claim.key,
                IdempotencyKey.created_at >= ctx.clock() - RETENTION,
            )
        )
    return Used(row.input_hash, row.result) if row else None


async def first_result(ctx: ServiceContext, claim: Claim) -> Used:
    """The first use of a key another request has just committed, once its result is written
    (it is written right after that commit)."""
    waited, pause = 0.0, 0.01
    while True:
        used = await find(ctx, claim)
        if used is not None and (used.result is not None or used.input_hash != claim.input_hash):
            return used
        if waited >= WAIT_FOR_RESULT:
            raise Conflict(
                "A request with this idempotency key is still running (or its answer was lost "
                "after its change committed); retry later, or read the record to see where it "
                "is now.",
                field=["input", "idempotencyKey"],
            )
        await asyncio.sleep(pause)
        waited, pause = waited + pause, min(pause * 2, 0.2)


async def record(ctx: ServiceContext, claim: Claim, result: str) -> None:
    """Store the first result of a key: on the claim its unit of work committed, or on a new
    claim (a mutation that committed nothing through a unit of work)."""
    try:
        async with ctx.db.write() as session, session.begin():
            if not claim.committed:
                await _insert(session, claim, ctx.clock(), result)
                return
            await session.execute(
                update(IdempotencyKey)
                .where(
                    IdempotencyKey.company_id == claim.company_id,
                    IdempotencyKey.operation == claim.operation,
                    IdempotencyKey.key == claim.key,
                )
                .values(result=result)
            )
    except KeyTaken:
        return  # a concurrent request with the same key got there first; its result stands


async def purge(ctx: ServiceContext) -> int:
    """Forget keys older than RETENTION (the scheduler's job); how many were removed."""
    async with ctx.db.write() as session, session.begin():
        done = await session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at < ctx.clock() - RETENTION)
        )
    return int(getattr(done, "rowcount", 0) or 0)
