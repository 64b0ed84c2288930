# mypy: disable-error-code="union-attr"
"""Bonus pools: percents must total 100 and OTHER needs members; where a pool applies (ProPay,
its own percentages, division through the route, branch, company default, built in); ACTIVE
ProPays read it live while approved ones keep their frozen figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from protiv.domain.errors import DomainError, ErrorCode, Forbidden
from protiv.persistence.models import BonusPool, Branch, ProPay, Route
from protiv.services import calculation, divisions, pools, pro_pay_pools, pro_pays
from protiv.services.divisions import DivisionInput
from protiv.services.editing import KEEP
from protiv.services.pools import PoolSettings
from tests.services.edit_scenarios import MANAGER, preview, shares, sync_job, worker_ids

D = Decimal
CREW = [("W-1", "50", "16"), ("W-2", "50", "14")]  # 40 h budget: worker pool $250


@pytest.fixture
async def pro_pay_id(ctx, admin):
    return await sync_job(ctx, admin, {"budgetHours": "40"}, CREW)


async def _refused(call, code: ErrorCode, field=None) -> DomainError:
    with pytest.raises(DomainError) as caught:
        await call
    assert caught.value.code is code, caught.value
    if field is not None:
        assert caught.value.field == field
    return caught.value


async def _source(ctx, pro_pay_id) -> tuple[str, str | None]:
    async with ctx.db.read() as session:
        row = await session.get(ProPay, pro_pay_id)
        data = await calculation.load_pool_inputs(session, [row])
        source, pool = calculation.pool_source(row, data)
    return source, pool.name if pool else None


def _split(crew, lead, manager, company=0, other=0, members=(), name="Pool") -> PoolSettings:
    return PoolSettings(
        name=name,
        crew_pct=D(crew),
        crew_lead_pct=D(lead),
        manager_pct=D(manager),
        company_pct=D(company),
        other_pct=D(other),
        other_member_ids=tuple(members),
    )


BAD_POOLS = [
    (_split(70, 20, 20), ["roles"]),
    (_split(100, -10, 10), ["roles", "crewLead"]),
    (_split(60, 20, 10, other=10), ["otherMemberIds"]),
    (PoolSettings(name=" "), ["name"]),
    (PoolSettings(split_savings_pct=D(101)), ["splitSavingsPct"]),
    (PoolSettings(retention_days_other=-1), ["retentionDays", "other"]),
]


async def test_a_bad_pool_is_refused_on_its_field(ctx, admin):
    for settings, field in BAD_POOLS:
        error = await _refused(pools.create(ctx, admin, settings), ErrorCode.VALIDATION, field)
        assert error.message[:1].isupper()
    async with ctx.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(BonusPool)) == 0


async def test_only_admins_manage_pools(ctx, manager):
    with pytest.raises(Forbidden):
        await pools.create(ctx, manager, PoolSettings())


async def test_where_the_pool_comes_from(ctx, admin, manager, pro_pay_id):
    assert await _source(ctx, pro_pay_id) == ("BUILT_IN", None)
    default = (await pools.create(ctx, admin, _split(80, 10, 10, name="Default"))).pool
    await pools.set_company_default(ctx, admin, default.id)
    assert await _source(ctx, pro_pay_id) == ("COMPANY_DEFAULT", "Default")
    branch_pool = (await pools.create(ctx, admin, _split(60, 20, 20, name="Austin"))).pool
    async with ctx.db.read() as session:
        branch = (await session.scalars(select(Branch))).one()
        route = (await session.scalars(select(Route))).one()
    await pools.set_branch_pool(ctx, admin, branch.id, branch_pool.id)
    assert await _source(ctx, pro_pay_id) == ("BRANCH", "Austin")
    division_pool = (await pools.create(ctx, admin, _split(50, 30, 20, name="Maint"))).pool
    given = DivisionInput(
        name="Maintenance", branch_id=branch.id, pool_id=division_pool.id, route_ids=(route.id,)
    )
    division = await divisions.create(ctx, admin, given)
    assert await _source(ctx, pro_pay_id) == ("DIVISION", "Maint")
    await pro_pay_pools.use_pool(ctx, manager, pro_pay_id, default.id)
    assert await _source(ctx, pro_pay_id) == ("PRO_PAY", "Default")
    await pro_pay_pools.use_pool(ctx, manager, pro_pay_id, None)
    await divisions.update_division(ctx, admin, division.id, DivisionInput(route_ids=()))
    assert await _source(ctx, pro_pay_id) == ("BRANCH", "Austin")


async def test_a_pool_change_moves_active_previews_but_not_approved_figures(
    ctx, admin, manager, pro_pay_id
):
    created = (await pools.create(ctx, admin, _split(70, 20, 10, name="Std"))).pool
    pool = await pools.set_company_default(ctx, admin, created.id)
    assert pool is not None
    other = await sync_job(ctx, admin, {"budgetHours": "40"}, CREW, job="J-2")
    approved = await pro_pays.approve(ctx, manager, other)
    frozen = approved.record.calculation
    saved = await pools.update(ctx, admin, pool.id, {"split_savings_pct": D(100)})
    assert saved.pool.version == pool.version + 1
    assert (await preview(ctx, manager, pro_pay_id))["worker_pool"] == "500.00"
    async with ctx.db.read() as session:
        assert (await session.get(ProPay, other)).calculation == frozen


async def test_other_members_share_the_other_bucket(ctx, admin, manager, pro_pay_id):
    ids = await worker_ids(ctx)
    split = _split(60, 20, 10, other=10, members=(ids["W-1"], ids[MANAGER]))
    pool = (await pools.create(ctx, admin, split)).pool
    await pools.set_company_default(ctx, admin, pool.id)
    got = await shares(ctx, await preview(ctx, manager, pro_pay_id))
    assert got[("W-1", "OTHER")] + got[(MANAGER, "OTHER")] == D("25.00")
    await pools.update(ctx, admin, pool.id, {"other_member_ids": (ids["W-2"],)})
    got = await shares(ctx, await preview(ctx, manager, pro_pay_id))
    assert got[("W-2", "OTHER")] == D("25.00")
    assert ("W-1", "OTHER") not in got


async def test_a_pro_pays_own_percentages(ctx, admin, manager, pro_pay_id):
    roles = {"crew_pct": D(100), "crew_lead_pct": D(0), "manager_pct": D(0)}
    roles |= {"company_pct": D(0), "other_pct": D(0)}
    done = await pro_pay_pools.set_manual_pool(
        ctx, manager, pro_pay_id, roles, split_savings_pct=D(40)
    )
    assert done.event.reason == (
        "Edited pool the division's, branch's or company default pool → its own percentages"
    )
    assert await _source(ctx, pro_pay_id) == ("MANUAL", "Job J-1 (own)")
    result = await preview(ctx, manager, pro_pay_id)
    assert (result["worker_pool"], result["buckets"][0]["amount"]) == ("200.00", "200.00")
    again = await pro_pay_pools.set_manual_pool(
        ctx, manager, pro_pay_id, roles | {"crew_pct": D(90), "manager_pct": D(10)}
    )
    assert again.event.reason == "Edited ownPool.roles.crew 100 → 90; ownPool.roles.manager 0 → 10"
    await _refused(
        pro_pay_pools.set_manual_pool(ctx, manager, pro_pay_id, roles | {"crew_pct": D(99)}),
        ErrorCode.VALIDATION,
        ["roles"],
    )
    await pro_pay_pools.use_pool(ctx, manager, pro_pay_id, None)
    async with ctx.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(BonusPool)) == 0
    assert await _source(ctx, pro_pay_id) == ("BUILT_IN", None)


async def test_a_pool_in_use_cannot_be_deleted(ctx, admin, pro_pay_id):
    pool = (await pools.create(ctx, admin, PoolSettings(name="Used"))).pool
    await pools.set_company_default(ctx, admin, pool.id)
    error = await _refused(pools.delete(ctx, admin, pool.id), ErrorCode.VALIDATION, ["id"])
    assert "the company default" in error.message
    await pools.set_company_default(ctx, admin, None)
    await pools.delete(ctx, admin, pool.id)
    await _refused(pools.delete(ctx, admin, pool.id), ErrorCode.NOT_FOUND)


async def test_stale_pool_version_is_a_conflict(ctx, admin):
    pool = (await pools.create(ctx, admin, PoolSettings(name="P"))).pool
    await pools.update(ctx, admin, pool.id, {"name": "P2"}, expected_version=1)
    await _refused(
        pools.update(ctx, admin, pool.id, {"name": "P3"}, expected_version=1), ErrorCode.CONFLICT
    )
    unchanged = await pools.update(ctx, admin, pool.id, {"name": "P2", "roll_over_negative": KEEP})
    assert (unchanged.changed, unchanged.pool.version) == (False, 2)


async def test_division_names_are_unique_in_a_branch(ctx, admin, pro_pay_id):
    await divisions.create(ctx, admin, DivisionInput(name="Snow"))
    await _refused(
        divisions.create(ctx, admin, DivisionInput(name=" snow ")), ErrorCode.VALIDATION, ["name"]
    )
    renamed = await divisions.create(ctx, admin, DivisionInput(name="Lawn"))
    done = await divisions.update_division(ctx, admin, renamed.id, DivisionInput(name="Lawn care"))
    assert done.name == "Lawn care"
    await _refused(
        divisions.update_division(ctx, admin, renamed.id, DivisionInput(route_ids=(999999,))),
        ErrorCode.NOT_FOUND,
        ["routeIds", "0"],
    )
