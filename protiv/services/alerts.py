"""Everything stalled, for the dashboard (seed 002: "The dashboard surfaces stalled items via
the alerts section"). Each alert names its record, says why in a sentence, and since when.

    INTEGRATION_FAILED / _DISCONNECTED / _PENDING / SYNC_OVERDUE   step 2
    JOB_EXCLUDED            a live job an exclusion rule keeps from its ProPay   step 3
    NO_TIME                 an ACTIVE ProPay of a started job with no time        step 5
    BUDGET_INVALID          an ACTIVE ProPay that cannot be calculated            step 6
    DISQUALIFIER_PENDING    unanswered disqualifiers block approval               step 7
    AWAITING_APPROVAL       its job completed; no manager has approved it         step 7
    APPROVED_JOB_CANCELED   approved (or paid), but the job was canceled at the source
    RELEASE_OVERDUE         held line items past their release time               step 8
    STATEMENT_UNPAID        an open statement with payable items, its period over  step 9
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from protiv import calc
from protiv.domain.bonus import DisqualifierResult
from protiv.domain.roles import Actor
from protiv.domain.statuses import (
    EntityKind,
    IntegrationStatus,
    JobStatus,
    LineItemStatus,
    ProPayStatus,
    StatementStatus,
)
from protiv.persistence.models import (
    Disqualifier,
    Job,
    LineItem,
    PayPeriod,
    ProPay,
    Statement,
    TimeEntry,
)
from protiv.services.calculation import to_budget
from protiv.services.context import ServiceContext
from protiv.services.diagnostics import integration_states

ERROR, WARNING, INFO = "ERROR", "WARNING", "INFO"
CODES = (
    "INTEGRATION_FAILED",
    "INTEGRATION_DISCONNECTED",
    "INTEGRATION_PENDING",
    "SYNC_OVERDUE",
    "JOB_EXCLUDED",
    "NO_TIME",
    "BUDGET_INVALID",
    "DISQUALIFIER_PENDING",
    "AWAITING_APPROVAL",
    "APPROVED_JOB_CANCELED",
    "RELEASE_OVERDUE",
    "STATEMENT_UNPAID",
)


@dataclass(frozen=True, slots=True)
class Alert:
    code: str
    severity: str
    message: str
    entity: EntityKind | None  # the record to open (None: an integration shown by name)
    entity_id: int
    since: datetime | None


@dataclass(frozen=True, slots=True)
class Alerts:
    items: list[Alert]
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def alerts(
    ctx: ServiceContext, actor: Actor, codes: Sequence[str] | None = None, first: int = 100
) -> Alerts:
    """Every stalled item of the company (``codes`` narrows), errors first; ``first`` of them."""
    wanted = set(codes or CODES)
    found: list[Alert] = []
    now = ctx.clock()
    async with ctx.db.read() as session:
        for check in (_integrations, _jobs, _pro_pays, _approved_canceled, _ledger):
            found += await check(session, actor.company_id, now)
    found = [a for a in found if a.code in wanted]
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    found.sort(key=lambda a: (order[a.severity], CODES.index(a.code), a.entity_id))
    return Alerts(items=found[:first], counts=dict(Counter(a.code for a in found)))


async def _integrations(session: AsyncSession, company_id: int, now: datetime) -> list[Alert]:
    out = []
    for state in await integration_states(session, company_id):
        if state.status is IntegrationStatus.FAILED:
            out.append(
                Alert(
                    "INTEGRATION_FAILED",
                    ERROR,
                    f"{state.name} sync is failing: {state.last_error}",
                    EntityKind.INTEGRATION,
                    state.id,
                    state.last_run_at,
                )
            )
        elif state.status is IntegrationStatus.DISCONNECTED:
            out.append(
                Alert(
                    "INTEGRATION_DISCONNECTED",
                    ERROR,
                    f"{state.name} is disconnected: nothing syncs until it is reconnected.",
                    EntityKind.INTEGRATION,
                    state.id,
                    None,
                )
            )
        elif state.status is IntegrationStatus.PENDING:
            out.append(
                Alert(
                    "INTEGRATION_PENDING",
                    WARNING,
                    f"{state.name} has not completed its first sync.",
                    EntityKind.INTEGRATION,
                    state.id,
                    state.last_run_at,
                )
            )
        elif state.overdue(now):
            out.append(
                Alert(
                    "SYNC_OVERDUE",
                    WARNING,
                    f"{state.name} has not synced since {state.last_run_at:%Y-%m-%d %H:%M} UTC (every {state.schedule_minutes} minutes).",
                    EntityKind.INTEGRATION,
                    state.id,
                    state.last_run_at,
                )
            )
    return out


async def _jobs(session: AsyncSession, company_id: int, now: datetime) -> list[Alert]:
    rows = await session.execute(
        select(Job.id, Job.name, Job.excluded_reason).where(
            Job.company_id == company_id,
            Job.exclusion_rule_id.is_not(None),
            Job.status.in_((JobStatus.PENDING, JobStatus.IN_PROGRESS, JobStatus.COMPLETED)),
        )
    )
    return [
        Alert(
            "JOB_EXCLUDED", INFO, f"{name}: {reason} It makes no ProPay.", EntityKind.JOB, pk, None
        )
        for pk, name, reason in rows
    ]


async def _pro_pays(session: AsyncSession, company_id: int, now: datetime) -> list[Alert]:
    has_time = exists().where(
        TimeEntry.job_id == ProPay.job_id,
        (ProPay.milestone_id.is_(None)) | (TimeEntry.milestone_id == ProPay.milestone_id),
    )
    pending = (
        select(Disqualifier.pro_pay_id, func.count())
        .where(Disqualifier.result == DisqualifierResult.PENDING)
        .group_by(Disqualifier.pro_pay_id)
    )
    rows = await session.execute(
        select(ProPay, Job.status, has_time)
        .join(Job, Job.id == ProPay.job_id)
        .where(ProPay.company_id == company_id, ProPay.status == ProPayStatus.ACTIVE)
        .order_by(ProPay.id)
    )
    active: list[tuple[ProPay, JobStatus, bool]] = [(p, s, bool(t)) for p, s, t in rows]
    ids = [p.id for p, _, _ in active]
    waiting: dict[int, int] = {}
    if ids:
        found = await session.execute(pending.where(Disqualifier.pro_pay_id.in_(ids)))
        waiting = {pro_pay_id: int(n) for pro_pay_id, n in found}
    out = []
    for pro_pay, job_status, timed in active:
        out += _pro_pay_alerts(pro_pay, job_status, bool(timed), int(waiting.get(pro_pay.id, 0)))
    return out


def _pro_pay_alerts(
    pro_pay: ProPay, job_status: JobStatus, timed: bool, pending: int
) -> list[Alert]:
    out = []
    title, pk = pro_pay.title, pro_pay.id
    if not timed and job_status is not JobStatus.PENDING:
        out.append(
            Alert(
                "NO_TIME",
                WARNING,
                f"{title}: the job has started but no time has synced.",
                EntityKind.PRO_PAY,
                pk,
                pro_pay.created_at,
            )
        )
    problem = calc.budget_error(to_budget(pro_pay))
    if problem:
        out.append(
            Alert(
                "BUDGET_INVALID",
                WARNING,
                f"{title}: {problem}",
                EntityKind.PRO_PAY,
                pk,
                pro_pay.created_at,
            )
        )
    if pending:
        out.append(
            Alert(
                "DISQUALIFIER_PENDING",
                WARNING,
                f"{title}: {pending} disqualifier(s) unanswered block approval.",
                EntityKind.PRO_PAY,
                pk,
                pro_pay.ready_for_approval_at,
            )
        )
    elif pro_pay.ready_for_approval_at is not None:
        out.append(
            Alert(
                "AWAITING_APPROVAL",
                INFO,
                f"{title}: its job completed; waiting for a manager's approval.",
                EntityKind.PRO_PAY,
                pk,
                pro_pay.ready_for_approval_at,
            )
        )
    return out


async def _approved_canceled(session: AsyncSession, company_id: int, now: datetime) -> list[Alert]:
    rows = await session.execute(
        select(ProPay.id, ProPay.title, ProPay.status, ProPay.approved_at)
        .join(Job, Job.id == ProPay.job_id)
        .where(
            ProPay.company_id == company_id,
            ProPay.status.in_((ProPayStatus.APPROVED, ProPayStatus.PAID)),
            Job.status == JobStatus.CANCELED,
        )
    )
    return [
        Alert(
            "APPROVED_JOB_CANCELED",
            ERROR,
            f"{title}: the job was canceled in the integration after the ProPay was "
            f"{status.value.lower()}; unapprove it, or deduct next period.",
            EntityKind.PRO_PAY,
            pk,
            approved_at,
        )
        for pk, title, status, approved_at in rows
    ]


async def _ledger(session: AsyncSession, company_id: int, now: datetime) -> list[Alert]:
    overdue = await session.execute(
        select(LineItem.id, LineItem.release_at).where(
            LineItem.company_id == company_id,
            LineItem.status == LineItemStatus.HELD,
            LineItem.release_at < now,
        )
    )
    out = [
        Alert(
            "RELEASE_OVERDUE",
            WARNING,
            f"Line item {pk} was due for release at {at:%Y-%m-%d %H:%M} UTC.",
            EntityKind.LINE_ITEM,
            pk,
            at,
        )
        for pk, at in overdue
    ]
    unpaid = await session.execute(
        select(Statement.id, PayPeriod.ends_on)
        .join(PayPeriod, PayPeriod.id == Statement.pay_period_id)
        .where(
            Statement.company_id == company_id,
            Statement.status == StatementStatus.OPEN,
            PayPeriod.ends_on < now.date(),
            exists().where(
                LineItem.statement_id == Statement.id, LineItem.status == LineItemStatus.PAYABLE
            ),
        )
    )
    out += [
        Alert(
            "STATEMENT_UNPAID",
            WARNING,
            f"Statement ST-{pk:06d} has payable items and its period ended {ends:%Y-%m-%d}: mark it paid.",
            EntityKind.STATEMENT,
            pk,
            None,
        )
        for pk, ends in unpaid
    ]
    return out
