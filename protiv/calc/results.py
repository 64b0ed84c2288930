"""What a calculation gives back: every figure a manager or worker asks "why?" about."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from protiv.domain.bonus import Bucket, Distribution
from protiv.domain.money import ZERO

BUCKET_ORDER: dict[Bucket, int] = {bucket: index for index, bucket in enumerate(Bucket)}


@dataclass(frozen=True, slots=True)
class Share:
    """One worker's part of one bucket: the future bonus line item, with its explanation."""

    worker_id: int
    bucket: Bucket
    amount: Decimal
    hours: Decimal
    weight: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class BucketResult:
    """One role bucket.

    ``percent`` is the effective percent after buckets without a recipient were moved to the
    crew bucket; ``configured_percent`` is what the pool says. A bucket with
    ``recipient_missing`` has no shares: its money went to the crew bucket (crew lead, manager,
    other) or, for the crew bucket itself, is left undistributed.
    """

    bucket: Bucket
    percent: Decimal
    amount: Decimal
    shares: tuple[Share, ...]
    recipient_missing: bool
    configured_percent: Decimal


@dataclass(frozen=True, slots=True)
class TaskResult:
    """Per-task figures of a TASK_HOURS / TASK_AMOUNT budget (``task`` None: unbudgeted time)."""

    task: str | None
    budget_hours: Decimal | None
    budget_amount: Decimal
    actual_hours: Decimal
    actual_cost: Decimal
    saved: Decimal


@dataclass(frozen=True, slots=True)
class Breakdown:
    """The full calculation of a ProPay (or a group), from budget to each worker's share.

    ``savings_share`` is max(saved, 0) * split % before disqualifiers and penalties;
    ``penalties_applied`` is what the penalties actually took (0 when disqualified, never more
    than the savings share); ``undistributed`` is money of a bucket nobody could receive.
    """

    budget_amount: Decimal
    budget_hours: Decimal | None
    actual_hours: Decimal
    actual_cost: Decimal
    blended_wage: Decimal
    saved: Decimal
    split_savings_pct: Decimal
    savings_share: Decimal
    disqualified: bool
    penalties_total: Decimal
    worker_pool: Decimal
    buckets: tuple[BucketResult, ...]
    shares: tuple[Share, ...]
    notes: tuple[str, ...]
    base_budget_amount: Decimal = ZERO
    penalties_applied: Decimal = ZERO
    disqualifiers_pending: bool = False
    distribution: Distribution = Distribution.BY_HOURS
    undistributed: Decimal = ZERO
    tasks: tuple[TaskResult, ...] = ()

    def bucket(self, bucket: Bucket) -> BucketResult:
        """The result of one role bucket (every bucket is always present)."""
        for result in self.buckets:
            if result.bucket is bucket:
                return result
        raise KeyError(bucket)

    def per_worker(self) -> dict[int, Decimal]:
        """Each worker's total over all buckets, by worker id (ascending)."""
        totals: dict[int, Decimal] = {}
        for share in self.shares:
            totals[share.worker_id] = totals.get(share.worker_id, ZERO) + share.amount
        return totals

    @property
    def total_paid(self) -> Decimal:
        """What goes to workers: the worker pool less the company bucket and undistributed money."""
        return sum((share.amount for share in self.shares), ZERO)
