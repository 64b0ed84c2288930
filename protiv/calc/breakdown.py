"""The whole calculation: a ProPay (or a group of them) in, a full breakdown out.

Two halves. *Measure* turns one ProPay's budget and time into pooled figures (budget $, actual
$, hours per worker). *Settle* turns pooled figures into the worker pool, the role buckets and
each worker's share. A group measures each member with its own settings, adds the figures up,
and settles once (domain-research §3.6): that is how an over-budget member is offset.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from protiv.calc.actual import Actuals, TaskTime, measure, measure_tasks
from protiv.calc.budget import TASK_TYPES, price
from protiv.calc.distribution import CrewRule, Participant, split_crew, split_even, split_single
from protiv.calc.inputs import CalcInput, Penalty, Pool
from protiv.calc.pool import BucketPlan, PoolFigures, label, plan_buckets, worker_pool
from protiv.calc.results import BUCKET_ORDER, Breakdown, BucketResult, Share, TaskResult
from protiv.calc.text import hrs, pct, usd
from protiv.calc.validation import validate_input, validate_pool, validate_settlement
from protiv.domain.bonus import Bucket, DisqualifierResult, Distribution
from protiv.domain.errors import ValidationFailed
from protiv.domain.money import ZERO, cents

ARITHMETIC = Context(
    prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
"""The decimal context of every calculation, whatever the caller's thread has set: the same
input must give the same cents everywhere (cents themselves are rounded half up, explicitly)."""


@dataclass(frozen=True, slots=True)
class Measured:
    """What settling needs from one ProPay or from a whole group, already added up."""

    base_budget: Decimal
    budget: Decimal
    budget_hours: Decimal | None
    hours: Decimal
    cost: Decimal
    wage_hours: Decimal
    people: dict[int, Participant]
    tasks: tuple[TaskResult, ...]
    notes: tuple[str, ...]

    @property
    def blended_wage(self) -> Decimal:
        return self.wage_hours / self.hours if self.hours else ZERO


@dataclass(frozen=True, slots=True)
class Settings:
    """How pooled figures are split: the pool, the distribution and the safeguards."""

    pool: Pool
    distribution: Distribution
    crew_lead_id: int | None
    manager_id: int | None
    disqualifier_results: tuple[DisqualifierResult, ...]
    penalties: tuple[Penalty, ...]
    crew_lead_weight: Decimal


def _people(actuals: Actuals) -> dict[int, Participant]:
    people: dict[int, Participant] = {}
    for time in actuals.workers:
        member = time.member
        earning = ZERO if member.remove_bonus else time.hours
        people[member.worker_id] = Participant(
            worker_id=member.worker_id,
            hours=time.hours,
            bonus_hours=earning,
            wage_hours=earning * member.wage,
            eligible=not member.remove_bonus,
            is_lead=member.is_crew_lead,
            manual_amount=member.manual_amount,
        )
    return people


def _time_notes(calc: CalcInput, actuals: Actuals) -> list[str]:
    notes: list[str] = []
    if actuals.drive_hours_excluded:
        notes.append(f"{hrs(actuals.drive_hours_excluded)} of drive time left out of actual cost.")
    overtime = sum((w.overtime_hours for w in actuals.workers), ZERO)
    if calc.exclude_overtime_cost and overtime:
        notes.append(
            f"Overtime cost left out: {hrs(overtime)} worth {usd(actuals.overtime_cost_excluded)} "
            "(the hours still count as hours worked)."
        )
    for time in actuals.workers:
        if time.member.remove_bonus:
            notes.append(
                f"Worker {time.member.worker_id} has remove bonus: "
                f"{hrs(time.hours)} count as cost, no share."
            )
    return notes


def measure_one(calc: CalcInput) -> Measured:
    """Validate one ProPay and reduce it to budget, cost and hours per worker."""
    validate_input(calc)
    actuals = measure(calc)
    times: tuple[TaskTime, ...] = ()
    if calc.budget.type in TASK_TYPES:
        times = measure_tasks(calc, (task.task for task in calc.budget.tasks))
    budget = price(calc.budget, actuals, times)
    return Measured(
        base_budget=budget.base_amount,
        budget=budget.amount,
        budget_hours=budget.hours,
        hours=actuals.hours,
        cost=actuals.cost,
        wage_hours=actuals.wage_hours,
        people=_people(actuals),
        tasks=budget.tasks,
        notes=(*budget.notes, *_time_notes(calc, actuals)),
    )


def _recipient(people: dict[int, Participant], worker_id: int | None) -> Participant | None:
    """The named recipient of a bucket, unless absent or under remove bonus."""
    if worker_id is None:
        return None
    person = people.get(worker_id)
    if person is None:  # a crew lead or manager who logged no time on this ProPay
        return Participant(worker_id, ZERO, ZERO, ZERO, True, False, None)
    return person if person.eligible else None


def _shares_of(
    plan: BucketPlan, pool_amount: Decimal, measured: Measured, settings: Settings
) -> tuple[tuple[Share, ...], str]:
    """The shares of one planned bucket, and a note when it could not be handed out."""
    people = measured.people
    if plan.percent == 0 or plan.bucket is Bucket.COMPANY:
        return (), ""
    if plan.bucket is Bucket.CREW:
        rule = CrewRule(settings.distribution, settings.crew_lead_id, settings.crew_lead_weight)
        ordered = [people[key] for key in sorted(people)]
        shares, note = split_crew(plan.amount, ordered, rule)
        if not shares:
            note = (
                f"No eligible crew worker (nobody without remove bonus logged time): the "
                f"{usd(plan.amount)} crew bucket is not distributed."
            )
        return shares, note
    if plan.bucket is Bucket.OTHER:
        ids = sorted(settings.pool.other_member_ids)
        members = [p for p in (_recipient(people, i) for i in ids) if p is not None]
        return split_even(Bucket.OTHER, plan.amount, members, "other"), ""
    named = settings.crew_lead_id if plan.bucket is Bucket.CREW_LEAD else settings.manager_id
    person = _recipient(people, named)
    assert person is not None, "plan_buckets moved a bucket without a recipient"
    why = f"{label(plan.bucket)} bucket: {pct(plan.percent)} of {usd(pool_amount)} worker pool"
    return split_single(plan.bucket, plan.amount, person, why), ""


def _has_recipients(measured: Measured, settings: Settings) -> dict[Bucket, bool]:
    people = measured.people
    others = (_recipient(people, i) for i in settings.pool.other_member_ids)
    return {
        Bucket.CREW_LEAD: _recipient(people, settings.crew_lead_id) is not None,
        Bucket.MANAGER: _recipient(people, settings.manager_id) is not None,
        Bucket.OTHER: any(p is not None for p in others),
    }


def _buckets(
    figures: PoolFigures, measured: Measured, settings: Settings
) -> tuple[tuple[BucketResult, ...], list[str]]:
    plans, plan_notes = plan_buckets(
        figures.worker_pool, settings.pool, _has_recipients(measured, settings)
    )
    notes = list(plan_notes)
    results: list[BucketResult] = []
    for plan in plans:
        shares, note = _shares_of(plan, figures.worker_pool, measured, settings)
        if note:
            notes.append(note)
        stranded = plan.bucket is Bucket.CREW and plan.percent > 0 and not shares
        missing = plan.missing or stranded
        results.append(
            BucketResult(plan.bucket, plan.percent, plan.amount, shares, missing, plan.configured)
        )
    return tuple(results), notes


def settle(measured: Measured, settings: Settings) -> Breakdown:
    """From pooled budget and actuals to every worker's share."""
    figures = worker_pool(
        measured.budget,
        measured.cost,
        settings.pool.split_savings_pct,
        settings.disqualifier_results,
        settings.penalties,
    )
    buckets, bucket_notes = _buckets(figures, measured, settings)
    shares = sorted(
        (share for bucket in buckets for share in bucket.shares),
        key=lambda s: (s.worker_id, BUCKET_ORDER[s.bucket]),
    )
    undistributed = sum((b.amount for b in buckets if b.recipient_missing and not b.shares), ZERO)
    return Breakdown(
        budget_amount=measured.budget,
        budget_hours=measured.budget_hours,
        actual_hours=measured.hours,
        actual_cost=measured.cost,
        blended_wage=cents(measured.blended_wage),
        saved=figures.saved,
        split_savings_pct=settings.pool.split_savings_pct,
        savings_share=figures.savings_share,
        disqualified=figures.disqualified,
        penalties_total=figures.penalties_total,
        worker_pool=figures.worker_pool,
        buckets=buckets,
        shares=tuple(shares),
        notes=(*measured.notes, *figures.notes, *bucket_notes),
        base_budget_amount=measured.base_budget,
        penalties_applied=figures.penalties_applied,
        disqualifiers_pending=figures.disqualifiers_pending,
        distribution=settings.distribution,
        undistributed=undistributed,
        tasks=measured.tasks,
    )


