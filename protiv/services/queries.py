"""Reads for the API: batch loads by id or parent id (what DataLoaders call), and keyset pages.

Every read is scoped to one company: a record of another company is simply not there. A read
for a worker token (``worker_id``) is scoped further to what that worker may see
(protiv.services.visibility).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from protiv.domain.statuses import EntityKind
from protiv.persistence.models import Event
from protiv.services.context import ServiceContext
from protiv.services.visibility import only_for_worker

T = TypeVar("T")
MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Any]
    has_next: bool
    has_previous: bool
    total: int


def _for_worker(stmt: Select[T], model: type[Any], worker_id: int | None) -> Select[T]:
    return stmt if worker_id is None else stmt.where(only_for_worker(model, worker_id))


async def by_ids(
    ctx: ServiceContext,
    model: type[T],
    company_id: int,
    ids: Sequence[int],
    *,
    worker_id: int | None = None,
) -> list[T | None]:
    """Rows in the order of ``ids``; None where missing, another company's, or (for a worker)
    not the worker's to see."""
    stmt = select(model).where(model.id.in_(set(ids)), model.company_id == company_id)  # type: ignore[attr-defined]
    async with ctx.db.read() as session:
        rows = await session.scalars(_for_worker(stmt, model, worker_id))
        found = {row.id: row for row in rows}  # type: ignore[attr-defined]
    return [found.get(i) for i in ids]


async def children(
    ctx: ServiceContext,
    model: type[T],
    parent: Any,
    parent_ids: Sequence[int],
    company_id: int | None = None,
    *,
    worker_id: int | None = None,
) -> list[list[T]]:
    """For each parent id, its child rows (ordered by id)."""
    stmt = select(model).where(parent.in_(set(parent_ids))).order_by(model.id)  # type: ignore[attr-defined]
    if company_id is not None:
        stmt = stmt.where(model.company_id == company_id)  # type: ignore[attr-defined]
    stmt = _for_worker(stmt, model, worker_id)
    async with ctx.db.read() as session:
        rows = await session.scalars(stmt)
        grouped: dict[int, list[T]] = defaultdict(list)
        for row in rows:
            grouped[getattr(row, parent.key)].append(row)
    return [grouped.get(i, []) for i in parent_ids]


async def events_of(
    ctx: ServiceContext, company_id: int, keys: Sequence[tuple[EntityKind, int]]
) -> list[list[Event]]:
    """The history of each (entity, id), oldest first."""
    by_kind: dict[EntityKind, set[int]] = defaultdict(set)
    for kind, entity_id in keys:
        by_kind[kind].add(entity_id)
    grouped: dict[tuple[EntityKind, int], list[Event]] = defaultdict(list)
    async with ctx.db.read() as session:
        for kind, ids in by_kind.items():
            rows = await session.scalars(
                select(Event)
                .where(
                    Event.company_id == company_id, Event.entity == kind, Event.entity_id.in_(ids)
                )
                .order_by(Event.id)
            )
            for row in rows:
                grouped[(row.entity, row.entity_id)].append(row)
    return [grouped.get(key, []) for key in keys]


async def page(
    ctx: ServiceContext,
    model: type[T],
    company_id: int,
    *,
    where: Sequence[ColumnElement[bool]] = (),
    first: int,
    after: int | None,
    with_total: bool = True,
    worker_id: int | None = None,
) -> Page:
    """A keyset page ordered by id: rows with id > ``after``, at most ``first`` of them."""
    base: Select[T] = select(model).where(model.company_id == company_id, *where)  # type: ignore[attr-defined]
    base = _for_worker(base, model, worker_id)
    stmt = base.order_by(model.id).limit(first + 1)  # type: ignore[attr-defined]
    if after is not None:
        stmt = stmt.where(model.id > after)  # type: ignore[attr-defined]
    async with ctx.db.read() as session:
        rows = list((await session.scalars(stmt)).all())
        total = await _count(session, base) if with_total else -1
    return Page(
        rows=rows[:first], has_next=len(rows) > first, has_previous=after is not None, total=total
    )


async def _count(session: AsyncSession, base: Select[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(base.subquery())) or 0)


async def previews_by_id(
    ctx: ServiceContext, company_id: int, ids: Sequence[int], *, worker_id: int | None = None
) -> list[dict[str, Any] | str | None]:
    """Live breakdowns for ProPays (None for an id that is not the company's, or the worker's)."""
    from protiv.persistence.models import ProPay
    from protiv.services.calculation import previews

    stmt = select(ProPay).where(ProPay.id.in_(set(ids)), ProPay.company_id == company_id)
    async with ctx.db.read() as session:
        rows = list(await session.scalars(_for_worker(stmt, ProPay, worker_id)))
        results = dict(zip([r.id for r in rows], await previews(session, rows), strict=True))
    return [results.get(i) for i in ids]


async def company(ctx: ServiceContext, company_id: int) -> Any:
    """The company row (for the viewer)."""
    from protiv.persistence.models import Company

    async with ctx.db.read() as session:
        return await session.get(Company, company_id)
