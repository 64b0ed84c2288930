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
    bucket: Bucket = strawberry.field(description="The role bucket this share comes from.")
    amount: Decimal = strawberry.field(
        description="The worker's share in dollars, exact to the cent."
    )
    hours: Decimal = strawberry.field(description="The worker's hours counted for this share.")
    reason: str = strawberry.field(
        description="How the share was worked out, in words (e.g. hours of crew hours × bucket)."
    )
    worker_id: strawberry.Private[int]

    @strawberry.field(description="Who receives it (null if the worker is no longer visible).")
    async def worker(self, info: Info) -> Worker | None:
        row = await info.context.loaders.worker.load(self.worker_id)
        return Worker.from_row(row) if row else None


@strawberry.type(description="One role bucket of the worker pool.")
class BucketShare:
    bucket: Bucket = strawberry.field(
        description="Which role bucket: crew, crew lead, manager, company or other."
    )
    percent: Decimal = strawberry.field(description="Effective percent after empty buckets moved.")
    amount: Decimal = strawberry.field(
        description="The bucket's dollars: the worker pool × its percent."
    )
    recipient_missing: bool = strawberry.field(
        description="Nobody could receive it: its money went to the crew bucket (or, for the "
        "crew bucket, is undistributed)."
    )
    shares: list[Share] = strawberry.field(
        description="How the bucket is split between its workers."
    )


@strawberry.type(
    description="Budget against actual, the worker pool, and each share, exact to the cent."
)
class Calculation:
    frozen: bool = strawberry.field(description="True once approved: the figures no longer move.")
    budget_amount: Decimal = strawberry.field(
        description="The labour budget in dollars, after adjustments."
    )
    budget_hours: Decimal | None = strawberry.field(
        description="The budget in hours, when the budget type is in hours."
    )
    actual_hours: Decimal = strawberry.field(
        description="Hours worked so far (drive time excluded unless configured)."
    )
    actual_cost: Decimal = strawberry.field(
        description="Actual labour cost: hours × wage (burdened if configured)."
    )
    blended_wage: Decimal = strawberry.field(
        description="The crew's average hourly wage, weighted by hours."
    )
    saved: Decimal = strawberry.field(description="Budget minus actual (negative when over).")
    split_savings_pct: Decimal = strawberry.field(
        description="The percent of the savings that goes to the workers."
    )
    savings_share: Decimal = strawberry.field(description="The workers' part of the savings.")
    disqualified: bool = strawberry.field(
        description="True when a disqualifier failed: the worker pool is then 0."
    )
    penalties_total: Decimal = strawberry.field(
        description="Penalties taken off the workers' part of the savings."
    )
    worker_pool: Decimal = strawberry.field(description="What the role buckets split.")
    distribution: Distribution = strawberry.field(
        description="How the crew bucket is split between workers."
    )
    undistributed: Decimal = strawberry.field(
        description="Pool money nobody could receive (no eligible worker)."
    )
    buckets: list[BucketShare] = strawberry.field(
        description="The worker pool by role bucket, each with its shares."
    )
    notes: list[str] = strawberry.field(
        description="Remarks on the figures, e.g. workers whose bonus is removed."
    )

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
