"""Reads for the API about pools: which pool each ProPay splits with and why, in one batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from protiv.persistence.models import ProPay
from protiv.services import calculation
from protiv.services.context import ServiceContext


@dataclass(frozen=True, slots=True)
class PoolChoice:
    """Where the applied pool came from (PRO_PAY, MANUAL, DIVISION, BRANCH, COMPANY_DEFAULT,
    BUILT_IN) and its id (None for BUILT_IN: domain-research §5.8's defaults)."""

    source: str
    pool_id: int | None


async def choices(
    ctx: ServiceContext, company_id: int, pro_pay_ids: Sequence[int]
) -> list[PoolChoice | None]:
    """The pool of each ProPay (None for an id that is not the company's)."""
    async with ctx.db.read() as session:
        rows = list(
            await session.scalars(
                select(ProPay).where(
                    ProPay.id.in_(set(pro_pay_ids)), ProPay.company_id == company_id
                )
            )
        )
        data = await calculation.load_pool_inputs(session, rows)
    found: dict[int, PoolChoice] = {}
    for row in rows:
        source, pool = calculation.pool_source(row, data)
        found[row.id] = PoolChoice(source, pool.id if pool is not None else None)
    return [found.get(i) for i in pro_pay_ids]
