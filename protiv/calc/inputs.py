"""What a calculation is made of: frozen values, no behaviour.

The service layer builds these from its rows; the calculation never reaches back for more, so
the same input always gives the same breakdown (a preview, then the frozen approval figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from protiv.domain.bonus import (
    AdjustmentType,
    BudgetType,
    DisqualifierResult,
    Distribution,
    TimeKind,
)


@dataclass(frozen=True, slots=True)
class TaskBudget:
    """One task's budget: ``hours`` for TASK_HOURS, ``amount`` (dollars) for TASK_AMOUNT."""

    task: str
    hours: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Budget:
    """A labour budget; only the fields its ``type`` needs are read (domain-research §3.2).

    ``labor_pct`` and percentage adjustments are percents (30 means 30%); MULTIPLY takes a
    factor (1.1 means *1.1); MANUAL_AMOUNT and MANUAL_HOURS replace the base budget.
    """

    type: BudgetType
    hours: Decimal | None = None
    amount: Decimal | None = None
    contract_price: Decimal | None = None
    labor_pct: Decimal | None = None
    rate: Decimal | None = None
    quantity: Decimal | None = None
    tasks: tuple[TaskBudget, ...] = ()
    adjustment: AdjustmentType = AdjustmentType.NONE
    adjustment_value: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CrewMember:
    """A worker on the ProPay, with this ProPay's wage.

    ``remove_bonus``: the hours still count as cost, but the worker gets no share of any bucket.
    ``manual_amount``: the crew-bucket amount for the MANUAL distribution.
    """

    worker_id: int
    wage: Decimal
    burden_pct: Decimal = Decimal("0")
    remove_bonus: bool = False
    is_crew_lead: bool = False
    manual_amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TimeEntry:
    """Hours one worker logged; ``overtime_hours`` is the part of ``hours`` paid as overtime."""

    worker_id: int
    hours: Decimal
    kind: TimeKind = TimeKind.WORK
    overtime_hours: Decimal = Decimal("0")
    task: str | None = None


@dataclass(frozen=True, slots=True)
class Pool:
    """How the worker share of savings is split into role buckets (percents, totalling 100).

    Defaults are domain-research §5.8: crew 70 / crew lead 20 / manager 10, savings split 50%.
    """

    crew_pct: Decimal = Decimal("70")
    crew_lead_pct: Decimal = Decimal("20")
    manager_pct: Decimal = Decimal("10")
    company_pct: Decimal = Decimal("0")
    other_pct: Decimal = Decimal("0")
    split_savings_pct: Decimal = Decimal("50")
    other_member_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Penalty:
    """Dollars off the worker pool (fixed, or entered at approval); the bonus still pays."""

    name: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CalcInput:
    """Everything one ProPay's calculation reads.

    Every time entry must belong to a member of ``crew`` (else VALIDATION): the crew carries the
    wage, so an entry without one has no cost and cannot be priced.
    """

    budget: Budget
    crew: tuple[CrewMember, ...]
    entries: tuple[TimeEntry, ...]
    pool: Pool = Pool()
    distribution: Distribution = Distribution.BY_HOURS
    crew_lead_id: int | None = None
    manager_id: int | None = None
    include_drive_time: bool = False
    use_burden: bool = False
    exclude_overtime_cost: bool = False
    disqualifier_results: tuple[DisqualifierResult, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    crew_lead_weight: Decimal = Decimal("1.5")
