"""The worked examples of domain-research §3.4 and §3.6, end to end: synced as an integration
sends them, set up with the editing services, approved, and read back as line items.

Every crew member earns the example's "combined wage", so person-hours x wage is the published
cost. The crew lead and the manager log no time: they receive only their own bucket (the crew
lead is named on the ProPay, the manager is the job's).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from protiv.domain.bonus import BudgetType, Distribution
from protiv.domain.errors import ErrorCode, TransitionRefused
from protiv.domain.statuses import ProPayStatus, ProPayTrigger
from protiv.services import budget_edits, groups, pools, pro_pay_edits, pro_pays, safeguards
from protiv.services.budget_edits import BudgetInput
from tests.services.edit_scenarios import (
    LEAD,
    MANAGER,
    line_items,
    per_worker,
    row,
    sync_job,
    worker_ids,
)

D = Decimal


async def _with_pool(ctx, admin, crew, lead, manager, company=0, other=0, split=50) -> None:
    settings = pools.PoolSettings(
        name="Example pool",
        crew_pct=D(crew),
        crew_lead_pct=D(lead),
        manager_pct=D(manager),
        company_pct=D(company),
        other_pct=D(other),
        split_savings_pct=D(split),
    )
    saved = await pools.create(ctx, admin, settings)
    await pools.set_company_default(ctx, admin, saved.pool.id)


async def _lead_and(ctx, manager, pro_pay_id, distribution=None) -> None:
    ids = await worker_ids(ctx)
    await pro_pay_edits.update_leads(ctx, manager, pro_pay_id, crew_lead_id=ids[LEAD])
    if distribution is not None:
        await pro_pay_edits.update_distribution(ctx, manager, pro_pay_id, distribution)


async def test_hours_example_s14(ctx, admin, manager):
    """40 h budget, 30 h at $50 -> $500 saved -> $250 -> crew 70% $175 split equally $87.50 x 2,
    lead 20% $50, manager 10% $25 (the built-in pool is the example's 70/20/10, savings 50%)."""
    crew = [("W-1", "50", "15"), ("W-2", "50", "15")]
    pro_pay_id = await sync_job(ctx, admin, {"budgetHours": "40"}, crew)
    await _lead_and(ctx, manager, pro_pay_id, Distribution.EQUAL)
    await pro_pays.approve(ctx, manager, pro_pay_id)
    assert await line_items(ctx, pro_pay_id) == {
        ("W-1", "CREW"): D("87.50"),
        ("W-2", "CREW"): D("87.50"),
        (LEAD, "CREW_LEAD"): D("50.00"),
        (MANAGER, "MANAGER"): D("25.00"),
    }


async def test_amount_example_s17(ctx, admin, manager):
    """$5,000; 45 h x $90 = $4,050; $950 saved -> 50/50 = $475 -> 70/20/10 (crew BY_HOURS over
    three workers of 15 h: the cent left over goes to the first)."""
    crew = [("W-1", "90", "15"), ("W-2", "90", "15"), ("W-3", "90", "15")]
    pro_pay_id = await sync_job(ctx, admin, {"budgetAmount": "5000"}, crew)
    await _lead_and(ctx, manager, pro_pay_id)
    await pro_pays.approve(ctx, manager, pro_pay_id)
    assert await line_items(ctx, pro_pay_id) == {
        ("W-1", "CREW"): D("110.84"),
        ("W-2", "CREW"): D("110.83"),
        ("W-3", "CREW"): D("110.83"),
        (LEAD, "CREW_LEAD"): D("95.00"),
        (MANAGER, "MANAGER"): D("47.50"),
    }


async def test_contract_price_example_s15(ctx, admin, manager):
    """$10,000 x 30% = $3,000; 40 h x $60 = $2,400; $600 -> $300; 60/20/10/10 -> three workers
    $60 each (EQUAL), lead $60, manager $30; the company keeps $30 (no line item)."""
    await _with_pool(ctx, admin, 60, 20, 10, company=10)
    crew = [("W-1", "60", "14"), ("W-2", "60", "13"), ("W-3", "60", "13")]
    pro_pay_id = await sync_job(ctx, admin, {"contractPrice": "10000"}, crew)
    pro_pay = await row(ctx, pro_pay_id)
    assert (pro_pay.budget_type, pro_pay.labor_pct) == (BudgetType.CONTRACT_PRICE, D(30))
    await _lead_and(ctx, manager, pro_pay_id, Distribution.EQUAL)
    await pro_pays.approve(ctx, manager, pro_pay_id)
    items = await line_items(ctx, pro_pay_id)
    assert items == {
        ("W-1", "CREW"): D("60.00"),
        ("W-2", "CREW"): D("60.00"),
        ("W-3", "CREW"): D("60.00"),
        (LEAD, "CREW_LEAD"): D("60.00"),
        (MANAGER, "MANAGER"): D("30.00"),
    }
    assert sum(items.values()) == D("270.00")  # $300 less the company's $30


async def test_rate_example_s16(ctx, admin, manager):
    """$2.50 x 1,200 = $3,000; 35 h x $75 = $2,625; $375 -> $187.50; 80/10/10 (BY_HOURS). The
    integration sent no budget: the rate budget is set here."""
    await _with_pool(ctx, admin, 80, 10, 10)
    crew = [("W-1", "75", "17.5"), ("W-2", "75", "17.5")]
    pro_pay_id = await sync_job(ctx, admin, {}, crew)
    rate = BudgetInput(BudgetType.RATE, rate=D("2.50"), quantity=D(1200))
    await budget_edits.update_budget(ctx, manager, pro_pay_id, rate)
    await _lead_and(ctx, manager, pro_pay_id)
    await pro_pays.approve(ctx, manager, pro_pay_id)
    assert await line_items(ctx, pro_pay_id) == {
        ("W-1", "CREW"): D("75.00"),
        ("W-2", "CREW"): D("75.00"),
        (LEAD, "CREW_LEAD"): D("18.75"),
        (MANAGER, "MANAGER"): D("18.75"),
    }


async def _group_of_three(ctx, admin, manager) -> tuple[int, list[int]]:
    """[S23]'s three ProPays at $20/h: A $400 (W-1 5 h, W-2 3 h), B $100 (W-1 3 h, W-3 4 h,
    over budget), C $200 (W-2 3 h, W-3 3 h): budgets $700, actuals $420, 21 h. The pool gives
    the whole savings to the crew by hours, as the article does."""
    await _with_pool(ctx, admin, 100, 0, 0, split=100)
    members = [
        ("J-A", "400", [("W-1", "20", "5"), ("W-2", "20", "3")]),
        ("J-B", "100", [("W-1", "20", "3"), ("W-3", "20", "4")]),
        ("J-C", "200", [("W-2", "20", "3"), ("W-3", "20", "3")]),
    ]
    ids = [
        await sync_job(ctx, admin, {"budgetAmount": budget}, crew, job=job, manager=False)
        for job, budget, crew in members
    ]
    group = await groups.create(ctx, manager, "Route North, week 44", ids)
    return group.id, ids


async def test_group_example_s23_through_approval(ctx, admin, manager):
    """$280 saved over 21 h = $13.33/h: W-1 8 h $106.67, W-2 6 h $80.00, W-3 7 h $93.33, each
    made of line items on the members they worked on; B's overrun is offset by A and C."""
    group_id, ids = await _group_of_three(ctx, admin, manager)
    done = await groups.transition(ctx, manager, group_id, ProPayTrigger.APPROVE)
    assert done.record.status is ProPayStatus.APPROVED
    assert await per_worker(ctx, ids) == {
        "W-1": D("106.67"),
        "W-2": D("80.00"),
        "W-3": D("93.33"),
    }
    by_member = [await line_items(ctx, i) for i in ids]
    assert sum(sum(items.values()) for items in by_member) == D("280.00")
    assert by_member[1]  # the over-budget member still pays its workers from the pooled figures
    for pro_pay_id in ids:
        assert (await row(ctx, pro_pay_id)).status is ProPayStatus.APPROVED


async def test_group_approval_is_all_or_none(ctx, admin, manager):
    """One member with an unanswered disqualifier: the group is refused and nothing moves."""
    group_id, ids = await _group_of_three(ctx, admin, manager)
    await safeguards.add_disqualifier(ctx, manager, ids[2], "Site left clean")
    with pytest.raises(TransitionRefused) as refused:
        await groups.transition(ctx, manager, group_id, ProPayTrigger.APPROVE)
    assert refused.value.code is ErrorCode.DISQUALIFIERS_PENDING
    for pro_pay_id in ids:
        assert (await row(ctx, pro_pay_id)).status is ProPayStatus.ACTIVE
        assert await line_items(ctx, pro_pay_id) == {}
