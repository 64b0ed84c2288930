"""Short builders for calculation inputs, so each test shows only the figures it is about."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from protiv.calc import Budget, CalcInput, CrewMember, Pool, Share, TimeEntry
from protiv.domain.bonus import BudgetType, Distribution, TimeKind


def D(value: str | int) -> Decimal:
    return Decimal(str(value))


def amount_budget(amount: str | int) -> Budget:
    return Budget(BudgetType.AMOUNT, amount=D(amount))


def hours_budget(hours: str | int) -> Budget:
    return Budget(BudgetType.HOURS, hours=D(hours))


def member(worker_id: int, wage: str | int = 20, **kwargs: Any) -> CrewMember:
    return CrewMember(worker_id, D(wage), **kwargs)


def work(worker_id: int, hours: str | int, **kwargs: Any) -> TimeEntry:
    return TimeEntry(worker_id, D(hours), **kwargs)


def drive(worker_id: int, hours: str | int) -> TimeEntry:
    return TimeEntry(worker_id, D(hours), TimeKind.DRIVE)


ALL_CREW = Pool(
    crew_pct=D(100),
    crew_lead_pct=D(0),
    manager_pct=D(0),
    split_savings_pct=D(100),
)
"""Everything saved goes to the crew bucket: isolates the distribution in a test."""


def calc(
    budget: Budget,
    crew: tuple[CrewMember, ...],
    entries: tuple[TimeEntry, ...],
    pool: Pool = ALL_CREW,
    distribution: Distribution = Distribution.BY_HOURS,
    **kwargs: Any,
) -> CalcInput:
    return CalcInput(budget, crew, entries, pool, distribution, **kwargs)


def amounts(shares: Iterable[Share]) -> dict[int, Decimal]:
    """worker id -> amount, for the shares of one bucket."""
    return {s.worker_id: s.amount for s in shares}
