"""The names of the bonus maths (SPEC §4): budget types, adjustments, buckets, distributions."""

from __future__ import annotations

import enum


class BudgetType(enum.Enum):
    HOURS = "HOURS"  # budget hours × blended wage
    AMOUNT = "AMOUNT"  # a fixed labour budget in dollars
    CONTRACT_PRICE = "CONTRACT_PRICE"  # contract price × labour %
    RATE = "RATE"  # rate × quantity
    TASK_HOURS = "TASK_HOURS"  # per task, hours; over-budget tasks offset the others
    TASK_AMOUNT = "TASK_AMOUNT"  # per task, dollars


class AdjustmentType(enum.Enum):
    NONE = "NONE"
    PERCENT_INCREASE = "PERCENT_INCREASE"
    PERCENT_DECREASE = "PERCENT_DECREASE"
    MULTIPLY = "MULTIPLY"
    MANUAL_AMOUNT = "MANUAL_AMOUNT"
    MANUAL_HOURS = "MANUAL_HOURS"


class Bucket(enum.Enum):
    """The role buckets of a bonus pool; COMPANY money is kept, never paid out."""

    CREW = "CREW"
    CREW_LEAD = "CREW_LEAD"
    MANAGER = "MANAGER"
    COMPANY = "COMPANY"
    OTHER = "OTHER"


class Distribution(enum.Enum):
    """How the crew bucket is split between workers."""

    BY_HOURS = "BY_HOURS"
    BY_WAGE = "BY_WAGE"
    EQUAL = "EQUAL"
    CREW_LEAD_WEIGHTED = "CREW_LEAD_WEIGHTED"
    MANUAL = "MANUAL"


class TimeKind(enum.Enum):
    WORK = "WORK"
    DRIVE = "DRIVE"  # left out of actual cost unless the company or the ProPay includes it


class DisqualifierResult(enum.Enum):
    PENDING = "PENDING"  # unanswered: blocks approval
    PASSED = "PASSED"
    FAILED = "FAILED"  # makes the worker pool 0


class WorkerRole(enum.Enum):
    """A worker's role in the field (synced), not the API role of a token."""

    CREW = "CREW"
    CREW_LEAD = "CREW_LEAD"
    MANAGER = "MANAGER"
    ADMIN = "ADMIN"


class LineItemKind(enum.Enum):
    BONUS = "BONUS"
    DEDUCTION = "DEDUCTION"


class LineItemSource(enum.Enum):
    PRO_PAY = "PRO_PAY"
    PRO_PAY_GROUP = "PRO_PAY_GROUP"
    MANUAL = "MANUAL"
