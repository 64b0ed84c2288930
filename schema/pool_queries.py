"""Query fields of pools and the organisation they apply to (bonus pools, branches, divisions,
routes), merged into Query in schema/__init__.py."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
from typing import Any

import strawberry

from protiv.domain.errors import DomainError
from protiv.persistence import models
from protiv.services import queries
from schema.context import Info
from schema.ids import from_global
from schema.nodes.org import BonusPool, Branch, Division, Route
from schema.pagination import Connection, connection, page_args


async def _page(
    info: Info, model: Any, first: int | None, after: str | None, *where: Any
) -> queries.Page:
    size, cursor = page_args(first, after)
    return await queries.page(
        info.context.services,
        model,
        info.context.actor.company_id,
        where=list(where),
        first=size,
        after=cursor,
    )


@strawberry.type
class PoolQueries:
    @strawberry.field(
        description="Bonus pools, oldest first (a ProPay's own percentages are not listed)."
    )
    async def bonus_pools(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[BonusPool]:
        shared = models.BonusPool.manual.is_(False)
        return connection(
            await _page(info, models.BonusPool, first, after, shared), BonusPool.from_row
        )

    @strawberry.field(description="One bonus pool by id (null if there is none in your company).")
    async def bonus_pool(self, info: Info, id: strawberry.ID) -> BonusPool | None:
        try:
            pk = from_global(id, "BonusPool")
        except DomainError:  # a malformed id is simply not found
            return None
        row = await info.context.loaders.editing.pool.load(pk)
        return BonusPool.from_row(row) if row else None

    @strawberry.field(description="Branches (synced), with their pools.")
    async def branches(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Branch]:
        return connection(await _page(info, models.Branch, first, after), Branch.from_row)

    @strawberry.field(description="Divisions, with their pools and routes.")
    async def divisions(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Division]:
        return connection(await _page(info, models.Division, first, after), Division.from_row)

    @strawberry.field(description="Routes (synced), with the division holding each.")
    async def routes(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Route]:
        return connection(await _page(info, models.Route, first, after), Route.from_row)