def calculate(calc: CalcInput) -> Breakdown:
    """One ProPay's breakdown; raises ``ValidationFailed`` on input it cannot trust."""
    settings = Settings(
        pool=calc.pool,
        distribution=calc.distribution,
        crew_lead_id=calc.crew_lead_id,
        manager_id=calc.manager_id,
        disqualifier_results=calc.disqualifier_results,
        penalties=calc.penalties,
        crew_lead_weight=calc.crew_lead_weight,
    )
    with localcontext(ARITHMETIC):
        return settle(measure_one(calc), settings)


def _merge_person(a: Participant, b: Participant) -> Participant:
    manual = None
    if a.manual_amount is not None or b.manual_amount is not None:
        manual = (a.manual_amount or ZERO) + (b.manual_amount or ZERO)
    return Participant(
        worker_id=a.worker_id,
        hours=a.hours + b.hours,
        bonus_hours=a.bonus_hours + b.bonus_hours,
        wage_hours=a.wage_hours + b.wage_hours,
        eligible=a.eligible or b.eligible,
        is_lead=a.is_lead or b.is_lead,
        manual_amount=manual,
    )


def _merge(parts: Sequence[Measured]) -> Measured:
    """Add members up: budgets, actuals and each worker's hours (domain-research §3.6)."""
    people: dict[int, Participant] = {}
    notes = [f"Group of {len(parts)} ProPays: budgets and actuals are pooled."]
    for number, part in enumerate(parts, start=1):
        for key, person in part.people.items():
            known = people.get(key)
            people[key] = person if known is None else _merge_person(known, person)
        notes.extend(f"ProPay {number}: {note}" for note in part.notes)
    all_hours = [part.budget_hours for part in parts]
    return Measured(
        base_budget=sum((part.base_budget for part in parts), ZERO),
        budget=sum((part.budget for part in parts), ZERO),
        budget_hours=None if None in all_hours else sum((h or ZERO for h in all_hours), ZERO),
        hours=sum((part.hours for part in parts), ZERO),
        cost=sum((part.cost for part in parts), ZERO),
        wage_hours=sum((part.wage_hours for part in parts), ZERO),
        people=people,
        tasks=(),
        notes=tuple(notes),
    )


