"""What "nothing changed" means in these tests: every row of every table, compared whole."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from protiv.persistence.models import Base
from protiv.services.context import ServiceContext

SKIPPED = frozenset({"api_token", "idempotency_key"})  # credentials and keys, not business data


async def snapshot(ctx: ServiceContext) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every business table (all columns), in id order."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with ctx.db.read() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in SKIPPED:
                continue
            order = table.primary_key.columns.values()
            rows = await session.execute(select(table).order_by(*order))
            found[table.name] = [tuple(row) for row in rows]
    return found
