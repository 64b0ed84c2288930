"""ProPay lifecycle use cases: each locks the ProPay, fires its machine, carries the effects
of SPEC §3 to its line items and statements, writes the events, and commits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.orm import selectinload

from protiv import calc
from protiv.domain.errors import ValidationFailed
from protiv.domain.roles import Actor
from protiv.domain.statuses import ProPayTrigger, VoidReason
from protiv.persistence.models import Event, ProPay
from protiv.services import calculation, cascades, ledger
from protiv.services.context import ServiceContext
from protiv.services.results import Transitioned
from protiv.services.uow import UnitOfWork
from statemachines.base import Via
from statemachines.pro_pay import MACHINE as PRO_PAY

LOAD = (selectinload(ProPay.line_items), selectinload(ProPay.disqualifiers))

Effect = Callable[[UnitOfWork, ProPay], Awaitable[Event]]


async def _run(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    effect: Effect,
    expected_version: int | None,
) -> Transitioned[ProPay]:
    async with UnitOfWork(ctx) as uow:
        pro_pay = await uow.lock(
            ProPay,
            pro_pay_id,
            actor,
            options=LOAD,
            expected_version=expected_version,
            label="ProPay",
        )
        event = await effect(uow, pro_pay)
        await uow.commit()
    return Transitioned(pro_pay, event)


async def final_breakdown(
    uow: UnitOfWork, pro_pay: ProPay
) -> tuple[calc.Breakdown | None, str | None, calculation.Inputs]:
    """The final calculation, or why the budget is not valid (the approval guard's input),
    and the rows it was made from (the line items need the same pool, company and branch)."""
    data = await calculation.load_inputs(uow.session, [pro_pay])
    inputs = calculation.calc_input(pro_pay, data)
    problem = calc.budget_error(inputs.budget)
    if problem:
        return None, problem, data
    try:
        return calc.calculate(inputs), None, data
    except ValidationFailed as error:
        return None, error.message, data


async def approve(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Transitioned[ProPay]:
    """ACTIVE → APPROVED: final calculation, HELD line items on each worker's statement.

    Raises TransitionRefused (GROUP_MEMBER, DISQUALIFIERS_PENDING, BUDGET_INVALID, ...),
    NotFound, Conflict.
    """

    async def effect(uow: UnitOfWork, pro_pay: ProPay) -> Event:
        breakdown, problem, data = await final_breakdown(uow, pro_pay)
        if breakdown is not None:  # same flush as the status: one version per transition
            pro_pay.calculation = calculation.freeze(breakdown)
        event = await uow.fire(
            PRO_PAY, pro_pay, ProPayTrigger.APPROVE, actor, reason=reason, budget_error=problem
        )
        assert breakdown is not None  # the guard refused otherwise
        await make_items(uow, pro_pay, breakdown.shares, actor, data=data)
        return event

    return await _run(ctx, actor, pro_pay_id, effect, expected_version)


async def make_items(
    uow: UnitOfWork,
    pro_pay: ProPay,
    shares: Sequence[calc.Share],
    actor: Actor,
    *,
    group_id: int | None = None,
    data: calculation.Inputs | None = None,
) -> None:
    """The approval's HELD line items, one per worker and paid bucket (a group member gets its
    slice of the pooled shares). ``data``: the inputs the calculation was made from, when the
    caller has them (they hold the company, its branches and pools: no query again)."""
    if data is None:
        data = await calculation.load_inputs(uow.session, [pro_pay])
    company = data.companies[pro_pay.company_id]
    job = data.jobs[pro_pay.job_id]
    branch = data.branches.get(job.branch_id) if job.branch_id is not None else None
    items = await ledger.add_approval_items(
        uow,
        company=company,
        pool=calculation.pool_for(pro_pay, data),
        shares=shares,
        actor=actor,
        pro_pay_id=pro_pay.id,
        group_id=group_id,
        cycle=ledger.cycle_of(company, branch),
    )
    pro_pay.line_items.extend(items)


def _voiding(trigger: ProPayTrigger, why: VoidReason, actor: Actor, reason: str | None) -> Effect:
    async def effect(uow: UnitOfWork, pro_pay: ProPay) -> Event:
        if trigger is ProPayTrigger.UNAPPROVE:
            pro_pay.calculation = None  # the preview takes over again
        event = await uow.fire(PRO_PAY, pro_pay, trigger, actor, reason=reason)
        await cascades.void_unpaid(uow, pro_pay.line_items, actor, why)
        return event

    return effect


async def unapprove(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Transitioned[ProPay]:
    """APPROVED → ACTIVE: unpaid line items VOIDED (UNAPPROVED); editable again."""
    effect = _voiding(ProPayTrigger.UNAPPROVE, VoidReason.UNAPPROVED, actor, reason)
    return await _run(ctx, actor, pro_pay_id, effect, expected_version)


async def cancel(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Transitioned[ProPay]:
    """ACTIVE|APPROVED → CANCELED: unpaid line items VOIDED (CANCELED); time entries kept."""
    effect = _voiding(ProPayTrigger.CANCEL, VoidReason.CANCELED, actor, reason)
    return await _run(ctx, actor, pro_pay_id, effect, expected_version)


async def delete(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Transitioned[ProPay]:
    """ACTIVE|APPROVED → DELETED: unpaid line items VOIDED (DELETED); kept for audit."""
    effect = _voiding(ProPayTrigger.DELETE, VoidReason.DELETED, actor, reason)
    return await _run(ctx, actor, pro_pay_id, effect, expected_version)


async def restore(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Transitioned[ProPay]:
    """CANCELED|DELETED → ACTIVE: the preview recalculates; a re-approval makes new items."""

    async def effect(uow: UnitOfWork, pro_pay: ProPay) -> Event:
        pro_pay.calculation = None
        return await uow.fire(PRO_PAY, pro_pay, ProPayTrigger.RESTORE, actor, reason=reason)

    return await _run(ctx, actor, pro_pay_id, effect, expected_version)


async def revert_payment(
    ctx: ServiceContext,
    actor: Actor,
    pro_pay_id: int,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Transitioned[ProPay]:
    """PAID → APPROVED (admin, reason): its items back to PAYABLE, their statements OPEN."""

    async def effect(uow: UnitOfWork, pro_pay: ProPay) -> Event:
        event = await uow.fire(PRO_PAY, pro_pay, ProPayTrigger.REVERT_PAYMENT, actor, reason=reason)
        text = reason or ""
        unpaid = await cascades.unpay(uow, pro_pay.line_items, actor, Via.REVERT_PAYMENT, text)
        await cascades.reopen_statements(uow, {i.statement_id for i in unpaid}, actor, text)
        return event

    return await _run(ctx, actor, pro_pay_id, effect, expected_version)
