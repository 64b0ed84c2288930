# mypy: disable-error-code="union-attr,no-untyped-call,comparison-overlap"
"""The live preview and what approval freezes: the preview moves with time, budget, pool and
crew edits; approval turns exactly the shares the preview showed into line items; safeguards
(disqualifiers, penalties) act on both."""

from __future__ import annotations

from decimal import Decimal

import pytest

from protiv.domain.bonus import BudgetType, DisqualifierResult, Distribution
from protiv.domain.errors import DomainError, ErrorCode
from protiv.services import budget_edits, pools, pro_pay_edits, pro_pays, safeguards, sync
from protiv.services.budget_edits import BudgetInput
from protiv.services.pro_pay_edits import CrewOverride
from tests.services.edit_scenarios import (
    LEAD,
    batch,
    line_items,
    preview,
    shares,
    sync_job,
    worker_ids,
)
from tests.services.edit_scenarios import (
    problem as problem_of,
)

D = Decimal
# Different wages and hours, so every distribution gives different shares. Budget $2,190,
# actual 16 x 50 + 13.5 x 38 + 20 x 27 = $1,853: $337 saved, worker pool $168.50.
CREW = [("W-1", "50", "16"), ("W-2", "38", "13.5"), ("W-3", "27", "20")]
BUDGET = {"budgetAmount": "2190"}


@pytest.fixture
async def pro_pay_id(ctx, admin):
    return await sync_job(ctx, admin, BUDGET, CREW)


async def _refused(call, code: ErrorCode) -> DomainError:
    with pytest.raises(DomainError) as caught:
        await call
    assert caught.value.code is code, caught.value
    return caught.value


async def test_approval_freezes_exactly_what_the_preview_showed(ctx, admin, manager):
    """For every distribution, the approved line items are the shares the preview showed."""
    ids: dict[str, int] = {}
    for number, distribution in enumerate(Distribution):
        pro_pay_id = await sync_job(ctx, admin, BUDGET, CREW, job=f"J-{number}")
        ids = ids or await worker_ids(ctx)
        await pro_pay_edits.update_leads(ctx, manager, pro_pay_id, crew_lead_id=ids["W-1"])
        await pro_pay_edits.update_distribution(ctx, manager, pro_pay_id, distribution, D("1.25"))
        if distribution is Distribution.MANUAL:
            await _manual_amounts(ctx, manager, pro_pay_id, ids)
        shown = await shares(ctx, await preview(ctx, manager, pro_pay_id))
        assert len({amount for (_, bucket), amount in shown.items() if bucket == "CREW"}) > 1
        await pro_pays.approve(ctx, manager, pro_pay_id)
        assert await line_items(ctx, pro_pay_id) == shown, distribution


async def _manual_amounts(ctx, manager, pro_pay_id, ids) -> None:
    """The crew bucket the preview's problem names, split 50/30/20 by hand."""
    problem = await problem_of(ctx, manager, pro_pay_id)
    assert isinstance(problem, str)
    assert "manual amounts total $0.00 but the crew bucket is" in problem
    bucket = D(problem.rsplit("$", 1)[1].replace(",", ""))
    first, second = (bucket * D("0.5")).quantize(D("0.01")), (bucket * D("0.3")).quantize(D("0.01"))
    for worker, amount in (("W-1", first), ("W-2", second), ("W-3", bucket - first - second)):
        override = CrewOverride(manual_amount=amount)
        await pro_pay_edits.set_crew_member(ctx, manager, pro_pay_id, ids[worker], override)


async def test_the_preview_moves_with_time_budget_pool_and_crew(ctx, admin, manager, pro_pay_id):
    def figures(result):
        return result["actual_cost"], result["worker_pool"]

    assert figures(await preview(ctx, manager, pro_pay_id)) == ("1853.00", "168.50")
    more_time = batch("J-1", BUDGET, CREW, extra_entries=[("W-3", "2")])
    await sync.sync_batch(ctx, admin, more_time)
    assert figures(await preview(ctx, manager, pro_pay_id)) == ("1907.00", "141.50")
    budget = BudgetInput(BudgetType.AMOUNT, amount=D(2500))
    await budget_edits.update_budget(ctx, manager, pro_pay_id, budget)
    assert figures(await preview(ctx, manager, pro_pay_id)) == ("1907.00", "296.50")
    pool = (await pools.create(ctx, admin, pools.PoolSettings(split_savings_pct=D(100)))).pool
    await pools.set_company_default(ctx, admin, pool.id)
    assert figures(await preview(ctx, manager, pro_pay_id)) == ("1907.00", "593.00")
    before = await shares(ctx, await preview(ctx, manager, pro_pay_id))
    worker = (await worker_ids(ctx))["W-3"]
    await pro_pay_edits.set_crew_member(
        ctx, manager, pro_pay_id, worker, CrewOverride(remove_bonus=True)
    )
    after = await shares(ctx, await preview(ctx, manager, pro_pay_id))
    assert ("W-3", "CREW") in before
    assert ("W-3", "CREW") not in after
    assert after[("W-1", "CREW")] > before[("W-1", "CREW")]
    assert figures(await preview(ctx, manager, pro_pay_id)) == ("1907.00", "593.00")


