"""Who gets what inside each bucket (domain-research §3.5).

Bonusᵢ = bucket * wᵢ / Σ w over the eligible workers, cut to the cent by largest remainder
(``split_exact``), with people sorted by worker id so ties always fall the same way. Workers
with remove bonus are left out of Σ w; their hours stayed in the cost. Nobody is invented: a
bucket with no eligible recipient is reported as such and paid to no one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from protiv.calc.results import Share
from protiv.calc.text import TIMES, num, usd
from protiv.domain.bonus import Bucket, Distribution
from protiv.domain.errors import ValidationFailed
from protiv.domain.money import ZERO, split_exact

ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class Participant:
    """A worker as the split sees them, pooled over every ProPay of a group.

    ``bonus_hours`` are counted hours that earn a crew share (hours under remove bonus do not);
    ``wage_hours`` is Σ bonus hours * base wage, the BY_WAGE weight.
    """

    worker_id: int
    hours: Decimal
    bonus_hours: Decimal
    wage_hours: Decimal
    eligible: bool
    is_lead: bool
    manual_amount: Decimal | None


@dataclass(frozen=True, slots=True)
class CrewRule:
    """How the crew bucket is weighted."""

    distribution: Distribution
    crew_lead_id: int | None
    crew_lead_weight: Decimal


Reason = Callable[[Participant, Decimal], str]


def _allot(
    bucket: Bucket, amount: Decimal, weighted: Sequence[tuple[Participant, Decimal]], reason: Reason
) -> tuple[Share, ...]:
    parts = split_exact(amount, [weight for _, weight in weighted])
    return tuple(
        Share(person.worker_id, bucket, part, person.hours, weight, reason(person, weight))
        for (person, weight), part in zip(weighted, parts, strict=True)
    )


def _weigh(
    people: Sequence[Participant], rule: CrewRule
) -> tuple[list[tuple[Participant, Decimal]], str]:
    """Weights of the workers who earned crew hours; the second value names the unit."""
    workers = [p for p in people if p.eligible and p.bonus_hours > 0]
    kind = rule.distribution
    if kind is Distribution.BY_WAGE and sum((p.wage_hours for p in workers), ZERO) > 0:
        return [(p, p.wage_hours) for p in workers], "wage"
    if kind is Distribution.EQUAL:
        return [(p, ONE) for p in workers], "equal"
    if kind is Distribution.CREW_LEAD_WEIGHTED:
        lead = rule.crew_lead_id
        return [
            (p, rule.crew_lead_weight if p.is_lead or p.worker_id == lead else ONE) for p in workers
        ], "lead"
    return [(p, p.bonus_hours) for p in workers], "hours"


def _crew_reason(unit: str, total: Decimal, amount: Decimal, count: int) -> Reason:
    bucket = f"{usd(amount)} crew bucket"

    def reason(person: Participant, weight: Decimal) -> str:
        if unit == "wage":
            return f"{usd(weight)} of {usd(total)} crew hours {TIMES} wage {TIMES} {bucket}"
        if unit == "equal":
            return f"1 of {count} equal shares of {bucket}"
        if unit == "lead":
            who = "crew lead weight " if weight != ONE else ""
            return f"{who}{num(weight)} of {num(total)} units {TIMES} {bucket}"
        return f"{person.bonus_hours:,.2f} h of {total:,.2f} crew hours {TIMES} {bucket}"

    return reason


def _manual(amount: Decimal, people: Sequence[Participant]) -> tuple[Share, ...]:
    """MANUAL: the manager's amounts, which must add up to the crew bucket to the cent."""
    for person in people:
        if not person.eligible and person.manual_amount:
            raise ValidationFailed(
                f"worker {person.worker_id} has remove bonus but a manual amount of "
                f"{usd(person.manual_amount)}",
                field=["crew", "manual_amount"],
            )
    chosen = [
        p for p in people if p.eligible and (p.manual_amount is not None or p.bonus_hours > 0)
    ]
    total = sum((p.manual_amount or ZERO for p in chosen), ZERO)
    if total != amount:
        raise ValidationFailed(
            f"manual amounts total {usd(total)} but the crew bucket is {usd(amount)}",
            field=["crew", "manual_amount"],
        )
    return tuple(
        Share(
            p.worker_id,
            Bucket.CREW,
            p.manual_amount or ZERO,
            p.hours,
            ONE,
            f"manual amount set by the manager, of the {usd(amount)} crew bucket",
        )
        for p in chosen
    )


def split_crew(
    amount: Decimal, people: Sequence[Participant], rule: CrewRule
) -> tuple[tuple[Share, ...], str]:
    """The crew bucket's shares, plus a note on the fallback used (empty when none)."""
    if rule.distribution is Distribution.MANUAL:
        return _manual(amount, people), ""
    weighted, unit = _weigh(people, rule)
    note = ""
    if rule.distribution is Distribution.BY_WAGE and unit != "wage" and weighted:
        note = "Every eligible wage is $0.00: the crew bucket is split by hours instead of by wage."
    if not weighted:
        return (), note
    total = sum((weight for _, weight in weighted), ZERO)
    return _allot(
        Bucket.CREW, amount, weighted, _crew_reason(unit, total, amount, len(weighted))
    ), note


def split_single(
    bucket: Bucket, amount: Decimal, person: Participant, why: str
) -> tuple[Share, ...]:
    """A bucket with one named recipient (crew lead, manager)."""
    return (Share(person.worker_id, bucket, amount, person.hours, ONE, why),)


def split_even(
    bucket: Bucket, amount: Decimal, people: Sequence[Participant], label: str
) -> tuple[Share, ...]:
    """A bucket shared equally by its named members (other)."""
    count = len(people)

    def reason(_person: Participant, _weight: Decimal) -> str:
        return f"1 of {count} {label} members {TIMES} {usd(amount)} {label} bucket"

    return _allot(bucket, amount, [(p, ONE) for p in people], reason)
