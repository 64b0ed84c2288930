"""A server process remembers an authenticated token for a second: a request does not pay a
database round trip to learn who sent it, and a revocation still takes effect (at once in the
revoking process, within the TTL in the others)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, update

from protiv.domain.errors import Unauthenticated
from protiv.domain.roles import Role
from protiv.persistence.database import Database
from protiv.persistence.models import ApiToken
from protiv.services import tokens
from protiv.services.context import ServiceContext


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def test_a_known_token_is_answered_from_memory(ctx, company):
    token = await tokens.create_token(ctx, company.slug, Role.ADMIN)
    first = await tokens.authenticate(ctx, token)
    with statements(ctx.db) as seen:
        again = await tokens.authenticate(ctx, f"Bearer {token}")
    assert again == first
    assert seen == []


async def test_a_revocation_in_this_process_is_seen_at_once_by_every_context(ctx, company):
    token = await tokens.create_token(ctx, company.slug, Role.MANAGER)
    other = ServiceContext(db=ctx.db, clock=ctx.clock)  # e.g. the CLI's, in the same process
    await tokens.authenticate(ctx, token)
    [info] = await tokens.list_tokens(ctx, company.slug)
    await tokens.revoke_token(other, info.id)
    with pytest.raises(Unauthenticated, match="not valid"):
        await tokens.authenticate(ctx, token)


async def test_another_process_revocation_is_seen_within_the_ttl(ctx, company):
    ctx.tokens.ttl = 0.05
    token = await tokens.create_token(ctx, company.slug, Role.PAYROLL)
    await tokens.authenticate(ctx, token)
    async with ctx.db.write() as session, session.begin():  # as another process would
        await session.execute(update(ApiToken).values(revoked_at=ctx.clock()))
    await tokens.authenticate(ctx, token)  # still remembered: the documented second
    await asyncio.sleep(0.06)
    with pytest.raises(Unauthenticated, match="not valid"):
        await tokens.authenticate(ctx, token)


async def test_a_remembered_token_still_expires_on_time(ctx, company, clock):
    token = await tokens.create_token(ctx, company.slug, Role.ADMIN, ttl=timedelta(hours=1))
    await tokens.authenticate(ctx, token)
    clock.advance(hours=1)
    with pytest.raises(Unauthenticated, match="expired"):
        await tokens.authenticate(ctx, token)


async def test_requests_that_miss_together_share_one_lookup(ctx, company):
    token = await tokens.create_token(ctx, company.slug, Role.ADMIN)
    with statements(ctx.db) as seen:
        actors = await asyncio.gather(*(tokens.authenticate(ctx, token) for _ in range(10)))
    assert len(set(actors)) == 1
    assert sum("api_token" in statement for statement in seen) == 1


async def test_a_bad_token_refuses_every_request_that_waited_on_it(ctx, company):
    outcomes = await asyncio.gather(
        *(tokens.authenticate(ctx, "ptv_nope") for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(outcome, Unauthenticated) for outcome in outcomes)
