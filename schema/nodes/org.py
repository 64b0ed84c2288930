"""Bonus pools and where they apply (company default, branch, division), as GraphQL nodes."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal

import strawberry
from strawberry import relay

from protiv.persistence import models
from schema.context import Info
from schema.nodes.records import Worker


@strawberry.enum(description="Where the pool a ProPay splits with comes from, first match wins.")
class PoolSource(enum.Enum):
    PRO_PAY = "PRO_PAY"  # picked on the ProPay
    MANUAL = "MANUAL"  # the ProPay's own percentages
    DIVISION = "DIVISION"  # the pool of the job's division (its own, or its route's)
    BRANCH = "BRANCH"  # the pool of the job's branch
    COMPANY_DEFAULT = "COMPANY_DEFAULT"
    BUILT_IN = "BUILT_IN"  # no pool anywhere: crew 70 / crew lead 20 / manager 10, savings 50%


@strawberry.type(
    description="How the worker pool splits into role buckets, in percent (total 100)."
)
class RolePercents:
    crew: Decimal = strawberry.field(
        description="Percent of the worker pool for the crew, split by the distribution."
    )
    crew_lead: Decimal = strawberry.field(
        description="Percent of the worker pool for the crew lead."
    )
    manager: Decimal = strawberry.field(
        description="Percent of the worker pool for the job's manager."
    )
    company: Decimal = strawberry.field(description="Kept by the company, never paid out.")
    other: Decimal = strawberry.field(description="Shared equally by the pool's other members.")


@strawberry.type(
    description="Days a role's line items are held after approval (at least the waiting period)."
)
class RetentionDays:
    crew: int = strawberry.field(description="Days a crew member's line items are held.")
    crew_lead: int = strawberry.field(description="Days a crew lead's line items are held.")
    manager: int = strawberry.field(description="Days a manager's line items are held.")
    other: int = strawberry.field(description="Days the other members' line items are held.")


@strawberry.type(
    description="A bonus pool: the workers' share of savings and its split into role buckets. "
    "ACTIVE ProPays read it live (their previews move when it changes); approved ProPays keep "
    "the figures frozen at their approval."
)
class BonusPool(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The pool's name.")
    version: int = strawberry.field(description="Pass it as expectedVersion to change the pool.")
    roles: RolePercents = strawberry.field(
        description="How the worker pool is split between role buckets."
    )
    split_savings_pct: Decimal = strawberry.field(
        description="The workers' share of the savings, in percent (the company keeps the rest)."
    )
    retention_days: RetentionDays = strawberry.field(
        description="How long each role's line items are held before release."
    )
    roll_over_negative: bool = strawberry.field(
        description="A negative statement balance carries to the next statement."
    )
    is_company_default: bool = strawberry.field(
        description="Used where no ProPay, division or branch pool applies."
    )
    manual: bool = strawberry.field(
        description="A ProPay's own percentages (not listed, changed on the ProPay)."
    )

    @classmethod
    def from_row(cls, row: models.BonusPool) -> BonusPool:
        return cls(
            id=row.id,
            name=row.name,
            version=row.version,
            roles=RolePercents(
                crew=row.crew_pct,
                crew_lead=row.crew_lead_pct,
                manager=row.manager_pct,
                company=row.company_pct,
                other=row.other_pct,
            ),
            split_savings_pct=row.split_savings_pct,
            retention_days=RetentionDays(
                crew=row.retention_days_crew,
                crew_lead=row.retention_days_crew_lead,
                manager=row.retention_days_manager,
                other=row.retention_days_other,
            ),
            roll_over_negative=row.roll_over_negative,
            is_company_default=row.is_company_default,
            manual=row.manual,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[BonusPool | None]:
        rows = await info.context.loaders.editing.pool.load_many([int(i) for i in node_ids])
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="Who shares the OTHER bucket (needed when other > 0).")
    async def other_members(self, info: Info) -> list[Worker]:
        loaders = info.context.loaders
        rows = await loaders.editing.pool_members.load(self.id)
        workers = await loaders.worker.load_many([r.worker_id for r in rows])
        return [Worker.from_row(w) for w in workers if w is not None]


async def _pool(info: Info, pool_id: int | None) -> BonusPool | None:
    if pool_id is None:
        return None
    row = await info.context.loaders.editing.pool.load(pool_id)
    return BonusPool.from_row(row) if row else None


@strawberry.type(
    description="A branch (synced): its jobs use its pool unless a division's applies."
)
class Branch(relay.Node):
    id: relay.NodeID[int]
    external_id: str = strawberry.field(description="The branch's id in the integration.")
    name: str = strawberry.field(description="The branch's name.")
    pool_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Branch) -> Branch:
        return cls(id=row.id, external_id=row.external_id, name=row.name, pool_id=row.pool_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Branch | None]:
        rows = await info.context.loaders.editing.branch.load_many([int(i) for i in node_ids])
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="The branch's pool; null: the company default applies.")
    async def pool(self, info: Info) -> BonusPool | None:
        return await _pool(info, self.pool_id)


@strawberry.type(
    description="A route (synced): a crew's scheduled path; its jobs belong to its division."
)
class Route(relay.Node):
    id: relay.NodeID[int]
    external_id: str = strawberry.field(description="The route's id in the integration.")
    name: str = strawberry.field(description="The route's name.")
    division_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Route) -> Route:
        return cls(
            id=row.id, external_id=row.external_id, name=row.name, division_id=row.division_id
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Route | None]:
        rows = await info.context.loaders.editing.route.load_many([int(i) for i in node_ids])
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="The division holding it, if any (divisionUpdate routeIds).")
    async def division(self, info: Info) -> Division | None:
        if self.division_id is None:
            return None
        row = await info.context.loaders.editing.division.load(self.division_id)
        return Division.from_row(row) if row else None


@strawberry.type(description="A division, made here: a group of routes inside a branch.")
class Division(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The division's name.")
    branch_id: strawberry.Private[int | None]
    pool_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.Division) -> Division:
        return cls(id=row.id, name=row.name, branch_id=row.branch_id, pool_id=row.pool_id)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Division | None]:
        rows = await info.context.loaders.editing.division.load_many([int(i) for i in node_ids])
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="The branch it belongs to.")
    async def branch(self, info: Info) -> Branch | None:
        if self.branch_id is None:
            return None
        row = await info.context.loaders.editing.branch.load(self.branch_id)
        return Branch.from_row(row) if row else None

    @strawberry.field(description="Its pool: used by the jobs of its routes before the branch's.")
    async def pool(self, info: Info) -> BonusPool | None:
        return await _pool(info, self.pool_id)

    @strawberry.field(description="The routes it holds (their jobs are the division's).")
    async def routes(self, info: Info) -> list[Route]:
        rows = await info.context.loaders.editing.routes_of_division.load(self.id)
        return [Route.from_row(r) for r in rows]
