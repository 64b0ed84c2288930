"""Which pool an ACTIVE ProPay splits its savings with: a named pool, the one it inherits
(division, branch, company default), or its own percentages (a "manual pool", domain-research
§1.3: "can be edited per ProPay while Active").

Own percentages are stored as a pool row flagged ``manual`` that only this ProPay names, so the
calculation, the line items' retention days and the API read it like any other pool. It starts
as a copy of the pool the ProPay used, with the given fields replaced.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from protiv.domain.roles import Actor
from protiv.persistence.models import BonusPool, BonusPoolMember, ProPay
from protiv.services import calculation, pools
from protiv.services.context import ServiceContext
from protiv.services.editing import KEEP, Changes, Edited, Keep, edit, flush
from protiv.services.uow import UnitOfWork

INHERITED = "the division's, branch's or company default pool"


async def _name(uow: UnitOfWork, pool_id: int | None) -> str:
    row = await uow.session.get(BonusPool, pool_id) if pool_id is not None else None
    if row is None:
        return INHERITED
    return "its own percentages" if row.manual else repr(row.name)


async def _drop_manual(uow: UnitOfWork, pool_id: int | None) -> None:
    """Delete a manual pool the ProPay no longer names (nothing else can name it)."""
    row = await uow.session.get(BonusPool, pool_id) if pool_id is not None else None
    if row is None or not row.manual:
        return
    members = await uow.session.scalars(
        select(BonusPoolMember).where(BonusPoolMember.pool_id == row.id)
    )
    for member in members:
        await uow.session.delete(member)
    await flush(uow)
    await uow.session.delete(row)


async def use_pool(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    pool_id: int | None,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    """Split with a named pool (None: inherit the division's, branch's or company default)."""

    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        if pool_id is not None:
            await pools.shared_pool(uow, actor, pool_id, ["poolId"])
        old = pro_pay.pool_id
        if old == pool_id:
            return
        changes.add(f"pool {await _name(uow, old)} → {await _name(uow, pool_id)}")
        pro_pay.pool_id = pool_id
        await flush(uow)
        await _drop_manual(uow, old)

    return await edit(
        ctx, actor, pro_pay_id, change, expected_version=expected_version, reason=reason
    )


async def set_manual_pool(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    roles: dict[str, Decimal],
    *,
    split_savings_pct: Decimal | Keep = KEEP,
    other_member_ids: tuple[int, ...] | Keep = KEEP,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Edited:
    """This ProPay's own role percents (``roles``: crew_pct, crew_lead_pct, ... totalling 100),
    savings split and OTHER members; what is left out is copied from the pool it used."""

    async def change(uow: UnitOfWork, pro_pay: ProPay, changes: Changes) -> None:
        data = await calculation.load_inputs(uow.session, [pro_pay])
        source, current = calculation.pool_source(pro_pay, data)
        base = pools.PoolSettings()
        if current is not None:
            base = pools.settings_of(current, data.pool_members.get(current.id, ()))
        wanted: dict[str, object] = {**roles, "split_savings_pct": split_savings_pct}
        wanted |= {"other_member_ids": other_member_ids}
        settings = pools.merged(base, wanted | {"name": f"{pro_pay.title} (own)"[:120]})
        pools.check(settings)
        if other_member_ids is not KEEP:
            await pools.check_members(uow, actor, settings.other_member_ids)
        if current is not None and source == "MANUAL":
            done = Changes()
            await pools.write(uow, current, settings, done)
            for line in done.lines:
                if not line.startswith("name "):
                    changes.add(f"ownPool.{line}")
            return
        row = BonusPool(company_id=pro_pay.company_id, name=settings.name, manual=True)
        await pools.write(uow, row, settings, Changes())
        changes.add(f"pool {await _name(uow, pro_pay.pool_id)} → its own percentages")
        pro_pay.pool_id = row.id

    return await edit(
        ctx, actor, pro_pay_id, change, expected_version=expected_version, reason=reason
    )
