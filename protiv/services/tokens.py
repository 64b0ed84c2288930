"""Bearer tokens: made once and shown once; only their SHA-256 is stored. A token belongs to
one company and one role, so every request knows whose data it may touch."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from protiv.domain.errors import NotFound, Unauthenticated, ValidationFailed
from protiv.domain.roles import Actor, Role
from protiv.persistence.models import ApiToken, Company, Worker
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
    ttl: timedelta | None = None,
) -> str:
    """Make a token and return it in clear (the only time it is seen)."""
    token = PREFIX + secrets.token_urlsafe(32)
    async with ctx.db.write() as session, session.begin():
        company = await session.scalar(select(Company).where(Company.slug == company_slug))
        if company is None:
            raise NotFound(f"No company with slug {company_slug!r}.", field=["company"])
        worker_id = await _worker_id(session, company.id, role, worker_external_id)
        now = ctx.clock()
        session.add(
            ApiToken(
                company_id=company.id,
                role=role,
                name=name,
                token_hash=hash_token(token),
                worker_id=worker_id,
                created_at=now,
                expires_at=now + ttl if ttl else None,
            )
        )
    return token


async def _worker_id(session, company_id: int, role: Role, external_id: str | None) -> int | None:  # type: ignore[no-untyped-def]
    if role is not Role.WORKER:
        return None
    if external_id is None:
        raise ValidationFailed("A worker token names its worker.", field=["worker"])
    worker_id = await session.scalar(
        select(Worker.id).where(Worker.company_id == company_id, Worker.external_id == external_id)
    )
    if worker_id is None:
        raise NotFound(f"No worker with external id {external_id!r}.", field=["worker"])
    return int(worker_id)


async def authenticate(ctx: ServiceContext, header_or_token: str | None) -> Actor:
    """The actor for ``Bearer <token>`` (or the bare token); Unauthenticated otherwise."""
    token = _bare(header_or_token)
    async with ctx.db.read() as session:
        row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    now: datetime = ctx.clock()
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("That token is not valid. Ask an admin for a new one.")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthenticated("That token has expired. Ask an admin for a new one.")
    return Actor(company_id=row.company_id, role=row.role, name=row.name, worker_id=row.worker_id)


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
