"""Admin mutations: revoke an API token (naturally idempotent: revoking twice changes nothing
the second time, so it takes no idempotency key)."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
from typing import Any

import strawberry

from protiv.services import tokens
from schema.admin import ApiToken
from schema.context import Info
from schema.errors import UserError, attempt
from schema.ids import from_global


@strawberry.input(description="Which token to revoke.")
class ApiTokenRevokeInput:
    id: strawberry.ID = strawberry.field(description="The token's global id.")


@strawberry.type(description="The token as it is now, or why nothing changed.")
class ApiTokenPayload:
    api_token: ApiToken | None = strawberry.field(
        default=None, description="The token after the change; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type
class AdminMutations:
    @strawberry.mutation(
        description="Revoke an API token of your company at once (admins only); again: no change."
    )
    async def api_token_revoke(self, info: Info, input: ApiTokenRevokeInput) -> ApiTokenPayload:
        services = info.context.services

        async def run() -> Any:
            pk = from_global(input.id, "ApiToken")
            return await tokens.revoke_token(services, pk, actor=info.context.actor)

        revoked, errors = await attempt(run)
        if revoked is None:
            return ApiTokenPayload(user_errors=errors)
        return ApiTokenPayload(api_token=ApiToken.of(revoked, services.clock()))