def _shared(values: Iterable[int | None]) -> int | None:
    """The one id every member names, or None when they differ or name none."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def calculate_group(
    members: Sequence[CalcInput],
    pool: Pool,
    distribution: Distribution = Distribution.BY_HOURS,
    *,
    crew_lead_id: int | None = None,
    manager_id: int | None = None,
    disqualifier_results: tuple[DisqualifierResult, ...] = (),
    penalties: tuple[Penalty, ...] = (),
    crew_lead_weight: Decimal = Decimal("1.5"),
) -> Breakdown:
    """A ProPay group as one calculation: pooled budgets, actuals and hours, one split.

    Each member is priced with its own budget, wages, drive-time, burden and overtime settings;
    their pools and distributions are ignored in favour of the group's. Disqualifier answers and
    penalties of the members count together with the group's own. Without an explicit crew lead
    or manager, the one every member names is used.
    """
    if not members:
        raise ValidationFailed("a group needs at least one ProPay", field=["members"])
    validate_pool(pool)
    validate_settlement(crew_lead_weight, penalties)
    settings = Settings(
        pool=pool,
        distribution=distribution,
        crew_lead_id=crew_lead_id
        if crew_lead_id is not None
        else _shared(m.crew_lead_id for m in members),
        manager_id=manager_id if manager_id is not None else _shared(m.manager_id for m in members),
        disqualifier_results=(
            *disqualifier_results,
            *(r for m in members for r in m.disqualifier_results),
        ),
        penalties=(*penalties, *(p for m in members for p in m.penalties)),
        crew_lead_weight=crew_lead_weight,
    )
    with localcontext(ARITHMETIC):
        return settle(_merge([measure_one(member) for member in members]), settings)