async def test_a_pending_disqualifier_blocks_approval_until_answered(ctx, manager, pro_pay_id):
    added = await safeguards.add_disqualifier(ctx, manager, pro_pay_id, "Site left clean")
    assert added.event.reason == "Edited disqualifier 'Site left clean' added (PENDING)"
    refused = await _refused(
        pro_pays.approve(ctx, manager, pro_pay_id), ErrorCode.DISQUALIFIERS_PENDING
    )
    assert "unanswered" in refused.message
    await _refused(
        safeguards.answer_disqualifier(ctx, manager, added.detail.id, DisqualifierResult.PENDING),
        ErrorCode.VALIDATION,
    )
    answered = await safeguards.answer_disqualifier(
        ctx, manager, added.detail.id, DisqualifierResult.PASSED, expected_version=2
    )
    assert answered.detail.answered_by == "manager:max"
    assert answered.event.reason == "Edited disqualifier 'Site left clean' PENDING → PASSED"
    await pro_pays.approve(ctx, manager, pro_pay_id)
    assert sum((await line_items(ctx, pro_pay_id)).values()) == D("168.50")


async def test_a_failed_disqualifier_pays_nothing(ctx, manager, pro_pay_id):
    added = await safeguards.add_disqualifier(ctx, manager, pro_pay_id, "No callbacks")
    await safeguards.add_penalty(ctx, manager, pro_pay_id, "Damaged tool", D(20))
    await safeguards.answer_disqualifier(ctx, manager, added.detail.id, DisqualifierResult.FAILED)
    result = await preview(ctx, manager, pro_pay_id)
    assert (result["disqualified"], D(result["worker_pool"])) == (True, 0)
    await pro_pays.approve(ctx, manager, pro_pay_id)
    assert await line_items(ctx, pro_pay_id) == {}


async def test_penalties_come_off_the_worker_pool(ctx, manager, pro_pay_id):
    lead = (await worker_ids(ctx))[LEAD]
    await pro_pay_edits.update_leads(ctx, manager, pro_pay_id, crew_lead_id=lead)
    added = await safeguards.add_penalty(ctx, manager, pro_pay_id, "Damaged tool", D("18.50"))
    assert added.event.reason == "Edited penalty 'Damaged tool' $18.5 added"
    result = await preview(ctx, manager, pro_pay_id)
    assert (result["penalties_total"], result["worker_pool"]) == ("18.50", "150.00")
    assert (await shares(ctx, result))[(LEAD, "CREW_LEAD")] == D("30.00")
    await _refused(
        safeguards.add_penalty(ctx, manager, pro_pay_id, "Nothing", D(0)), ErrorCode.VALIDATION
    )
    await safeguards.remove_penalty(ctx, manager, added.detail.id)
    assert (await preview(ctx, manager, pro_pay_id))["worker_pool"] == "168.50"


async def test_safeguards_are_locked_once_approved(ctx, manager, outsider, pro_pay_id):
    added = await safeguards.add_disqualifier(ctx, manager, pro_pay_id, "Walk-through")
    await _refused(
        safeguards.answer_disqualifier(ctx, outsider, added.detail.id, DisqualifierResult.PASSED),
        ErrorCode.NOT_FOUND,
    )
    await safeguards.answer_disqualifier(ctx, manager, added.detail.id, DisqualifierResult.PASSED)
    await pro_pays.approve(ctx, manager, pro_pay_id)
    for call in (
        safeguards.add_penalty(ctx, manager, pro_pay_id, "Late", D(5)),
        safeguards.remove_disqualifier(ctx, manager, added.detail.id),
        safeguards.answer_disqualifier(ctx, manager, added.detail.id, DisqualifierResult.FAILED),
    ):
        error = await _refused(call, ErrorCode.LOCKED)
        assert "unapprove it, edit, approve again" in error.message
