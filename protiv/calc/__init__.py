"""The bonus calculation: pure functions from frozen inputs to a full breakdown (SPEC §4).

No database, no framework, no I/O. Money and hours are ``Decimal``; every bucket's shares add
up to the bucket to the cent; nothing negative is paid. Rules and defaults follow
``reference/domain-research.md`` §3 and §5.

    calculate(CalcInput) -> Breakdown                       one ProPay
    calculate_group([CalcInput, ...], pool, ...) -> Breakdown  a group, pooled (§3.6)
    budget_error(Budget) -> str | None                      the "budget valid" approval guard
"""

from protiv.calc.breakdown import calculate, calculate_group
from protiv.calc.inputs import (
    Budget,
    CalcInput,
    CrewMember,
    Penalty,
    Pool,
    TaskBudget,
    TimeEntry,
)
from protiv.calc.results import Breakdown, BucketResult, Share, TaskResult
from protiv.calc.validation import budget_error, validate_budget, validate_pool

__all__ = [
    "Breakdown",
    "BucketResult",
    "Budget",
    "CalcInput",
    "CrewMember",
    "Penalty",
    "Pool",
    "Share",
    "TaskBudget",
    "TaskResult",
    "TimeEntry",
    "budget_error",
    "calculate",
    "calculate_group",
    "validate_budget",
    "validate_pool",
]
