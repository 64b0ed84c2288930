"""Fixtures of the lifecycle tests: seeded ProPays and a second company."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from protiv.domain.roles import Actor, Role
from protiv.persistence.database import Database
from protiv.persistence.models import Company
from protiv.services.context import ServiceContext
from tests.services import scenarios


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The shared fixture's database, emptied faster (see ``scenarios.empty_database``)."""
    async for database in scenarios.empty_database(database_url):
        yield database


@pytest.fixture
def integration(company: Company) -> Actor:
    return Actor(company_id=company.id, role=Role.INTEGRATION, name="aspire")


@pytest.fixture
async def pro_pay_id(ctx: ServiceContext, admin: Actor) -> int:
    """One synced ACTIVE ProPay (its line items would be W-1 120, W-2 105, W-9 25)."""
    (only,) = await scenarios.seed(ctx, admin)
    return only


@pytest.fixture
async def outsider(ctx: ServiceContext, company: Company) -> Actor:
    """An admin of another company."""
    return await scenarios.stranger(ctx)
