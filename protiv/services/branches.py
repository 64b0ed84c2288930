"""A manager's ProPay rights stop at its branches (protiv.domain.permissions): which branches a
ProPay or a group belongs to, and the check every write on one of them makes.

A ProPay's branch is its job's; a group's branches are its members'. The check costs one small
query, and only for a branch-bound actor (a manager token with branches); everyone else is
never asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from protiv.domain.permissions import branch_bound, require_branches
from protiv.domain.roles import Actor
from protiv.persistence.models import Job, ProPay, ProPayGroup


async def of_pro_pays(session: AsyncSession, pro_pays: Iterable[ProPay]) -> set[int | None]:
    """The branches of these ProPays' jobs (None for a job of no branch)."""
    job_ids = {p.job_id for p in pro_pays}
    if not job_ids:
        return set()
    return set(await session.scalars(select(Job.branch_id).where(Job.id.in_(job_ids))))


async def of_group(session: AsyncSession, group_id: int) -> set[int | None]:
    """The branches of a group's members."""
    rows = await session.scalars(
        select(Job.branch_id)
        .join(ProPay, ProPay.job_id == Job.id)
        .where(ProPay.group_id == group_id)
    )
    return set(rows)


async def require_pro_pays(
    session: AsyncSession, actor: Actor, pro_pays: Sequence[ProPay], what: str = "ProPay"
) -> None:
    """FORBIDDEN when any of these ProPays is outside the actor's branches."""
    if branch_bound(actor):
        require_branches(actor, await of_pro_pays(session, pro_pays), what)


async def require_record(session: AsyncSession, actor: Actor, record: Any) -> None:
    """The branch check for a record about to be changed: ProPays and groups are branch-bound,
    everything else is not."""
    if not branch_bound(actor):
        return
    if isinstance(record, ProPay):
        require_branches(actor, await of_pro_pays(session, [record]), "ProPay")
    elif isinstance(record, ProPayGroup):
        require_branches(actor, await of_group(session, record.id), "ProPay group")
