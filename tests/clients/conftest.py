"""Real clients against a real server: a uvicorn in the test's event loop, a synced company,
and an admin token (the fixtures of tests/api/conftest.py, shared here)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from protiv.domain.roles import Role
from protiv.services.context import ServiceContext
from tests.api.conftest import client, synced, tokens_by_role
from tests.api.live import serving

__all__ = ["Served", "client", "served", "synced", "tokens_by_role"]


@dataclass(frozen=True)
class Served:
    host: str  # 127.0.0.1:PORT
    token: str  # an admin's

    @property
    def url(self) -> str:
        return f"http://{self.host}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}/graphql"


@pytest.fixture
async def served(
    ctx: ServiceContext, synced: object, tokens_by_role: dict[Role, str]
) -> AsyncIterator[Served]:
    """The app on a free loopback port, with one synced job (one ACTIVE ProPay)."""
    async with serving(ctx) as host:
        yield Served(host=host, token=tokens_by_role[Role.ADMIN])
