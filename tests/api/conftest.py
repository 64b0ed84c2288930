"""GraphQL end to end: the real Starlette app over httpx's ASGI transport, real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from protiv.config import Settings
from protiv.domain.roles import Role
from protiv.persistence.models import Company
from protiv.server.app import create_app
from protiv.services import sync, tokens
from protiv.services.context import ServiceContext
from tests.services.batches import crew_batch


class Api:
    """A GraphQL client bound to one token."""

    def __init__(self, client: httpx.AsyncClient, token: str | None) -> None:
        self.client = client
        self.token = token

    def as_(self, token: str | None) -> Api:
        return Api(self.client, token)

    async def raw(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.raw(query, variables)
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
async def client(ctx: ServiceContext) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(), services=ctx)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
async def tokens_by_role(ctx: ServiceContext, company: Company) -> dict[Role, str]:
    return {
        role: await tokens.create_token(ctx, company.slug, role, name=role.value.lower())
        for role in Role
        if role is not Role.WORKER
    }


@pytest.fixture
def api(client: httpx.AsyncClient, tokens_by_role: dict[Role, str]) -> Api:
    return Api(client, tokens_by_role[Role.ADMIN])


@pytest.fixture
async def synced(ctx: ServiceContext, admin: Any) -> sync.SyncReport:
    return await sync.sync_batch(ctx, admin, crew_batch())
