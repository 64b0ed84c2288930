"""Divisions: the one level of the organisation made in Protiv, not synced (domain-research
§1.1: Branch ⊃ Division ⊃ Route ⊃ Jobs). A division may have its own bonus pool; a synced job
reaches it through its route, so a division names the routes it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update

from protiv.domain.errors import NotFound, ValidationFailed
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.persistence.models import Branch, Division, Route
from protiv.services.context import ServiceContext
from protiv.services.editing import KEEP, Keep
from protiv.services.pools import shared_pool
from protiv.services.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class DivisionInput:
    """KEEP leaves a field as it is; None clears the branch or the pool."""

    name: str | Keep = KEEP
    branch_id: int | Keep | None = KEEP
    pool_id: int | Keep | None = KEEP
    route_ids: tuple[int, ...] | Keep = KEEP


async def create(ctx: ServiceContext, actor: Actor, given: DivisionInput) -> Division:
    require(actor, "division.manage")
    if given.name is KEEP:
        raise ValidationFailed("A division needs a name.", field=["name"])
    async with UnitOfWork(ctx) as uow:
        division = Division(company_id=actor.company_id, name="")
        await _apply(uow, actor, division, given)
        await uow.commit()
    return division


async def update_division(
    ctx: ServiceContext, actor: Actor, division_id: int, given: DivisionInput
) -> Division:
    """Rename a division, move it to another branch, give it a pool or routes."""
    require(actor, "division.manage")
    async with UnitOfWork(ctx) as uow:
        division = await uow.session.scalar(
            select(Division)
            .where(Division.id == division_id, Division.company_id == actor.company_id)
            .with_for_update()
        )
        if division is None:
            raise NotFound("No division with that id.", field=["id"])
        await _apply(uow, actor, division, given)
        await uow.commit()
    return division


async def _apply(uow: UnitOfWork, actor: Actor, division: Division, given: DivisionInput) -> None:
    if isinstance(given.branch_id, int):
        branch = await uow.session.scalar(
            select(Branch.id).where(
                Branch.id == given.branch_id, Branch.company_id == actor.company_id
            )
        )
        if branch is None:
            raise NotFound("No branch with that id.", field=["branchId"])
        division.branch_id = given.branch_id
    elif given.branch_id is None:
        division.branch_id = None
    if isinstance(given.pool_id, int):
        await shared_pool(uow, actor, given.pool_id, ["poolId"])
    if not isinstance(given.pool_id, Keep):
        division.pool_id = given.pool_id
    if isinstance(given.name, str):
        division.name = await _checked_name(uow, actor, division, given.name)
    if division.id is None:
        uow.session.add(division)
    await uow.session.flush()
    if isinstance(given.route_ids, tuple):
        await _assign_routes(uow, actor, division, given.route_ids)


async def _checked_name(uow: UnitOfWork, actor: Actor, division: Division, name: str) -> str:
    """1 to 200 characters, and no other division of the same branch has it (any case)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("A division needs a name of 1 to 200 characters.", field=["name"])
    same = select(func.count()).where(
        Division.company_id == actor.company_id,
        func.lower(Division.name) == name.lower(),
        Division.branch_id.is_(None)
        if division.branch_id is None
        else Division.branch_id == division.branch_id,
    )
    if division.id is not None:
        same = same.where(Division.id != division.id)
    if await uow.session.scalar(same):
        raise ValidationFailed(f"There is already a division named {name!r}.", field=["name"])
    return name


async def _assign_routes(
    uow: UnitOfWork, actor: Actor, division: Division, route_ids: Sequence[int]
) -> None:
    """The division holds exactly these routes (a route is in one division at a time)."""
    found = set(
        await uow.session.scalars(
            select(Route.id).where(
                Route.id.in_(set(route_ids)), Route.company_id == actor.company_id
            )
        )
    )
    for index, route_id in enumerate(route_ids):
        if route_id not in found:
            raise NotFound("No route with that id.", field=["routeIds", str(index)])
    mine = Route.company_id == actor.company_id
    await uow.session.execute(
        update(Route)
        .where(mine, Route.division_id == division.id, Route.id.not_in(found))
        .values(division_id=None)
        .execution_options(synchronize_session=False)
    )
    if found:
        await uow.session.execute(
            update(Route)
            .where(mine, Route.id.in_(found))
            .values(division_id=division.id)
            .execution_options(synchronize_session=False)
        )
