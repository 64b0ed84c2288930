"""What a synced job's arrival and status changes do to its ProPays (SPEC §3 Job, seed 000):

- a new job makes a ProPay (one per milestone when recurring) unless an exclusion rule matches;
- CANCELED cancels its ACTIVE ProPays through the ProPay machine (time entries are kept;
  approved ones are left alone, and ``alerts`` shows them);
- COMPLETED runs the final calculation and puts its ACTIVE ProPays in the approval queue
  (``ready_for_approval_at``, an event ``queue_for_approval`` whose reason gives the figures);
  a job reopened at the source takes them out again (``leave_approval_queue``);
- a budget that changes at the source follows into ACTIVE ProPays whose budget was not edited
  here (or into all of them when the integration's budget sync is on).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from protiv import calc
from protiv.domain.bonus import BudgetType
from protiv.domain.errors import ValidationFailed
from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind, ProPayStatus, ProPayTrigger, VoidReason
from protiv.persistence.models import Job, Milestone, ProPay
from protiv.services import calculation, cascades
from protiv.services.uow import UnitOfWork
from statemachines.base import Via
from statemachines.pro_pay import MACHINE as PRO_PAY

DEFAULT_LABOR_PCT = Decimal(30)
BUDGET_FIELDS = ("budget_type", "budget_hours", "budget_amount", "contract_price", "labor_pct")
QUEUE, UNQUEUE, EDIT = "queue_for_approval", "leave_approval_queue", "edit"


def budget_from(source: Job | Milestone, job: Job) -> dict[str, Any]:
    """Budget type from what the integration sent: hours, else dollars, else contract price."""
    empty: dict[str, Any] = dict.fromkeys(BUDGET_FIELDS)
    if source.budget_hours:
        return empty | {"budget_type": BudgetType.HOURS, "budget_hours": source.budget_hours}
    if source.budget_amount:
        return empty | {"budget_type": BudgetType.AMOUNT, "budget_amount": source.budget_amount}
    if job.contract_price:
        return empty | {
            "budget_type": BudgetType.CONTRACT_PRICE,
            "contract_price": job.contract_price,
            "labor_pct": DEFAULT_LABOR_PCT,
        }
    return empty | {"budget_type": BudgetType.HOURS}


def new_pro_pay(job: Job, milestone: Milestone | None, now: Any) -> ProPay:
    source = milestone or job
    return ProPay(
        company_id=job.company_id,
        job_id=job.id,
        milestone_id=milestone.id if milestone else None,
        title=f"{job.name} — {milestone.name}" if milestone else job.name,
        created_at=now,
        manager_id=job.manager_id,
        **budget_from(source, job),
    )


async def add_pro_pays(uow: UnitOfWork, actor: Actor, rows: Sequence[ProPay]) -> None:
    """Insert new ProPays together and log their creation."""
    if not rows:
        return
    uow.session.add_all(rows)
    await uow.session.flush()
    for row in rows:
        uow.log(EntityKind.PRO_PAY, row, "create", None, actor)


async def _active_pro_pays(
    uow: UnitOfWork, *, job_ids: Sequence[int] = (), milestone_ids: Sequence[int] = ()
) -> list[ProPay]:
    if not job_ids and not milestone_ids:
        return []
    where = ProPay.job_id.in_(job_ids) if job_ids else ProPay.milestone_id.in_(milestone_ids)
    rows = await uow.session.scalars(
        select(ProPay)
        .where(where, ProPay.status == ProPayStatus.ACTIVE)
        .order_by(ProPay.id)
        .options(selectinload(ProPay.line_items), selectinload(ProPay.disqualifiers))
        .with_for_update(of=ProPay)
    )
    return list(rows)


async def cancel_for_jobs(uow: UnitOfWork, actor: Actor, job_ids: Sequence[int]) -> int:
    """A job canceled at the source cancels its ACTIVE ProPays; approved ones stay."""
    canceled = 0
    for pro_pay in await _active_pro_pays(uow, job_ids=job_ids):
        await uow.fire(
            PRO_PAY,
            pro_pay,
            ProPayTrigger.CANCEL,
            actor,
            reason="The job was canceled in the integration.",
            via=Via.SYNC,
            cascade=True,
        )
        await cascades.void_unpaid(uow, pro_pay.line_items, actor, VoidReason.CANCELED)
        canceled += 1
    return canceled


async def queue_for_approval(
    uow: UnitOfWork,
    actor: Actor,
    *,
    job_ids: Sequence[int] = (),
    milestone_ids: Sequence[int] = (),
    why: str = "The job was completed in the integration",
) -> int:
    """Final calculation and the approval queue for ACTIVE ProPays not yet queued."""
    pro_pays = [
        p
        for p in await _active_pro_pays(uow, job_ids=job_ids, milestone_ids=milestone_ids)
        if p.ready_for_approval_at is None
    ]
    if not pro_pays:
        return 0
    for pro_pay in pro_pays:
        pro_pay.ready_for_approval_at = uow.now
    await uow.session.flush()
    data = await calculation.load_inputs(uow.session, pro_pays)
    for pro_pay in pro_pays:
        reason = f"{why}: {_final_figures(pro_pay, data)}"
        uow.log(EntityKind.PRO_PAY, pro_pay, QUEUE, pro_pay.status.value, actor, reason=reason)
    return len(pro_pays)


def _final_figures(pro_pay: ProPay, data: calculation.Inputs) -> str:
    try:
        inputs = calculation.calc_input(pro_pay, data)
        problem = calc.budget_error(inputs.budget)
        if problem:
            return f"the final calculation cannot run yet ({problem})"
        result = calc.calculate(inputs)
    except ValidationFailed as error:
        return f"the final calculation cannot run yet ({error.message})"
    return (
        f"final calculation: budget {result.budget_amount}, actual {result.actual_cost}, "
        f"saved {result.saved}, worker pool {result.worker_pool}; waiting for approval"
    )


async def leave_queue(uow: UnitOfWork, actor: Actor, job_ids: Sequence[int]) -> None:
    """A job reopened at the source: its ACTIVE ProPays leave the approval queue."""
    if not job_ids:
        return
    pro_pays = [p for p in await _active_pro_pays(uow, job_ids=job_ids) if p.ready_for_approval_at]
    for pro_pay in pro_pays:
        pro_pay.ready_for_approval_at = None
    await uow.session.flush()
    for pro_pay in pro_pays:
        uow.log(
            EntityKind.PRO_PAY,
            pro_pay,
            UNQUEUE,
            pro_pay.status.value,
            actor,
            reason="The job was reopened in the integration.",
        )


def budget_of(pro_pay: ProPay) -> dict[str, Any]:
    return {name: getattr(pro_pay, name) for name in BUDGET_FIELDS}


async def follow_budget(
    uow: UnitOfWork,
    actor: Actor,
    changes: Sequence[tuple[Job, dict[str, Any]]],
    *,
    overwrite: bool,
    why: str,
) -> None:
    """Carry a job's new budget into its ACTIVE job-level ProPays whose budget is still the one
    the old job budget gave (untouched here), or into all of them when ``overwrite``."""
    if not changes:
        return
    old_by_job = {job.id: (job, old) for job, old in changes}
    followed: list[ProPay] = []
    for pro_pay in await _active_pro_pays(uow, job_ids=list(old_by_job)):
        job, old = old_by_job[pro_pay.job_id]
        if pro_pay.milestone_id is not None:
            continue
        if (
            overwrite
            or budget_of(pro_pay) == old
            or calc.budget_error(calculation.to_budget(pro_pay))
        ):
            new = budget_from(job, job)
            if budget_of(pro_pay) != new:
                for name, value in new.items():
                    setattr(pro_pay, name, value)
                followed.append(pro_pay)
    await uow.session.flush()
    for pro_pay in followed:
        uow.log(EntityKind.PRO_PAY, pro_pay, EDIT, pro_pay.status.value, actor, reason=why)
