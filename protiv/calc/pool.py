"""From savings to the worker pool, then to the role buckets (domain-research §3.4, §5.3-§5.7).

Order matters and is fixed: split savings → a failed disqualifier zeroes everything (penalties
ignored) → penalties subtract, floored at 0 → role split. A PENDING disqualifier changes nothing
here: the preview assumes it passes, and the approval guard waits for the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from protiv.calc.inputs import Penalty, Pool
from protiv.calc.text import pct, usd
from protiv.domain.bonus import Bucket, DisqualifierResult
from protiv.domain.money import HUNDRED, ZERO, cents, split_exact

MOVABLE = (Bucket.CREW_LEAD, Bucket.MANAGER, Bucket.OTHER)
_LABEL = {
    Bucket.CREW: "crew",
    Bucket.CREW_LEAD: "crew lead",
    Bucket.MANAGER: "manager",
    Bucket.COMPANY: "company",
    Bucket.OTHER: "other",
}


def label(bucket: Bucket) -> str:
    """The bucket's name in sentences."""
    return _LABEL[bucket]


@dataclass(frozen=True, slots=True)
class PoolFigures:
    """Savings, the safeguards applied to them, and the worker pool that is left."""

    saved: Decimal
    savings_share: Decimal
    disqualified: bool
    disqualifiers_pending: bool
    penalties_total: Decimal
    penalties_applied: Decimal
    worker_pool: Decimal
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BucketPlan:
    """A role bucket's money before it is split between people."""

    bucket: Bucket
    configured: Decimal
    percent: Decimal
    amount: Decimal
    missing: bool


def worker_pool(
    budget: Decimal,
    actual: Decimal,
    split_pct: Decimal,
    results: Iterable[DisqualifierResult],
    penalties: Iterable[Penalty],
) -> PoolFigures:
    """Savings → workers' share → disqualifiers → penalties; never below zero."""
    saved = budget - actual
    share = cents(max(saved, ZERO) * split_pct / HUNDRED)
    answers = set(results)
    disqualified = DisqualifierResult.FAILED in answers
    total = cents(sum((p.amount for p in penalties), ZERO))
    notes: list[str] = []
    if saved < 0:
        notes.append(f"Over budget by {usd(-saved)}: no bonus (nothing negative is paid).")
    if disqualified:
        notes.append("A disqualifier failed: the worker pool is $0.00 and penalties are ignored.")
        applied = pool = ZERO
    else:
        applied = min(total, share)
        pool = share - applied
        if total > share:
            notes.append(
                f"Penalties of {usd(total)} exceed the workers' savings share of {usd(share)}: "
                "the worker pool is $0.00."
            )
    pending = DisqualifierResult.PENDING in answers
    if pending and not disqualified:
        notes.append("Disqualifiers are unanswered: this preview assumes they pass.")
    return PoolFigures(saved, share, disqualified, pending, total, applied, pool, tuple(notes))


def configured_percents(pool: Pool) -> dict[Bucket, Decimal]:
    """The pool's role percents, in bucket order."""
    return {
        Bucket.CREW: pool.crew_pct,
        Bucket.CREW_LEAD: pool.crew_lead_pct,
        Bucket.MANAGER: pool.manager_pct,
        Bucket.COMPANY: pool.company_pct,
        Bucket.OTHER: pool.other_pct,
    }


def plan_buckets(
    amount: Decimal, pool: Pool, has_recipient: Mapping[Bucket, bool]
) -> tuple[tuple[BucketPlan, ...], tuple[str, ...]]:
    """Split the worker pool by role percent; a bucket nobody can receive joins the crew bucket.

    The move happens on the percents before the cents are split, so buckets still add up to
    the worker pool exactly (domain-research §5.7: the alternative, company money, has no source).
    """
    configured = configured_percents(pool)
    effective = dict(configured)
    notes: list[str] = []
    missing: set[Bucket] = set()
    for bucket in MOVABLE:
        if configured[bucket] > 0 and not has_recipient.get(bucket, False):
            missing.add(bucket)
            effective[Bucket.CREW] += effective[bucket]
            effective[bucket] = ZERO
            notes.append(
                f"No {label(bucket)} to receive it: the {pct(configured[bucket])} "
                f"{label(bucket)} bucket goes to the crew bucket."
            )
    amounts = split_exact(amount, list(effective.values()))
    plans = tuple(
        BucketPlan(bucket, configured[bucket], effective[bucket], part, bucket in missing)
        for bucket, part in zip(effective, amounts, strict=True)
    )
    return plans, tuple(notes)
