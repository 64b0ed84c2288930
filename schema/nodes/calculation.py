"""A ProPay's calculation as GraphQL: a live preview while ACTIVE, frozen at approval."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from protiv.domain import bonus
from schema.context import Info
from schema.enums import Bucket, Distribution
from schema.nodes.records import Worker


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _d_or_none(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@strawberry.type(description="One worker's share of one bucket: a future line item and why.")
class Share:
    bucket: Bucket
    amount: Decimal
    hours: Decimal
    reason: str
    worker_id: strawberry.Private[int]

    @strawberry.field
    async def worker(self, info: Info) -> Worker | None:
        row = await info.context.loaders.worker.load(self.worker_id)
        return Worker.from_row(row) if row else None


@strawberry.type(description="One role bucket of the worker pool.")
class BucketShare:
    bucket: Bucket
    percent: Decimal = strawberry.field(description="Effective percent after empty buckets moved.")
    amount: Decimal
    recipient_missing: bool = strawberry.field(
        description="Nobody could receive it: its money went to the crew bucket (or, for the "
        "crew bucket, is undistributed)."
    )
    shares: list[Share]


@strawberry.type(
    description="Budget against actual, the worker pool, and each share, exact to the cent."
)
class Calculation:
    frozen: bool = strawberry.field(description="True once approved: the figures no longer move.")
    budget_amount: Decimal
    budget_hours: Decimal | None
    actual_hours: Decimal
    actual_cost: Decimal
    blended_wage: Decimal
    saved: Decimal = strawberry.field(description="Budget minus actual (negative when over).")
    split_savings_pct: Decimal
    savings_share: Decimal = strawberry.field(description="The workers' part of the savings.")
    disqualified: bool
    penalties_total: Decimal
    worker_pool: Decimal = strawberry.field(description="What the role buckets split.")
    distribution: Distribution
    undistributed: Decimal
    buckets: list[BucketShare]
    notes: list[str]

    @classmethod
    def from_plain(cls, data: dict[str, Any], *, frozen: bool) -> Calculation:
        return cls(
            frozen=frozen,
            budget_amount=_d(data["budget_amount"]),
            budget_hours=_d_or_none(data.get("budget_hours")),
            actual_hours=_d(data["actual_hours"]),
            actual_cost=_d(data["actual_cost"]),
            blended_wage=_d(data["blended_wage"]),
            saved=_d(data["saved"]),
            split_savings_pct=_d(data["split_savings_pct"]),
            savings_share=_d(data["savings_share"]),
            disqualified=bool(data["disqualified"]),
            penalties_total=_d(data["penalties_total"]),
            worker_pool=_d(data["worker_pool"]),
            distribution=bonus.Distribution(data.get("distribution", "BY_HOURS")),
            undistributed=_d(data.get("undistributed", "0")),
            buckets=[_bucket(b) for b in data["buckets"]],
            notes=list(data["notes"]),
        )


def _bucket(data: dict[str, Any]) -> BucketShare:
    return BucketShare(
        bucket=bonus.Bucket(data["bucket"]),
        percent=_d(data["percent"]),
        amount=_d(data["amount"]),
        recipient_missing=bool(data["recipient_missing"]),
        shares=[
            Share(
                bucket=bonus.Bucket(s["bucket"]),
                amount=_d(s["amount"]),
                hours=_d(s["hours"]),
                reason=s["reason"],
                worker_id=int(s["worker_id"]),
            )
            for s in data["shares"]
        ],
    )
