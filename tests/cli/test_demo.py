"""The demo company: every status is there, reached through the real services, and the
ProPays the README tour visits behave as the tour says."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from protiv.domain.errors import ErrorCode, TransitionRefused, ValidationFailed
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import LineItemStatus, ProPayStatus, ProPayTrigger
from protiv.persistence.models import Event, LineItem, ProPay
from protiv.services import calculation, demo, groups, pro_pays
from protiv.services.context import ServiceContext


def _ids(summary: demo.DemoSummary) -> dict[str, int]:
    return {h.key: h.pro_pay_id for h in summary.highlights}


async def test_every_status_is_there_and_the_load_is_repeatable(ctx: ServiceContext) -> None:
    summary = await demo.load_demo(ctx)
    assert summary.workers == 12
    assert all(summary.jobs.values()), summary.jobs
    assert all(summary.pro_pays.values()), summary.pro_pays
    assert summary.pro_pays["ACTIVE"] >= 3
    assert summary.groups["ACTIVE"] == 1
    assert summary.line_items["HELD"]
    assert summary.line_items["PAID"]
    assert summary.statements["PAID"]
    assert summary.sync_runs == 2
    assert {h.key: h.status for h in summary.highlights} == {
        "approve": "ACTIVE",
        "no_budget": "ACTIVE",
        "group_member": "ACTIVE",
        "held": "APPROVED",
        "cancel_refused": "APPROVED",
        "paid": "PAID",
        "restore": "CANCELED",
        "canceled_by_sync": "CANCELED",
        "deleted": "DELETED",
    }
    again = await demo.load_demo(ctx, slug="demo-two")  # same clock, same data, other company
    assert (again.jobs, again.pro_pays, again.line_items) == (
        summary.jobs,
        summary.pro_pays,
        summary.line_items,
    )


async def test_a_slug_is_loaded_once(ctx: ServiceContext) -> None:
    await demo.load_demo(ctx)
    with pytest.raises(ValidationFailed):
        await demo.load_demo(ctx)


async def test_the_partly_paid_pro_pay_refuses_cancel(ctx: ServiceContext) -> None:
    summary = await demo.load_demo(ctx)
    admin = Actor(company_id=summary.company_id, role=Role.ADMIN, name="ada")
    pro_pay_id = _ids(summary)["cancel_refused"]
    async with ctx.db.read() as session:
        statuses = set(
            await session.scalars(select(LineItem.status).where(LineItem.pro_pay_id == pro_pay_id))
        )
        events = await session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
    assert statuses == {LineItemStatus.PAID, LineItemStatus.HELD}
    with pytest.raises(TransitionRefused) as refused:
        await pro_pays.cancel(ctx, admin, pro_pay_id, reason="customer canceled")
    assert refused.value.code is ErrorCode.BONUS_ALREADY_PAID
    async with ctx.db.read() as session:  # a refusal changes nothing
        assert await session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) == events


async def test_the_tour_steps_work_as_described(ctx: ServiceContext) -> None:
    summary = await demo.load_demo(ctx)
    ids = _ids(summary)
    manager = Actor(company_id=summary.company_id, role=Role.MANAGER, name="max")
    approved = await pro_pays.approve(ctx, manager, ids["approve"])
    assert approved.record.status is ProPayStatus.APPROVED
    assert {i.status for i in approved.record.line_items} == {LineItemStatus.HELD}
    with pytest.raises(TransitionRefused) as refused:
        await pro_pays.approve(ctx, manager, ids["group_member"])
    assert refused.value.code is ErrorCode.GROUP_MEMBER
    assert summary.group_id is not None
    group = await groups.transition(ctx, manager, summary.group_id, ProPayTrigger.APPROVE)
    assert group.record.status is ProPayStatus.APPROVED
    restored = await pro_pays.restore(ctx, manager, ids["restore"])
    assert restored.record.status is ProPayStatus.ACTIVE
    with pytest.raises(TransitionRefused) as no_budget:
        await pro_pays.approve(ctx, manager, ids["no_budget"])
    assert no_budget.value.code is ErrorCode.BUDGET_INVALID


async def test_the_no_budget_pro_pay_explains_its_calculation(ctx: ServiceContext) -> None:
    summary = await demo.load_demo(ctx)
    pro_pay_id = _ids(summary)["no_budget"]
    async with ctx.db.read() as session:
        pro_pay = await session.get_one(ProPay, pro_pay_id)
        [preview] = await calculation.previews(session, [pro_pay])
    assert isinstance(preview, str)
    assert "budget" in preview.lower()
