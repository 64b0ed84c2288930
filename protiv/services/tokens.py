"""Bearer tokens: made once and shown once; only their SHA-256 is stored. A token belongs to
one company and one role, so every request knows whose data it may touch. A token may expire,
and can be revoked (``protiv token revoke``, ``apiTokenRevoke``): at once in the process
that revokes it, within a second in every other server process (``token_cache``).

A worker token names its worker (what it may read). A manager token may name branches, or its
own worker record (whose branch it then manages); without either it manages every branch.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from protiv.domain.errors import NotFound, Unauthenticated, ValidationFailed
from protiv.domain.permissions import require
from protiv.domain.roles import Actor, Role
from protiv.persistence.models import ApiToken, Branch, Company, Worker
from protiv.services import token_cache
from protiv.services.context import ServiceContext

PREFIX = "ptv_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    ctx: ServiceContext,
    company_slug: str,
    role: Role,
    *,
    name: str = "cli",
    worker_external_id: str | None = None,
    branch_external_ids: Sequence[str] = (),
    ttl: timedelta | None = None,
) -> str:
    """Make a token and return it in clear (the only time it is seen)."""
    token = PREFIX + secrets.token_urlsafe(32)
    async with ctx.db.write() as session, session.begin():
        company = await _company(session, company_slug)
        worker_id = await _worker_id(session, company.id, role, worker_external_id)
        branch_ids = await _branch_ids(session, company.id, role, branch_external_ids)
        now = ctx.clock()
        session.add(
            ApiToken(
                company_id=company.id,
                role=role,
                name=name,
                token_hash=hash_token(token),
                worker_id=worker_id,
                branch_ids=branch_ids,
                created_at=now,
                expires_at=now + ttl if ttl else None,
            )
        )
    return token


async def _company(session: AsyncSession, slug: str) -> Company:
    company = await session.scalar(select(Company).where(Company.slug == slug))
    if company is None:
        raise NotFound(f"No company with slug {slug!r}.", field=["company"])
    return company


async def _worker_id(
    session: AsyncSession, company_id: int, role: Role, external_id: str | None
) -> int | None:
    if role is Role.WORKER and external_id is None:
        raise ValidationFailed("A worker token names its worker.", field=["worker"])
    if external_id is None:
        return None
    if role not in (Role.WORKER, Role.MANAGER):
        raise ValidationFailed("Only worker and manager tokens name a worker.", field=["worker"])
    worker_id = await session.scalar(
        select(Worker.id).where(Worker.company_id == company_id, Worker.external_id == external_id)
    )
    if worker_id is None:
        raise NotFound(f"No worker with external id {external_id!r}.", field=["worker"])
    return int(worker_id)


async def _branch_ids(
    session: AsyncSession, company_id: int, role: Role, external_ids: Sequence[str]
) -> list[int] | None:
    if not external_ids:
        return None
    if role is not Role.MANAGER:
        raise ValidationFailed("Only manager tokens are bound to branches.", field=["branch"])
    rows = await session.execute(
        select(Branch.external_id, Branch.id).where(
            Branch.company_id == company_id, Branch.external_id.in_(set(external_ids))
        )
    )
    found: dict[str, int] = {str(external): int(pk) for external, pk in rows}
    missing = sorted(set(external_ids) - set(found))
    if missing:
        raise NotFound(f"No branch with external id {', '.join(missing)}.", field=["branch"])
    return sorted(found.values())


async def authenticate(ctx: ServiceContext, header_or_token: str | None) -> Actor:
    """The actor for ``Bearer <token>`` (or the bare token); Unauthenticated otherwise."""
    token_hash = hash_token(_bare(header_or_token))
    cached = ctx.tokens.get(token_hash, ctx.clock())
    if cached is not None:
        return cached
    return await ctx.tokens.single_flight(token_hash, lambda: _look_up(ctx, token_hash))


async def _look_up(ctx: ServiceContext, token_hash: str) -> Actor:
    async with ctx.db.read() as session:
        row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))
        if row is None or row.revoked_at is not None:
            raise Unauthenticated("That token is not valid. Ask an admin for a new one.")
        if row.expires_at is not None and row.expires_at <= ctx.clock():
            raise Unauthenticated("That token has expired. Ask an admin for a new one.")
        branch_ids = await _manager_branches(session, row)
    actor = Actor(
        company_id=row.company_id,
        role=row.role,
        name=row.name,
        worker_id=row.worker_id,
        branch_ids=branch_ids,
    )
    ctx.tokens.put(token_hash, actor, row.expires_at)
    return actor


async def _manager_branches(session: AsyncSession, row: ApiToken) -> frozenset[int] | None:
    """A manager token's branches: those it names, and its worker's; None: every branch."""
    if row.role is not Role.MANAGER:
        return None
    branches = set(row.branch_ids or ())
    if row.worker_id is not None:
        own = await session.scalar(select(Worker.branch_id).where(Worker.id == row.worker_id))
        if own is not None:
            branches.add(int(own))
    return frozenset(branches) or None


def _bare(value: str | None) -> str:
    if not value or not value.strip():
        raise Unauthenticated(
            "Authentication required: send 'Authorization: Bearer <token>' "
            "(make one with `protiv token create --company SLUG --role ROLE`)."
        )
    parts = value.strip().split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    if len(parts) == 1:
        return parts[0]
    raise Unauthenticated("Malformed Authorization header: expected 'Bearer <token>'.")


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What may be shown about a token: everything but the secret (which is not stored)."""

    id: int
    company_id: int
    name: str
    role: Role
    worker_id: int | None
    branch_ids: tuple[int, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "REVOKED"
        if self.expires_at is not None and self.expires_at <= now:
            return "EXPIRED"
        return "ACTIVE"

    def as_dict(self, now: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role.value,
            "state": self.state(now),
            "workerId": self.worker_id,
            "branchIds": list(self.branch_ids),
            "createdAt": self.created_at.isoformat(),
            "expiresAt": self.expires_at.isoformat() if self.expires_at else None,
            "revokedAt": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        company_id=row.company_id,
        name=row.name,
        role=row.role,
        worker_id=row.worker_id,
        branch_ids=tuple(row.branch_ids or ()),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


async def list_tokens(ctx: ServiceContext, company_slug: str) -> list[TokenInfo]:
    """Every token of a company, oldest first (the command line: the operator's view)."""
    async with ctx.db.read() as session:
        company = await _company(session, company_slug)
        rows = await session.scalars(
            select(ApiToken).where(ApiToken.company_id == company.id).order_by(ApiToken.id)
        )
        return [_info(row) for row in rows]


async def company_tokens(ctx: ServiceContext, actor: Actor) -> list[TokenInfo]:
    """Every token of the actor's company (an admin's view through the API)."""
    require(actor, "token.manage")
    async with ctx.db.read() as session:
        rows = await session.scalars(
            select(ApiToken).where(ApiToken.company_id == actor.company_id).order_by(ApiToken.id)
        )
        return [_info(row) for row in rows]


async def revoke_token(
    ctx: ServiceContext, token_id: int, *, actor: Actor | None = None
) -> TokenInfo:
    """Revoke a token from now on (again: no change). With ``actor`` (the API), only a token of
    the actor's company, and only for a role allowed to manage tokens; without (the command
    line, the operator), any token."""
    if actor is not None:
        require(actor, "token.manage")
    async with ctx.db.write() as session, session.begin():
        stmt = select(ApiToken).where(ApiToken.id == token_id)
        if actor is not None:
            stmt = stmt.where(ApiToken.company_id == actor.company_id)
        row = await session.scalar(stmt)
        if row is None:
            raise NotFound(f"No API token with id {token_id}.", field=["id"])
        if row.revoked_at is None:
            row.revoked_at = ctx.clock()
        info = _info(row)
    token_cache.revoked()  # after the commit: this process forgets it at once
    return info
