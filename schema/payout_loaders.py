"""Per-request DataLoaders of payouts (reached as ``info.context.loaders.payouts``): each
statement's time in its period, for its wage metrics, one query for a whole page."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from strawberry.dataloader import DataLoader

from protiv.services import figures
from protiv.services.context import ServiceContext


class PayoutLoaders:
    def __init__(self, ctx: ServiceContext, company_id: int) -> None:
        self.ctx = ctx
        self.company_id = company_id
        self.time_in_period: DataLoader[figures.TimeKey, tuple[Decimal, Decimal]] = DataLoader(
            self._time
        )

    async def _time(self, keys: Sequence[figures.TimeKey]) -> Sequence[tuple[Decimal, Decimal]]:
        return await figures.time_in_periods(self.ctx, self.company_id, keys)
