"""Per-request DataLoaders of webhooks (reached as ``info.context.loaders.webhooks``): the
attempts of a page of deliveries in one query."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from protiv.persistence.models import WebhookAttempt
from protiv.services import webhooks
from protiv.services.context import ServiceContext


class WebhookLoaders:
    def __init__(self, ctx: ServiceContext, company_id: int) -> None:
        self.ctx = ctx
        self.company_id = company_id
        self.attempts_of: DataLoader[int, list[WebhookAttempt]] = DataLoader(self._attempts)

    async def _attempts(self, delivery_ids: Sequence[int]) -> Sequence[list[WebhookAttempt]]:
        return await webhooks.attempts_of(self.ctx, self.company_id, delivery_ids)
