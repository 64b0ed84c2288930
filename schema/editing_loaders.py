"""Per-request DataLoaders of editing and pools (reached as ``info.context.loaders.editing``):
pools, their members, branches, divisions, routes, a ProPay's task budgets and crew overrides,
and which pool each ProPay splits with. One batch per relation, whatever the page size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from protiv.persistence.models import (
    BonusPool,
    BonusPoolMember,
    Branch,
    Division,
    ProPayTaskBudget,
    ProPayWorker,
    Route,
)
from protiv.services import pool_reads, queries
from protiv.services.context import ServiceContext

T = TypeVar("T")


class EditingLoaders:
    def __init__(self, ctx: ServiceContext, company_id: int) -> None:
        self.ctx = ctx
        self.company_id = company_id
        self.pool = self._by_id(BonusPool)
        self.branch = self._by_id(Branch)
        self.division = self._by_id(Division)
        self.route = self._by_id(Route)
        # children of rows already scoped to the company (pools, ProPays, divisions)
        self.pool_members = self._children(BonusPoolMember, BonusPoolMember.pool_id)
        self.task_budgets = self._children(ProPayTaskBudget, ProPayTaskBudget.pro_pay_id)
        self.crew_overrides = self._children(ProPayWorker, ProPayWorker.pro_pay_id)
        self.routes_of_division = self._children(Route, Route.division_id, company_id)
        self.pool_choice: DataLoader[int, pool_reads.PoolChoice | None] = DataLoader(
            self._pool_choices
        )

    def _by_id(self, model: type[T]) -> DataLoader[int, T | None]:
        async def load(ids: Sequence[int]) -> Sequence[T | None]:
            return await queries.by_ids(self.ctx, model, self.company_id, ids)

        return DataLoader(load)

    def _children(
        self, model: type[T], parent: Any, company_id: int | None = None
    ) -> DataLoader[int, list[T]]:
        async def load(ids: Sequence[int]) -> Sequence[list[T]]:
            return await queries.children(self.ctx, model, parent, ids, company_id)

        return DataLoader(load)

    async def _pool_choices(self, ids: Sequence[int]) -> Sequence[pool_reads.PoolChoice | None]:
        return await pool_reads.choices(self.ctx, self.company_id, ids)
