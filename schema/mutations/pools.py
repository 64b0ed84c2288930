"""Bonus pools (create, change, delete, make the company default), a branch's pool, and
divisions (create, rename, give a pool and routes). Admins only. ACTIVE ProPays read pools live,
so their previews move with a change; approved ProPays keep the figures of their approval."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
from decimal import Decimal
from typing import Any

import strawberry

from protiv.services import divisions, pools
from protiv.services.divisions import DivisionInput
from schema.context import Info
from schema.errors import UserError, attempt
from schema.idempotency import key_field
from schema.ids import from_global
from schema.mutations.edit_common import kept_id, kept_ids, not_null
from schema.mutations.pool_inputs import RetentionDaysInput, RolePercentsInput
from schema.nodes.org import BonusPool, Branch, Division


@strawberry.input(
    description="A new pool; left out: crew 70 / crew lead 20 / manager 10, savings 50%."
)
class BonusPoolCreateInput:
    name: str = strawberry.field(description="1 to 120 characters.")
    roles: RolePercentsInput | None = strawberry.field(
        default=None, description="Role percents, totalling 100."
    )
    split_savings_pct: Decimal = strawberry.field(
        default=Decimal(50), description="The workers' share of savings, in percent."
    )
    retention_days: RetentionDaysInput | None = strawberry.field(
        default=None, description="Days each role's line items are held (default 0)."
    )
    roll_over_negative: bool = strawberry.field(
        default=True, description="A negative statement balance carries to the next statement."
    )
    other_member_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Workers sharing the OTHER bucket."
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="Change a pool; fields left out are kept. The result must total 100.")
class BonusPoolUpdateInput:
    id: strawberry.ID = strawberry.field(description="The pool to change.")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with CONFLICT if the pool is no longer at this version."
    )
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new name.")
    roles: RolePercentsInput | None = strawberry.field(
        default=strawberry.UNSET, description="All five role percents, totalling 100."
    )
    split_savings_pct: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="The workers' share of savings, in percent."
    )
    retention_days: RetentionDaysInput | None = strawberry.field(
        default=strawberry.UNSET, description="Days each role's line items are held."
    )
    roll_over_negative: bool | None = strawberry.field(
        default=strawberry.UNSET, description="A negative balance carries to the next statement."
    )
    other_member_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Workers sharing the OTHER bucket (replaces them)."
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="Delete a pool that nothing uses.")
class BonusPoolDeleteInput:
    id: strawberry.ID = strawberry.field(description="The pool to delete.")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with CONFLICT if the pool is no longer at this version."
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="The company default pool (null: none, the built-in split applies).")
class BonusPoolSetCompanyDefaultInput:
    pool_id: strawberry.ID | None = strawberry.field(description="The pool, or null for none.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="A branch's pool (null: the company default applies).")
class BranchSetPoolInput:
    branch_id: strawberry.ID = strawberry.field(description="The branch.")
    pool_id: strawberry.ID | None = strawberry.field(description="Its pool, or null for none.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="A new division.")
class DivisionCreateInput:
    name: str = strawberry.field(description="1 to 200 characters, unique in its branch.")
    branch_id: strawberry.ID | None = strawberry.field(
        default=None, description="The branch it belongs to."
    )
    pool_id: strawberry.ID | None = strawberry.field(
        default=None, description="Its pool, used before the branch's."
    )
    route_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The routes it holds (a route is in one division)."
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="Change a division; fields left out are kept, null clears.")
class DivisionUpdateInput:
    id: strawberry.ID = strawberry.field(description="The division to change.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new name.")
    branch_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The branch it belongs to."
    )
    pool_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Its pool."
    )
    route_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="The routes it holds (replaces them)."
    )
    idempotency_key: str | None = key_field()


@strawberry.type(description="The pool as saved, or why nothing changed.")
class BonusPoolPayload:
    bonus_pool: BonusPool | None = strawberry.field(default=None, description="The pool as saved.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed, if it did not."
    )


@strawberry.type(description="The id of the deleted pool, or why nothing changed.")
class BonusPoolDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="The id of the deleted pool."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed, if it did not."
    )


@strawberry.type(description="The branch as saved, or why nothing changed.")
class BranchPayload:
    branch: Branch | None = strawberry.field(default=None, description="The branch as saved.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed, if it did not."
    )


@strawberry.type(description="The division as saved, or why nothing changed.")
class DivisionPayload:
    division: Division | None = strawberry.field(default=None, description="The division as saved.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed, if it did not."
    )


def _create_settings(input: BonusPoolCreateInput) -> pools.PoolSettings:
    values: dict[str, Any] = {
        "name": input.name,
        "split_savings_pct": input.split_savings_pct,
        "roll_over_negative": input.roll_over_negative,
        "other_member_ids": tuple(
            from_global(w, "Worker", "otherMemberIds") for w in input.other_member_ids
        ),
    }
    if input.roles is not None:
        values |= input.roles.as_settings()
    if input.retention_days is not None:
        values |= input.retention_days.as_settings()
    return pools.PoolSettings(**values)


def _update_changes(input: BonusPoolUpdateInput) -> dict[str, object]:
    changes: dict[str, object] = {
        "name": not_null(input.name, "name"),
        "split_savings_pct": not_null(input.split_savings_pct, "splitSavingsPct"),
        "roll_over_negative": not_null(input.roll_over_negative, "rollOverNegative"),
        "other_member_ids": kept_ids(input.other_member_ids, "Worker", "otherMemberIds"),
    }
    for group, field in ((input.roles, "roles"), (input.retention_days, "retentionDays")):
        not_null(group, field)
        if group is not strawberry.UNSET and group is not None:
            changes |= group.as_settings()
    return changes


async def _pool(call: Any) -> BonusPoolPayload:
    saved, errors = await attempt(call)
    row = getattr(saved, "pool", saved)  # pools.Saved, or the pool row itself
    return BonusPoolPayload(bonus_pool=BonusPool.from_row(row) if row else None, user_errors=errors)


@strawberry.type
class PoolMutations:
    @strawberry.mutation(description="Create a bonus pool (admin).")
    async def bonus_pool_create(self, info: Info, input: BonusPoolCreateInput) -> BonusPoolPayload:
        ctx, actor = info.context.services, info.context.actor
        return await _pool(lambda: pools.create(ctx, actor, _create_settings(input)))

    @strawberry.mutation(
        description="Change a bonus pool (admin). ACTIVE ProPays using it show the new split at "
        "once; approved ProPays keep theirs."
    )
    async def bonus_pool_update(self, info: Info, input: BonusPoolUpdateInput) -> BonusPoolPayload:
        ctx, actor = info.context.services, info.context.actor
        return await _pool(
            lambda: pools.update(
                ctx,
                actor,
                from_global(input.id, "BonusPool"),
                _update_changes(input),
                expected_version=input.expected_version,
            )
        )

    @strawberry.mutation(description="Delete a bonus pool nothing uses (admin).")
    async def bonus_pool_delete(
        self, info: Info, input: BonusPoolDeleteInput
    ) -> BonusPoolDeletePayload:
        ctx, actor = info.context.services, info.context.actor

        async def call() -> strawberry.ID:
            pk = from_global(input.id, "BonusPool")
            await pools.delete(ctx, actor, pk, expected_version=input.expected_version)
            return input.id

        deleted, errors = await attempt(call)
        return BonusPoolDeletePayload(deleted_id=deleted, user_errors=errors)

    @strawberry.mutation(description="Make a pool the company default (admin).")
    async def bonus_pool_set_company_default(
        self, info: Info, input: BonusPoolSetCompanyDefaultInput
    ) -> BonusPoolPayload:
        ctx, actor = info.context.services, info.context.actor
        return await _pool(
            lambda: pools.set_company_default(
                ctx,
                actor,
                from_global(input.pool_id, "BonusPool", "poolId") if input.pool_id else None,
            )
        )

    @strawberry.mutation(description="Give a branch its pool (admin); one pool per branch.")
    async def branch_set_pool(self, info: Info, input: BranchSetPoolInput) -> BranchPayload:
        ctx, actor = info.context.services, info.context.actor

        async def call() -> Any:
            branch = from_global(input.branch_id, "Branch", "branchId")
            pool = from_global(input.pool_id, "BonusPool", "poolId") if input.pool_id else None
            return await pools.set_branch_pool(ctx, actor, branch, pool)

        row, errors = await attempt(call)
        return BranchPayload(branch=Branch.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="Create a division (admin).")
    async def division_create(self, info: Info, input: DivisionCreateInput) -> DivisionPayload:
        ctx, actor = info.context.services, info.context.actor

        async def call() -> Any:
            given = DivisionInput(
                name=input.name,
                branch_id=kept_id(input.branch_id, "Branch", "branchId"),
                pool_id=kept_id(input.pool_id, "BonusPool", "poolId"),
                route_ids=kept_ids(input.route_ids, "Route", "routeIds"),
            )
            return await divisions.create(ctx, actor, given)

        row, errors = await attempt(call)
        return DivisionPayload(division=Division.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(description="Rename a division, or change its branch, pool or routes.")
    async def division_update(self, info: Info, input: DivisionUpdateInput) -> DivisionPayload:
        ctx, actor = info.context.services, info.context.actor

        async def call() -> Any:
            given = DivisionInput(
                name=not_null(input.name, "name"),
                branch_id=kept_id(input.branch_id, "Branch", "branchId"),
                pool_id=kept_id(input.pool_id, "BonusPool", "poolId"),
                route_ids=kept_ids(input.route_ids, "Route", "routeIds"),
            )
            return await divisions.update_division(
                ctx, actor, from_global(input.id, "Division"), given
            )

        row, errors = await attempt(call)
        return DivisionPayload(division=Division.from_row(row) if row else None, user_errors=errors)
