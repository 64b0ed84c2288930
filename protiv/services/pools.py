"""Bonus pools: how the workers' share of savings splits into role buckets (domain-research
§1.3, §3.4, §5.6), and where each pool applies: the company default, a branch, a division.

A pool is read live by every ACTIVE ProPay that uses it, so a change moves their previews at
once; APPROVED and PAID ProPays keep the figures frozen at their approval (unapprove and approve
again to use the new split). Pools of a single ProPay (``manual``) are made by
``pro_pay_pools.set_manual_pool`` and are not listed, assigned or changed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy import update as update_rows
from sqlalchemy.orm.attributes import flag_modified

from protiv import calc
from protiv.domain.errors import NotFound, ValidationFailed
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.persistence.models import (
    BonusPool,
    BonusPoolMember,
    Branch,
    Division,
    ProPay,
    ProPayGroup,
)
from protiv.services.context import ServiceContext
from protiv.services.editing import KEEP, Changes, company_worker, flush, refuse
from protiv.services.uow import UnitOfWork

PERCENTS = ("crew_pct", "crew_lead_pct", "manager_pct", "company_pct", "other_pct")
ROLE_NAMES = {
    "crew_pct": "roles.crew",
    "crew_lead_pct": "roles.crewLead",
    "manager_pct": "roles.manager",
    "company_pct": "roles.company",
    "other_pct": "roles.other",
    "pool": "roles",
}
LABELS = {
    "name": "name",
    **{attr: label for attr, label in ROLE_NAMES.items() if attr != "pool"},
    "split_savings_pct": "splitSavingsPct",
    "retention_days_crew": "retentionDays.crew",
    "retention_days_crew_lead": "retentionDays.crewLead",
    "retention_days_manager": "retentionDays.manager",
    "retention_days_other": "retentionDays.other",
    "roll_over_negative": "rollOverNegative",
}


@dataclass(frozen=True, slots=True)
class PoolSettings:
    """Everything a pool says; the defaults are domain-research §5.8 (70/20/10, savings 50%)."""

    name: str = "Default pool"
    crew_pct: Decimal = Decimal("70")
    crew_lead_pct: Decimal = Decimal("20")
    manager_pct: Decimal = Decimal("10")
    company_pct: Decimal = Decimal("0")
    other_pct: Decimal = Decimal("0")
    split_savings_pct: Decimal = Decimal("50")
    retention_days_crew: int = 0
    retention_days_crew_lead: int = 0
    retention_days_manager: int = 0
    retention_days_other: int = 0
    roll_over_negative: bool = True
    other_member_ids: tuple[int, ...] = ()


COLUMNS = tuple(f.name for f in fields(PoolSettings) if f.name != "other_member_ids")


def settings_of(row: BonusPool, member_ids: Sequence[int]) -> PoolSettings:
    return PoolSettings(**{c: getattr(row, c) for c in COLUMNS}, other_member_ids=tuple(member_ids))


def merged(current: PoolSettings, changes: dict[str, object]) -> PoolSettings:
    """``current`` with the given fields replaced (KEEP leaves one as it is)."""
    return replace(current, **{k: v for k, v in changes.items() if v is not KEEP})  # type: ignore[arg-type]


def check(settings: PoolSettings) -> None:
    """A usable pool: a name, role percents totalling 100 (domain-research §5.6), OTHER > 0
    with members, retention days of zero or more. VALIDATION names the input field."""
    if not settings.name.strip() or len(settings.name.strip()) > 120:
        raise ValidationFailed("A pool needs a name of 1 to 120 characters.", field=["name"])
    for attr in (*PERCENTS, "split_savings_pct"):
        value: Decimal = getattr(settings, attr)
        if not value.is_finite():
            raise ValidationFailed(f"{value} is not a percentage.", field=_field(attr))
    try:
        calc.validate_pool(
            calc.Pool(
                **{attr: getattr(settings, attr) for attr in PERCENTS},
                split_savings_pct=settings.split_savings_pct,
                other_member_ids=settings.other_member_ids,
            )
        )
    except ValidationFailed as error:
        refuse(error, "pool", ROLE_NAMES)
    for attr in COLUMNS:
        if attr.startswith("retention_days") and getattr(settings, attr) < 0:
            raise ValidationFailed("Retention days must be 0 or more.", field=_field(attr))


def _field(attr: str) -> list[str]:
    return LABELS[attr].split(".")


async def check_members(uow: UnitOfWork, actor: Actor, member_ids: Sequence[int]) -> None:
    for index, worker_id in enumerate(member_ids):
        await company_worker(uow, actor, worker_id, ["otherMemberIds", str(index)])


async def member_ids(uow: UnitOfWork, pool_id: int) -> list[int]:
    rows = await uow.session.scalars(
        select(BonusPoolMember.worker_id)
        .where(BonusPoolMember.pool_id == pool_id)
        .order_by(BonusPoolMember.worker_id)
    )
    return list(rows)


async def write(uow: UnitOfWork, row: BonusPool, settings: PoolSettings, changes: Changes) -> None:
    """Store ``settings`` on ``row`` with its OTHER members: one version bump for the lot."""
    values = {c: getattr(settings, c) for c in COLUMNS}
    changes.set(row, values | {"name": settings.name.strip()}, LABELS)
    old = await member_ids(uow, row.id) if row.id is not None else []
    new = sorted(set(settings.other_member_ids))
    if old != new:
        changes.add(f"otherMembers {old} → {new}")
        if row.id is not None:
            flag_modified(row, "name")  # members are part of the pool: its version moves
    if row.id is None:
        uow.session.add(row)
    await flush(uow)
    if old == new:
        return
    gone = await uow.session.scalars(
        select(BonusPoolMember).where(
            BonusPoolMember.pool_id == row.id, BonusPoolMember.worker_id.in_(set(old) - set(new))
        )
    )
    for member in gone:
        await uow.session.delete(member)
    uow.session.add_all(BonusPoolMember(pool_id=row.id, worker_id=w) for w in set(new) - set(old))
    await flush(uow)


@dataclass(frozen=True, slots=True)
class Saved:
    pool: BonusPool
    member_ids: list[int]
    changed: bool = True


async def create(ctx: ServiceContext, actor: Actor, settings: PoolSettings) -> Saved:
    require(actor, "bonus_pool.manage")
    check(settings)
    async with UnitOfWork(ctx) as uow:
        await check_members(uow, actor, settings.other_member_ids)
        row = BonusPool(company_id=actor.company_id, name=settings.name.strip())
        await write(uow, row, settings, Changes())
        await uow.commit()
    return Saved(row, sorted(set(settings.other_member_ids)))


async def _lock(uow: UnitOfWork, actor: Actor, pool_id: int, version: int | None) -> BonusPool:
    pool = await uow.lock(BonusPool, pool_id, actor, expected_version=version, label="bonus pool")
    if pool.manual:
        raise NotFound(
            "No bonus pool with that id (a ProPay's own percentages are changed on the ProPay).",
            field=["id"],
        )
    return pool


async def update(
    ctx: ServiceContext,
    actor: Actor,
    pool_id: int,
    changes: dict[str, object],
    *,
    expected_version: int | None = None,
) -> Saved:
    """Change some of a pool's settings (the rest are kept); the result must still be valid."""
    require(actor, "bonus_pool.manage")
    async with UnitOfWork(ctx) as uow:
        row = await _lock(uow, actor, pool_id, expected_version)
        current = settings_of(row, await member_ids(uow, row.id))
        settings = merged(current, changes)
        check(settings)
        if changes.get("other_member_ids", KEEP) is not KEEP:
            await check_members(uow, actor, settings.other_member_ids)
        done = Changes()
        await write(uow, row, settings, done)
        await uow.commit()
    return Saved(row, sorted(set(settings.other_member_ids)), bool(done.lines))


