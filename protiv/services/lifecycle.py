"""The full bonus lifecycle of seed 002: nine steps from the job in the integration to the money,
the step a ProPay (or a job) is at, and, where it stalled, why.

    1 job created in the integration   2 job syncs           3 ProPay generated
    4 workers do the work              5 time syncs          6 ProPay calculated
    7 manager approves                 8 line items created  9 statement paid

Stalls (seed 002 "Where each step can stall"): SYNC_FAILING (the integration is failing, so time
and status stop arriving), EXCLUDED_BY_RULE (step 3), NO_TIME (step 5), BUDGET_INVALID (step 6:
nothing to calculate against), DISQUALIFIER_PENDING and AWAITING_APPROVAL (step 7), HELD (step 8:
held in the waiting period until a date; releases by itself), STATEMENT_UNPAID (step 9), and
CANCELED / DELETED for a ProPay taken out of the lifecycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from protiv import calc
from protiv.domain.bonus import DisqualifierResult
from protiv.domain.errors import NotFound
from protiv.domain.roles import Actor
from protiv.domain.statuses import (
    EntityKind,
    IntegrationStatus,
    JobStatus,
    LineItemStatus,
    ProPayStatus,
)
from protiv.persistence.models import (
    Disqualifier,
    Event,
    Integration,
    Job,
    LineItem,
    ProPay,
    Statement,
    TimeEntry,
)
from protiv.services.calculation import to_budget
from protiv.services.context import ServiceContext
from protiv.services.why_missing import RecordKind, why_missing

STEPS = (
    (1, "Job created in your integration", "Your integration"),
    (2, "Job syncs to Protiv", "Sync engine"),
    (3, "ProPay generated from the job", "Protiv"),
    (4, "Workers do the work", "Job site"),
    (5, "Time syncs to Protiv", "Sync engine"),
    (6, "ProPay calculated", "Protiv"),
    (7, "Manager approves the ProPay", "Protiv admin"),
    (8, "Bonus line items created", "Protiv"),
    (9, "Statement paid out", "Protiv → payroll system"),
)
DONE, CURRENT, STALLED, TODO = "DONE", "CURRENT", "STALLED", "TODO"


@dataclass
class Step:
    number: int
    name: str
    where: str
    state: str = TODO
    at: datetime | None = None
    detail: str | None = None


@dataclass
class Lifecycle:
    steps: list[Step]
    current_step: int
    stall_code: str | None = None
    stall_message: str | None = None
    pro_pay_id: int | None = None
    job_id: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def stalled(self) -> bool:
        return self.stall_code is not None

    @property
    def complete(self) -> bool:
        return all(step.state == DONE for step in self.steps)


def _blank() -> list[Step]:
    return [Step(n, name, where) for n, name, where in STEPS]


def _settle(steps: list[Step], current: int, stalled: bool, detail: str | None) -> None:
    for step in steps:
        if step.number < current:
            step.state = DONE
        elif step.number == current:
            step.state = STALLED if stalled else CURRENT
            step.detail = detail
        else:
            step.state = TODO


async def for_pro_pay(ctx: ServiceContext, actor: Actor, pro_pay_id: int) -> Lifecycle:
    async with ctx.db.read() as session:
        pro_pay = await session.scalar(
            select(ProPay).where(ProPay.id == pro_pay_id, ProPay.company_id == actor.company_id)
        )
        if pro_pay is None:
            raise NotFound("No ProPay with that id.", field=["proPayId"])
        return await _of(session, pro_pay)


async def for_job(ctx: ServiceContext, actor: Actor, external_id: str) -> Lifecycle:
    """A job's lifecycle: its latest ProPay's, or where it stopped before making one."""
    async with ctx.db.read() as session:
        job = await session.scalar(
            select(Job).where(Job.company_id == actor.company_id, Job.external_id == external_id)
        )
        pro_pay = None
        if job is not None:
            pro_pay = await session.scalar(
                select(ProPay).where(ProPay.job_id == job.id).order_by(ProPay.id.desc()).limit(1)
            )
        if pro_pay is not None:
            return await _of(session, pro_pay)
    answer = await why_missing(ctx, actor, external_id, RecordKind.JOB)
    steps = _blank()
    cause = answer.causes[0]
    current = 3 if job is not None else 2
    _settle(steps, current, True, cause.message)
    if job is not None:
        steps[1].at = await _job_synced_at(ctx, job)
    return Lifecycle(steps, current, cause.code, cause.message, job_id=job.id if job else None)


async def _job_synced_at(ctx: ServiceContext, job: Job) -> datetime | None:
    async with ctx.db.read() as session:
        return await _created_at(session, EntityKind.JOB, job.id)


async def _created_at(session: AsyncSession, kind: EntityKind, entity_id: int) -> datetime | None:
    found: datetime | None = await session.scalar(
        select(Event.occurred_at)
        .where(Event.entity == kind, Event.entity_id == entity_id, Event.trigger == "create")
        .limit(1)
    )
    return found


@dataclass
class Facts:
    """What the steps are judged by."""

    job: Job
    failing: Integration | None
    hours: int
    pending_disqualifiers: int
    items: list[LineItem]
    unpaid_statement: Statement | None
    last_reason: str | None


async def _facts(session: AsyncSession, pro_pay: ProPay) -> Facts:
    job = await session.get_one(Job, pro_pay.job_id)
    failing = None
    if job.integration_id is not None:
        integration = await session.get(Integration, job.integration_id)
        if integration is not None and integration.status in (
            IntegrationStatus.FAILED,
            IntegrationStatus.DISCONNECTED,
        ):
            failing = integration
    entries = select(func.count()).select_from(TimeEntry).where(TimeEntry.job_id == job.id)
    if pro_pay.milestone_id is not None:
        entries = entries.where(TimeEntry.milestone_id == pro_pay.milestone_id)
    pending = (
        select(func.count())
        .select_from(Disqualifier)
        .where(
            Disqualifier.pro_pay_id == pro_pay.id,
            Disqualifier.result == DisqualifierResult.PENDING,
        )
    )
    items = list(
        await session.scalars(
            select(LineItem)
            .where(LineItem.pro_pay_id == pro_pay.id, LineItem.status != LineItemStatus.VOIDED)
            .order_by(LineItem.id)
        )
    )
    payable = [i.statement_id for i in items if i.status is LineItemStatus.PAYABLE]
    statement = await session.get(Statement, payable[0]) if payable else None
    reason = await session.scalar(
        select(Event.reason)
        .where(Event.entity == EntityKind.PRO_PAY, Event.entity_id == pro_pay.id)
        .order_by(Event.id.desc())
        .limit(1)
    )
    return Facts(
        job=job,
        failing=failing,
        hours=int(await session.scalar(entries) or 0),
        pending_disqualifiers=int(await session.scalar(pending) or 0),
        items=items,
        unpaid_statement=statement,
        last_reason=reason,
    )


async def _of(session: AsyncSession, pro_pay: ProPay) -> Lifecycle:
    facts = await _facts(session, pro_pay)
    steps = _blank()
    current, code, message = _judge(pro_pay, facts)
    _settle(steps, current, code is not None, message)
    if pro_pay.status is ProPayStatus.PAID:
        for step in steps:
            step.state, step.detail = DONE, None
    steps[1].at = await _created_at(session, EntityKind.JOB, facts.job.id)
    steps[2].at = pro_pay.created_at
    steps[5].at = pro_pay.ready_for_approval_at or pro_pay.approved_at
    steps[6].at = steps[7].at = pro_pay.approved_at
    steps[8].at = pro_pay.paid_at
    return Lifecycle(steps, current, code, message, pro_pay_id=pro_pay.id, job_id=facts.job.id)


Judged = tuple[int, str | None, str | None]  # current step, stall code, what it says


def _judge(pro_pay: ProPay, facts: Facts) -> Judged:
    if pro_pay.status in (ProPayStatus.CANCELED, ProPayStatus.DELETED):
        reached = 8 if pro_pay.approved_at else 6
        word = pro_pay.status.value
        why = f" ({facts.last_reason})" if facts.last_reason else ""
        return reached, word, f"The ProPay was {word.lower()}{why}: it left the lifecycle."
    if pro_pay.status is ProPayStatus.PAID:
        return 9, None, "Paid."
    if pro_pay.status is ProPayStatus.APPROVED:
        return _after_approval(facts)
    return _before_approval(pro_pay, facts)


def _before_approval(pro_pay: ProPay, facts: Facts) -> Judged:
    if facts.hours == 0:
        if facts.job.status is JobStatus.PENDING and facts.failing is None:
            return 4, None, "The job has not started: waiting for the crew's time."
        current, code, message = (
            5,
            "NO_TIME",
            "No time has synced for this job: the crew has not clocked in, or time is not "
            "syncing from the integration.",
        )
    else:
        problem = calc.budget_error(to_budget(pro_pay))
        if problem:
            current, code, message = (
                6,
                "BUDGET_INVALID",
                f"The ProPay cannot be calculated: {problem}",
            )
        elif pro_pay.ready_for_approval_at is None:
            current, code, message = (
                6,
                None,
                "Time is accumulating: the figures are a running preview; the final bonus is "
                "set when the job completes (or a manager approves).",
            )
        else:
            return _approval(pro_pay, facts)
    if facts.failing is not None:
        integration = facts.failing
        return (
            current,
            "SYNC_FAILING",
            f"Step 2 is failing: the {integration.name} integration is "
            f"{integration.status.value}"
            + (f" ({integration.last_error})" if integration.last_error else "")
            + ", so time and job status stop arriving. Reconnect it or contact support.",
        )
    return current, code, message


def _approval(pro_pay: ProPay, facts: Facts) -> Judged:
    if facts.pending_disqualifiers:
        return (
            7,
            "DISQUALIFIER_PENDING",
            f"{facts.pending_disqualifiers} disqualifier(s) are unanswered: they block approval.",
        )
    ready = pro_pay.ready_for_approval_at
    group = " (approve it with its group)" if pro_pay.group_id else ""
    return (
        7,
        "AWAITING_APPROVAL",
        f"Ready for approval since {ready:%Y-%m-%d %H:%M} UTC: a manager has not approved it "
        f"yet{group}."
        if ready
        else "Waiting for a manager's approval.",
    )


def _after_approval(facts: Facts) -> Judged:
    held = [i for i in facts.items if i.status is LineItemStatus.HELD]
    dates = [i.release_at for i in held if i.release_at is not None]
    if held and dates:
        return (
            8,
            "HELD",
            f"Line items are held in the waiting period until {max(dates):%Y-%m-%d %H:%M} UTC; "
            "they release by themselves.",
        )
    if held:
        why = "; ".join(sorted({i.hold_reason or "no reason given" for i in held}))
        return 8, "HELD", f"Line items are held by hand ({why}): release them to pay them."
    if facts.unpaid_statement is not None:
        return (
            9,
            "STATEMENT_UNPAID",
            f"Statement {facts.unpaid_statement.number} is not paid yet: an admin needs to mark "
            "it paid.",
        )
    return 9, None, "Waiting for the statement to be paid."
