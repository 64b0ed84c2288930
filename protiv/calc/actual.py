"""Actual labour: counted hours and their cost, per worker, in one pass over the time entries.

Counted time is WORK, plus DRIVE when the ProPay includes drive time (domain-research §3.3:
drive time inflates actual hours, so it is left out by default).

Overtime exclusion: overtime hours stay counted hours (they were worked: they weigh in the
blended wage and in BY_HOURS shares) but their whole cost, hours * wage, leaves the actual cost.
Overtime is never priced with a premium here: actual cost is hours * wage (SPEC §4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from protiv.calc.inputs import CalcInput, CrewMember, TimeEntry
from protiv.domain.bonus import TimeKind
from protiv.domain.money import HUNDRED, ZERO, cents

ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class WorkerTime:
    """One crew member's counted time on the ProPay and what it cost (not yet rounded)."""

    member: CrewMember
    hours: Decimal
    overtime_hours: Decimal
    cost_wage: Decimal
    cost: Decimal


@dataclass(frozen=True, slots=True)
class TaskTime:
    """Counted hours and cost of one task (``task`` None: time on no budgeted task)."""

    task: str | None
    hours: Decimal
    cost: Decimal


@dataclass(frozen=True, slots=True)
class Actuals:
    """The actual side of a ProPay; ``workers`` holds every crew member, sorted by id."""

    workers: tuple[WorkerTime, ...]
    hours: Decimal
    cost: Decimal
    wage_hours: Decimal
    drive_hours_excluded: Decimal
    overtime_cost_excluded: Decimal

    @property
    def blended_wage(self) -> Decimal:
        """Hours-weighted average wage of the workers who logged counted time (0 without time)."""
        return self.wage_hours / self.hours if self.hours else ZERO


def cost_wage(member: CrewMember, use_burden: bool) -> Decimal:
    """The wage one hour costs: burdened (wage * (1 + burden %)) when the budget includes it."""
    if use_burden and member.burden_pct:
        return member.wage * (ONE + member.burden_pct / HUNDRED)
    return member.wage


def _tally(
    entries: Iterable[TimeEntry], include_drive: bool
) -> tuple[dict[int, list[Decimal]], Decimal]:
    """Counted [hours, overtime hours] per worker, and the drive hours left out."""
    totals: dict[int, list[Decimal]] = {}
    drive_skipped = ZERO
    for entry in entries:
        if entry.kind is TimeKind.DRIVE and not include_drive:
            drive_skipped += entry.hours
            continue
        slot = totals.get(entry.worker_id)
        if slot is None:
            totals[entry.worker_id] = [entry.hours, entry.overtime_hours]
        else:
            slot[0] += entry.hours
            slot[1] += entry.overtime_hours
    return totals, drive_skipped


def measure(calc: CalcInput) -> Actuals:
    """Hours, cost and blended wage of the ProPay's counted time."""
    totals, drive_skipped = _tally(calc.entries, calc.include_drive_time)
    workers: list[WorkerTime] = []
    wage_hours = cost = ot_cost = hours = ZERO
    for member in sorted(calc.crew, key=lambda m: m.worker_id):
        worked, overtime = totals.get(member.worker_id, (ZERO, ZERO))
        wage = cost_wage(member, calc.use_burden)
        paid_hours = worked - overtime if calc.exclude_overtime_cost else worked
        workers.append(WorkerTime(member, worked, overtime, wage, paid_hours * wage))
        hours += worked
        wage_hours += worked * wage
        cost += paid_hours * wage
        ot_cost += (worked - paid_hours) * wage
    return Actuals(
        workers=tuple(workers),
        hours=hours,
        cost=cents(cost),
        wage_hours=wage_hours,
        drive_hours_excluded=drive_skipped,
        overtime_cost_excluded=cents(ot_cost),
    )


def measure_tasks(calc: CalcInput, budgeted: Iterable[str]) -> tuple[TaskTime, ...]:
    """Counted hours and cost per budgeted task, then one line for time on no budgeted task."""
    wages = {m.worker_id: cost_wage(m, calc.use_burden) for m in calc.crew}
    known = list(budgeted)
    sums: dict[str | None, list[Decimal]] = {task: [ZERO, ZERO] for task in [*known, None]}
    for entry in calc.entries:
        if entry.kind is TimeKind.DRIVE and not calc.include_drive_time:
            continue
        paid = entry.hours - entry.overtime_hours if calc.exclude_overtime_cost else entry.hours
        slot = sums[entry.task if entry.task in sums else None]
        slot[0] += entry.hours
        slot[1] += paid * wages[entry.worker_id]
    return tuple(TaskTime(task, h, c) for task, (h, c) in sums.items())
