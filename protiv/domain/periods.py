"""Pay periods: which window a date falls in, for each payroll cycle (SPEC §4, research §3.8)."""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date, timedelta


class PeriodKind(enum.Enum):
    WEEKLY = "WEEKLY"
    BIWEEKLY = "BIWEEKLY"
    SEMI_MONTHLY = "SEMI_MONTHLY"
    MONTHLY = "MONTHLY"


@dataclass(frozen=True, slots=True)
class Period:
    starts_on: date
    ends_on: date  # inclusive


def period_containing(day: date, kind: PeriodKind, anchor: date) -> Period:
    """The pay period holding ``day``. ``anchor`` is any first day of a period (weekly and
    bi-weekly cycles count from it); semi-monthly runs 1–15 and 16–end; monthly is the month."""
    if kind in (PeriodKind.WEEKLY, PeriodKind.BIWEEKLY):
        length = 7 if kind is PeriodKind.WEEKLY else 14
        offset = (day - anchor).days // length
        start = anchor + timedelta(days=offset * length)
        return Period(start, start + timedelta(days=length - 1))
    last = calendar.monthrange(day.year, day.month)[1]
    if kind is PeriodKind.MONTHLY:
        return Period(day.replace(day=1), day.replace(day=last))
    if day.day <= 15:
        return Period(day.replace(day=1), day.replace(day=15))
    return Period(day.replace(day=16), day.replace(day=last))


def next_period(period: Period, kind: PeriodKind, anchor: date) -> Period:
    return period_containing(period.ends_on + timedelta(days=1), kind, anchor)
