"""What "nothing changed" means in these tests: every row of every table, compared whole."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from protiv.persistence.models import Base
from protiv.services.context import ServiceContext

SKIPPED = frozenset({"idempotency_key"})  # keys of requests, not business data


async def snapshot(
    ctx: ServiceContext, *, but_company: int | None = None
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every business table (all columns), in id order; ``but_company``: leave out
    that company's own rows (what another company may change in its own data)."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with ctx.db.read() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in SKIPPED:
                continue
            stmt = select(table).order_by(*table.primary_key.columns.values())
            if but_company is not None and "company_id" in table.c:
                stmt = stmt.where(table.c.company_id != but_company)
            elif but_company is not None and table.name == "company":
                stmt = stmt.where(table.c.id != but_company)
            found[table.name] = [tuple(row) for row in await session.execute(stmt)]
    return found
