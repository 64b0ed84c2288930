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
        self.members_of_group = self._children(ProPay, ProPay.group_id)
        self.pro_pays_of_job = self._children(ProPay, ProPay.job_id)
        self.milestones_of_job = self._children(Milestone, Milestone.job_id)
        self.exclusion_rule = self._by_id(ExclusionRule)
        self.disqualifiers_of = self._children(Disqualifier, Disqualifier.pro_pay_id, scoped=False)
        self.penalties_of = self._children(Penalty, Penalty.pro_pay_id, scoped=False)
        self.events_of: DataLoader[tuple[EntityKind, int], list[Event]] = DataLoader(self._events)
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

    async def _events(self, keys: Sequence[tuple[EntityKind, int]]) -> Sequence[list[Event]]:
        return await queries.events_of(self.ctx, self.company_id, keys)

    async def _previews(self, ids: Sequence[int]) -> Sequence[dict[str, Any] | str | None]:
        return await queries.previews_by_id(
            self.ctx, self.company_id, ids, worker_id=self.worker_id
        )
