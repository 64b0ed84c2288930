"""Per-request DataLoaders: every relation a page of results needs is fetched in one batch,
so a query costs the same number of database round trips for 1 row or 100."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from protiv.domain.statuses import EntityKind
from protiv.persistence.models import (
    Disqualifier,
    Event,
    ExclusionRule,
    Job,
    LineItem,
    Milestone,
    PayPeriod,
    Penalty,
    ProPay,
    ProPayGroup,
    Statement,
    Worker,
)
from protiv.services import queries
from protiv.services.context import ServiceContext
from schema.editing_loaders import EditingLoaders
from schema.payout_loaders import PayoutLoaders
from schema.webhook_loaders import WebhookLoaders

T = TypeVar("T")


class Loaders:
    """``worker_id``: reading for a worker token, which sees only its own records."""

    def __init__(self, ctx: ServiceContext, company_id: int, worker_id: int | None = None) -> None:
        self.ctx = ctx
        self.company_id = company_id
        self.worker_id = worker_id
        self.pro_pay = self._by_id(ProPay)
        self.group = self._by_id(ProPayGroup)
        self.line_item = self._by_id(LineItem)
        self.statement = self._by_id(Statement)
        self.job = self._by_id(Job)
        self.worker = self._by_id(Worker)
        self.event = self._by_id(Event)
        self.pay_period = self._by_id(PayPeriod)
        self.line_items_of_pro_pay = self._children(LineItem, LineItem.pro_pay_id)
        self.line_items_of_statement = self._children(LineItem, LineItem.statement_id)
        self.line_items_with_workers: DataLoader[int, list[tuple[LineItem, Worker | None]]] = (
            DataLoader(self._line_items_with_workers)
        )
        self.members_of_group = self._children(ProPay, ProPay.group_id)
        self.pro_pays_of_job = self._children(ProPay, ProPay.job_id)
        self.milestones_of_job = self._children(Milestone, Milestone.job_id)
        self.exclusion_rule = self._by_id(ExclusionRule)
        self.disqualifiers_of = self._children(Disqualifier, Disqualifier.pro_pay_id, scoped=False)
        self.penalties_of = self._children(Penalty, Penalty.pro_pay_id, scoped=False)
        self.events_of: DataLoader[tuple[EntityKind, int], list[Event]] = DataLoader(self._events)
        # per-request memo of ProPay.availableActions by what its guards read (schema.nodes.pro_pay)
        self.pro_pay_actions: dict[tuple[Any, ...], list[Any]] = {}
        self.preview: DataLoader[int, dict[str, Any] | str | None] = DataLoader(self._previews)
        self.payouts = PayoutLoaders(ctx, company_id)  # statements' time, for wage metrics
        self.editing = EditingLoaders(ctx, company_id)  # pools, divisions, ProPay settings
        self.webhooks = WebhookLoaders(ctx, company_id)  # deliveries' attempts

    def _by_id(self, model: type[T]) -> DataLoader[int, T | None]:
        async def load(ids: Sequence[int]) -> Sequence[T | None]:
            return await queries.by_ids(
                self.ctx, model, self.company_id, ids, worker_id=self.worker_id
            )

        return DataLoader(load)

    def _children(
        self, model: type[T], parent: Any, *, scoped: bool = True
    ) -> DataLoader[int, list[T]]:
        company = self.company_id if scoped else None

        async def load(ids: Sequence[int]) -> Sequence[list[T]]:
            return await queries.children(
                self.ctx, model, parent, ids, company, worker_id=self.worker_id
            )

        return DataLoader(load)

    async def _line_items_with_workers(
        self, ids: Sequence[int]
    ) -> Sequence[list[tuple[LineItem, Worker | None]]]:
        """Each ProPay's line items, each with its worker row: one batch for a whole page, so
        ``LineItem.worker`` answers without a future of its own per item. Both reads go
        through the plain loaders, so their caches (and round trips) are shared."""
        groups = await self.line_items_of_pro_pay.load_many(ids)
        worker_ids = list({row.worker_id for rows in groups for row in rows})
        found = dict(zip(worker_ids, await self.worker.load_many(worker_ids), strict=True))
        return [[(row, found[row.worker_id]) for row in rows] for rows in groups]

    async def _events(self, keys: Sequence[tuple[EntityKind, int]]) -> Sequence[list[Event]]:
        return await queries.events_of(self.ctx, self.company_id, keys)

    async def _previews(self, ids: Sequence[int]) -> Sequence[dict[str, Any] | str | None]:
        return await queries.previews_by_id(
            self.ctx, self.company_id, ids, worker_id=self.worker_id
        )
