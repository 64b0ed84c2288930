"""Pay periods: which window a date falls in, for each payroll cycle (SPEC §4, research §3.8).

The start day is configured with the cycle's anchor date: weekly and bi-weekly periods start
on the anchor's weekday (bi-weekly: in the anchor's fortnight); semi-monthly periods are always
the 1st-15th and the 16th-last day, monthly ones the calendar month (their anchor is unused).
A branch may pay on its own cycle; otherwise the company's applies (``PayCycle.of``).
"""

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


@dataclass(frozen=True, slots=True)
class PayCycle:
    """A payroll cycle: its kind and the anchor that fixes the start day."""

    kind: PeriodKind
    anchor: date

    @classmethod
    def of(
        cls, company: tuple[str, date], branch: tuple[str | None, date | None] | None = None
    ) -> PayCycle:
        """The branch's own cycle when it has one (kind and anchor set), else the company's."""
        if branch is not None and branch[0] is not None:
            return cls(PeriodKind(branch[0]), branch[1] or company[1])
        return cls(PeriodKind(company[0]), company[1])

    def period(self, day: date) -> Period:
        return period_containing(day, self.kind, self.anchor)

    def after(self, period: Period) -> Period:
        """The period that follows ``period`` in this cycle."""
        return next_period(period, self.kind, self.anchor)

    @classmethod
    def continuing(cls, kind: PeriodKind, period: Period) -> PayCycle:
        """The cycle a stored period belongs to: any period start is a valid anchor."""
        return cls(kind, period.starts_on)
