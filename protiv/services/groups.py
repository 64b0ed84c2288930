"""ProPayGroup use cases: a group trigger drives every member through the member's own machine
(``via="group"``), all or none: one refusal anywhere rolls the whole group back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from protiv import calc
from protiv.domain.bonus import TimeKind
from protiv.domain.errors import NotFound, ValidationFailed
from protiv.domain.money import ZERO, split_exact
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.domain.statuses import EntityKind, ProPayStatus, ProPayTrigger, VoidReason
from protiv.persistence.models import Event, ProPay, ProPayGroup
from protiv.services import branches, calculation, cascades
from protiv.services.context import ServiceContext
from protiv.services.pro_pays import make_items
from protiv.services.results import Transitioned
from protiv.services.uow import UnitOfWork
from statemachines.base import Via
from statemachines.pro_pay import MACHINE as PRO_PAY
from statemachines.pro_pay_group import MACHINE as GROUP

LOAD = (
    selectinload(ProPayGroup.members).selectinload(ProPay.line_items),
    selectinload(ProPayGroup.members).selectinload(ProPay.disqualifiers),
)

Effect = Callable[[UnitOfWork, ProPayGroup], Awaitable[Event]]

# What each group trigger does to a member in a given status (members elsewhere are left be).
MEMBER_SOURCES: dict[ProPayTrigger, tuple[ProPayStatus, ...]] = {
    ProPayTrigger.APPROVE: (ProPayStatus.ACTIVE,),
    ProPayTrigger.UNAPPROVE: (ProPayStatus.APPROVED,),
    ProPayTrigger.CANCEL: (ProPayStatus.ACTIVE, ProPayStatus.APPROVED),
    ProPayTrigger.DELETE: (ProPayStatus.ACTIVE, ProPayStatus.APPROVED),
    ProPayTrigger.RESTORE: (ProPayStatus.CANCELED, ProPayStatus.DELETED),
    ProPayTrigger.REVERT_PAYMENT: (ProPayStatus.PAID,),
}
VOIDS = {
    ProPayTrigger.UNAPPROVE: VoidReason.UNAPPROVED,
    ProPayTrigger.CANCEL: VoidReason.CANCELED,
    ProPayTrigger.DELETE: VoidReason.DELETED,
}


async def create(
    ctx: ServiceContext, actor: Actor, name: str, pro_pay_ids: Sequence[int]
) -> ProPayGroup:
    """Build a group by hand from ACTIVE ProPays that are in no group yet."""
    require(actor, "group.create")
    if not name.strip():
        raise ValidationFailed("A group needs a name.", field=["name"])
    if not pro_pay_ids:
        raise ValidationFailed("A group needs at least one ProPay.", field=["proPayIds"])
    async with UnitOfWork(ctx) as uow:
        members = list(
            await uow.session.scalars(
                select(ProPay)
                .where(ProPay.id.in_(set(pro_pay_ids)), ProPay.company_id == actor.company_id)
                .with_for_update()
            )
        )
        _check_members(members, len(set(pro_pay_ids)))
        await branches.require_pro_pays(uow.session, actor, members, "group's ProPay")
        group = ProPayGroup(company_id=actor.company_id, name=name.strip())
        uow.session.add(group)
        await uow.session.flush()
        for member in members:
            member.group_id = group.id
        uow.log(EntityKind.PRO_PAY_GROUP, group, "create", None, actor)
        await uow.commit()
    return group


def _check_members(members: list[ProPay], wanted: int) -> None:
    if len(members) != wanted:
        raise NotFound("Some of those ProPays do not exist.", field=["proPayIds"])
    for member in members:
        if member.group_id is not None:
            raise ValidationFailed(
                f"ProPay {member.id} is already in a group.", field=["proPayIds"]
            )
        if member.status is not ProPayStatus.ACTIVE:
            raise ValidationFailed(
                f"ProPay {member.id} is {member.status.value}; only ACTIVE ProPays can be grouped.",
                field=["proPayIds"],
            )


async def _run(
    ctx: ServiceContext, actor: Actor, group_id: int, effect: Effect, expected_version: int | None
) -> Transitioned[ProPayGroup]:
    async with UnitOfWork(ctx) as uow:
        group = await uow.lock(
            ProPayGroup,
            group_id,
            actor,
            options=LOAD,
            expected_version=expected_version,
            label="ProPayGroup",
        )
        await uow.session.execute(
            select(ProPay.id).where(ProPay.group_id == group.id).with_for_update()
        )
        event = await effect(uow, group)
        await uow.commit()
    return Transitioned(group, event)


async def transition(
    ctx: ServiceContext,
    actor: Actor,
    group_id: int,
    trigger: ProPayTrigger,
    *,
    expected_version: int | None = None,
    reason: str | None = None,
) -> Transitioned[ProPayGroup]:
    """Fire ``trigger`` on the group and carry it to each member it applies to."""
    if trigger is ProPayTrigger.MARK_PAID:
        raise ValidationFailed("A group is marked paid when its last member is paid.")

    async def effect(uow: UnitOfWork, group: ProPayGroup) -> Event:
        if trigger is ProPayTrigger.APPROVE:
            return await _approve(uow, group, actor, reason)
        if trigger in (ProPayTrigger.UNAPPROVE, ProPayTrigger.RESTORE):
            group.calculation = None  # as for its members: no frozen figures while ACTIVE
        event = await uow.fire(GROUP, group, trigger, actor, reason=reason)
        for member in group.members:
            if member.status in MEMBER_SOURCES[trigger]:
                await _drive_member(uow, member, trigger, actor, reason)
        return event

    return await _run(ctx, actor, group_id, effect, expected_version)


async def _drive_member(
    uow: UnitOfWork, member: ProPay, trigger: ProPayTrigger, actor: Actor, reason: str | None
) -> None:
    if trigger in (ProPayTrigger.UNAPPROVE, ProPayTrigger.RESTORE):
        member.calculation = None  # in the transition's own flush: one version per transition
    await uow.fire(PRO_PAY, member, trigger, actor, reason=reason, via=Via.GROUP)
    if trigger in VOIDS:
        await cascades.void_unpaid(uow, member.line_items, actor, VOIDS[trigger])
    if trigger is ProPayTrigger.REVERT_PAYMENT:
        text = reason or ""
        unpaid = await cascades.unpay(uow, member.line_items, actor, Via.REVERT_PAYMENT, text)
        await cascades.reopen_statements(uow, {i.statement_id for i in unpaid}, actor, text)


async def _approve(uow: UnitOfWork, group: ProPayGroup, actor: Actor, reason: str | None) -> Event:
    """Pool budgets, actuals and hours of every member; give each member its slice."""
    members = [m for m in group.members if m.status is ProPayStatus.ACTIVE]
    data = await calculation.load_inputs(uow.session, members)
    inputs = [calculation.calc_input(m, data) for m in members]
    breakdown, problem = _pooled(group, inputs, data, members)
    frozen = calculation.freeze(breakdown) if breakdown is not None else None
    group.calculation = frozen
    event = await uow.fire(
        GROUP, group, ProPayTrigger.APPROVE, actor, reason=reason, budget_error=problem
    )
    assert breakdown is not None
    slices = member_slices(breakdown, inputs, [m.id for m in members])
    for member in members:
        member.calculation = frozen  # members show the pooled figures they were approved from
        await uow.fire(PRO_PAY, member, ProPayTrigger.APPROVE, actor, reason=reason, via=Via.GROUP)
        await make_items(uow, member, slices[member.id], actor, group_id=group.id, data=data)
    return event


def _pooled(
    group: ProPayGroup,
    inputs: list[calc.CalcInput],
    data: calculation.Inputs,
    members: list[ProPay],
) -> tuple[calc.Breakdown | None, str | None]:
    if not inputs:
        return None, "The group has no ACTIVE member to approve."
    for member_input in inputs:
        problem = calc.budget_error(member_input.budget)
        if problem:
            return None, problem
    pool = calculation.pool_input(
        data.pools.get(group.pool_id) if group.pool_id else calculation.pool_for(members[0], data),
        data,
    )
    try:
        return calc.calculate_group(inputs, pool=pool, distribution=group.distribution), None
    except ValidationFailed as error:
        return None, error.message


def member_slices(
    breakdown: calc.Breakdown, inputs: Sequence[calc.CalcInput], member_ids: Sequence[int]
) -> dict[int, list[calc.Share]]:
    """Split each pooled share across the members by the worker's hours on each (by each
    member's crew hours for someone with no hours of their own, e.g. the manager), to the cent."""
    hours = [_hours_by_worker(i) for i in inputs]
    totals = [sum(h.values(), ZERO) for h in hours]
    slices: dict[int, list[calc.Share]] = defaultdict(list)
    for share in breakdown.shares:
        weights = [h.get(share.worker_id, ZERO) for h in hours]
        if sum(weights, ZERO) <= 0:
            weights = totals if sum(totals, ZERO) > 0 else [Decimal(1)] * len(inputs)
        for member_id, amount in zip(member_ids, split_exact(share.amount, weights), strict=True):
            if amount > 0:
                slices[member_id].append(replace(share, amount=amount))
    return slices


def _hours_by_worker(member: calc.CalcInput) -> dict[int, Decimal]:
    hours: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for entry in member.entries:
        if entry.kind is TimeKind.WORK or member.include_drive_time:
            hours[entry.worker_id] += entry.hours
    return hours