async def delete(
    ctx: ServiceContext, actor: Actor, pool_id: int, *, expected_version: int | None = None
) -> None:
    """Delete a pool nothing uses (not the company default, no branch, division or ProPay)."""
    require(actor, "bonus_pool.manage")
    async with UnitOfWork(ctx) as uow:
        row = await _lock(uow, actor, pool_id, expected_version)
        uses = await _uses(uow, row)
        if uses:
            raise ValidationFailed(
                f"The pool {row.name!r} is in use ({', '.join(uses)}): assign another pool there "
                "first.",
                field=["id"],
            )
        for member in await uow.session.scalars(
            select(BonusPoolMember).where(BonusPoolMember.pool_id == row.id)
        ):
            await uow.session.delete(member)
        await uow.session.delete(row)
        await uow.commit()


async def _uses(uow: UnitOfWork, pool: BonusPool) -> list[str]:
    """What still names the pool, e.g. ["the company default", "branches: 2"]."""
    uses = ["the company default"] if pool.is_company_default else []
    users: tuple[tuple[type[Branch | Division | ProPay | ProPayGroup], str], ...] = (
        (Branch, "branches"),
        (Division, "divisions"),
        (ProPay, "ProPays"),
        (ProPayGroup, "ProPay groups"),
    )
    for model, noun in users:
        count = await uow.session.scalar(
            select(func.count()).select_from(model).where(model.pool_id == pool.id)
        )
        if count:
            uses.append(f"{noun}: {count}")
    return uses


async def set_company_default(
    ctx: ServiceContext, actor: Actor, pool_id: int | None
) -> BonusPool | None:
    """Make ``pool_id`` the company default, used where no ProPay, division or branch pool is
    (None: no default; the built-in 70/20/10 with savings 50% applies there)."""
    require(actor, "bonus_pool.manage")
    async with UnitOfWork(ctx) as uow:
        row = await _lock(uow, actor, pool_id, None) if pool_id is not None else None
        if row is None or not row.is_company_default:
            await uow.session.execute(
                update_rows(BonusPool)
                .where(BonusPool.company_id == actor.company_id)
                .where(BonusPool.is_company_default.is_(True))
                .values(is_company_default=False, version=BonusPool.version + 1)
                .execution_options(synchronize_session=False)
            )
        if row is not None:
            row.is_company_default = True
        await uow.commit()
    return row


async def shared_pool(uow: UnitOfWork, actor: Actor, pool_id: int, field: list[str]) -> BonusPool:
    """A listed (not manual) pool of the actor's company, else NOT_FOUND on ``field``."""
    row = await uow.session.scalar(
        select(BonusPool).where(
            BonusPool.id == pool_id,
            BonusPool.company_id == actor.company_id,
            BonusPool.manual.is_(False),
        )
    )
    if row is None:
        raise NotFound("No bonus pool with that id.", field=field)
    return row


async def set_branch_pool(
    ctx: ServiceContext, actor: Actor, branch_id: int, pool_id: int | None
) -> Branch:
    """The pool of a branch's jobs (None: the company default); one pool per branch."""
    require(actor, "bonus_pool.manage")
    async with UnitOfWork(ctx) as uow:
        branch = await uow.session.scalar(
            select(Branch)
            .where(Branch.id == branch_id, Branch.company_id == actor.company_id)
            .with_for_update()
        )
        if branch is None:
            raise NotFound("No branch with that id.", field=["branchId"])
        if pool_id is not None:
            await shared_pool(uow, actor, pool_id, ["poolId"])
        branch.pool_id = pool_id
        await uow.commit()
    return branch
