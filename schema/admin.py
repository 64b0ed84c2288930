"""The admin's view of the company's API tokens (``apiTokens``); revoking one is
``apiTokenRevoke`` (schema/mutations/admin.py). Only roles with ``token.manage`` may ask
(protiv.domain.permissions); a secret is never shown (only its hash is stored)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from protiv.services import tokens
from schema.context import Info
from schema.enums import Role_
from schema.ids import to_global


@strawberry.type(description="An API token: who it is for and whether it still works.")
class ApiToken:
    id: strawberry.ID = strawberry.field(description="The token's global id (to revoke it).")
    name: str = strawberry.field(description="A label given when the token was made.")
    role: Role_ = strawberry.field(description="The role its requests act with.")
    state: str = strawberry.field(description="ACTIVE, EXPIRED or REVOKED.")
    worker_id: strawberry.ID | None = strawberry.field(
        description="The worker a worker token belongs to (or a manager token's own worker)."
    )
    branch_ids: list[strawberry.ID] = strawberry.field(
        description="The branches a manager token manages; empty: every branch."
    )
    created_at: datetime = strawberry.field(description="When it was made.")
    expires_at: datetime | None = strawberry.field(
        description="When it stops working; null: never expires."
    )
    revoked_at: datetime | None = strawberry.field(
        description="When it was revoked; null: not revoked."
    )

    @classmethod
    def of(cls, info: tokens.TokenInfo, now: datetime) -> ApiToken:
        return cls(
            id=strawberry.ID(to_global("ApiToken", info.id)),
            name=info.name,
            role=info.role,
            state=info.state(now),
            worker_id=strawberry.ID(to_global("Worker", info.worker_id))
            if info.worker_id is not None
            else None,
            branch_ids=[strawberry.ID(to_global("Branch", b)) for b in info.branch_ids],
            created_at=info.created_at,
            expires_at=info.expires_at,
            revoked_at=info.revoked_at,
        )


@strawberry.type
class AdminQueries:
    @strawberry.field(description="Every API token of your company, oldest first (admins only).")
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        services = info.context.services
        found = await tokens.company_tokens(services, info.context.actor)
        now = services.clock()
        return [ApiToken.of(t, now) for t in found]
