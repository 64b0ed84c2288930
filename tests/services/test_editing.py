# mypy: disable-error-code="union-attr,no-untyped-call"
"""Editing an ACTIVE ProPay: every edit is one version and one "edit" event listing what changed;
anything but ACTIVE is LOCKED with the way out; bad input is VALIDATION on the input's field and
changes nothing; a stale expectedVersion is CONFLICT."""

from __future__ import annotations

from decimal import Decimal

import pytest

from protiv.domain.bonus import AdjustmentType, BudgetType, Distribution
from protiv.domain.errors import DomainError, ErrorCode, Forbidden
from protiv.domain.statuses import ProPayStatus
from protiv.services import budget_edits, pro_pay_edits, pro_pays
from protiv.services.budget_edits import BudgetInput, TaskBudgetInput
from protiv.services.editing import KEEP, locked_reason
from protiv.services.pro_pay_edits import CrewOverride
from tests.services.edit_scenarios import (
    LEAD,
    batch,
    events,
    preview,
    row,
    shares,
    sync_job,
    sync_new,
    worker_ids,
)

D = Decimal
CREW = [("W-1", "50", "16"), ("W-2", "50", "14")]


@pytest.fixture
async def pro_pay_id(ctx, admin):
    """40 h budget, W-1 16 h and W-2 14 h at $50: $500 saved, worker pool $250."""
    return await sync_job(ctx, admin, {"budgetHours": "40"}, CREW)


async def _refused(call, code: ErrorCode, field=None):
    with pytest.raises(DomainError) as caught:
        await call
    error = caught.value
    assert getattr(error, "code", None) is code, error
    if field is not None:
        assert error.field == field, error.field
    return error


async def test_an_edit_bumps_the_version_once_and_logs_what_changed(
    ctx, admin, manager, pro_pay_id
):
    before = await row(ctx, pro_pay_id)
    budget = BudgetInput(BudgetType.AMOUNT, amount=D(2400))
    done = await budget_edits.update_budget(
        ctx, manager, pro_pay_id, budget, expected_version=before.version, reason="scope grew"
    )
    assert done.pro_pay.version == before.version + 1
    event = done.event
    assert event is not None
    assert (event.trigger, event.from_status, event.to_status) == ("edit", "ACTIVE", "ACTIVE")
    assert event.version == done.pro_pay.version
    assert event.actor == "manager:max"
    assert event.reason == (
        "Edited budget.type HOURS → AMOUNT; budget.hours 40 → none; budget.amount none → 2400. "
        "Reason: scope grew"
    )
    assert (await events(ctx, pro_pay_id))[-1].id == event.id
    assert (await preview(ctx, manager, pro_pay_id))["budget_amount"] == "2400.00"


async def test_an_edit_that_changes_nothing_writes_nothing(ctx, manager, pro_pay_id):
    count = len(await events(ctx, pro_pay_id))
    same = BudgetInput(BudgetType.HOURS, hours=D("40.00"))
    done = await budget_edits.update_budget(ctx, manager, pro_pay_id, same)
    assert done.event is None
    assert done.pro_pay.version == 1
    assert len(await events(ctx, pro_pay_id)) == count


BAD_BUDGETS = [
    (BudgetInput(BudgetType.HOURS), ["hours"]),
    (BudgetInput(BudgetType.HOURS, hours=D(-1)), ["hours"]),
    (BudgetInput(BudgetType.AMOUNT, amount=D(100), hours=D(4)), ["hours"]),
    (
        BudgetInput(BudgetType.CONTRACT_PRICE, contract_price=D(900), labor_pct=D(120)),
        ["laborPct"],
    ),
    (BudgetInput(BudgetType.RATE, rate=D(2)), ["quantity"]),
    (BudgetInput(BudgetType.TASK_HOURS), ["tasks"]),
    (
        BudgetInput(BudgetType.TASK_HOURS, tasks=(TaskBudgetInput("Mulch", amount=D(5)),)),
        ["tasks", "0", "amount"],
    ),
    (
        BudgetInput(
            BudgetType.TASK_AMOUNT,
            tasks=(
                TaskBudgetInput("Mulch", amount=D(5)),
                TaskBudgetInput("Mulch", amount=D(1)),
            ),
        ),
        ["tasks", "1", "task"],
    ),
    (BudgetInput(BudgetType.AMOUNT, amount=D(100), tasks=(TaskBudgetInput("A"),)), ["tasks"]),
]


async def test_a_bad_budget_is_refused_on_its_field_and_changes_nothing(ctx, manager, pro_pay_id):
    for budget, field in BAD_BUDGETS:
        await _refused(
            budget_edits.update_budget(ctx, manager, pro_pay_id, budget),
            ErrorCode.VALIDATION,
            field,
        )
    assert (await row(ctx, pro_pay_id)).version == 1
    assert (await events(ctx, pro_pay_id))[-1].trigger == "create"


async def test_task_budgets_offset_each_other(ctx, admin, manager):
    """TASK_HOURS: Mulch saves 4 h, Edging runs 2 h over: 2 h saved x $50 = $100."""
    records = batch("J-T", {}, [("W-1", "50", "6"), ("W-2", "50", "6")])
    for entry, task in zip(records["timeEntries"], ("Mulch", "Edging"), strict=True):
        entry["task"] = task
    pro_pay_id = await sync_new(ctx, admin, records)
    tasks = (TaskBudgetInput(" Mulch ", hours=D(10)), TaskBudgetInput("Edging", hours=D(4)))
    await budget_edits.update_budget(
        ctx, manager, pro_pay_id, BudgetInput(BudgetType.TASK_HOURS, tasks=tasks)
    )
    result = await preview(ctx, manager, pro_pay_id)
    assert (result["budget_amount"], result["saved"]) == ("700.00", "100.00")
    assert [t["saved"] for t in result["tasks"]] == ["200.00", "-100.00"]
    changed = BudgetInput(BudgetType.TASK_HOURS, tasks=(TaskBudgetInput("Mulch", hours=D(12)),))
    done = await budget_edits.update_budget(ctx, manager, pro_pay_id, changed)
    assert done.event is not None
    assert "budget.tasks [Mulch 10 h, Edging 4 h] → [Mulch 12 h]" in (done.event.reason or "")


async def test_adjustment_distribution_leads_overrides_and_costs(ctx, manager, pro_pay_id):
    ids = await worker_ids(ctx)
    edits = [
        budget_edits.update_adjustment(
            ctx, manager, pro_pay_id, AdjustmentType.PERCENT_INCREASE, D(10)
        ),
        pro_pay_edits.update_distribution(
            ctx, manager, pro_pay_id, Distribution.CREW_LEAD_WEIGHTED, D(2)
        ),
        pro_pay_edits.update_leads(ctx, manager, pro_pay_id, crew_lead_id=ids["W-1"]),
        pro_pay_edits.set_crew_member(
            ctx, manager, pro_pay_id, ids["W-2"], CrewOverride(wage_override=D(40))
        ),
        pro_pay_edits.update_cost_settings(ctx, manager, pro_pay_id, include_drive_time=True),
    ]
    reasons = []
    for version, call in enumerate(edits, start=2):
        done = await call
        assert done.pro_pay.version == version
        reasons.append(done.event.reason)
    assert reasons == [
        "Edited budget.adjustmentType NONE → PERCENT_INCREASE; budget.adjustmentValue none → 10",
        "Edited distribution BY_HOURS → CREW_LEAD_WEIGHTED; crewLeadWeight none → 2",
        f"Edited crewLead none → {ids['W-1']}",
        "Edited crew[Worker W-2].wageOverride none → 40",
        "Edited includeDriveTime none → yes",
    ]
    result = await preview(ctx, manager, pro_pay_id)
    # blended wage (16 x 50 + 14 x 40) / 30 = 45.33; budget 40 h x 45.33 x 1.1; actual 1360
    assert (result["actual_cost"], result["distribution"]) == ("1360.00", "CREW_LEAD_WEIGHTED")
    crew = await shares(ctx, result)
    assert crew[("W-1", "CREW")] + crew[("W-2", "CREW")] == D(result["buckets"][0]["amount"])
    assert crew[("W-1", "CREW_LEAD")] > 0  # the named lead takes the lead bucket too


async def test_clearing_an_override_removes_it(ctx, manager, pro_pay_id):
    worker = (await worker_ids(ctx))["W-1"]
    await pro_pay_edits.set_crew_member(
        ctx, manager, pro_pay_id, worker, CrewOverride(remove_bonus=True)
    )
    done = await pro_pay_edits.set_crew_member(
        ctx, manager, pro_pay_id, worker, CrewOverride(remove_bonus=None, wage_override=KEEP)
    )
    assert done.event.reason == "Edited crew[Worker W-1].removeBonus yes → none"
    assert ("W-1", "CREW") in await shares(ctx, await preview(ctx, manager, pro_pay_id))


BAD_EDITS = [
    (
        lambda c, m, p: budget_edits.update_adjustment(c, m, p, AdjustmentType.MULTIPLY, D(0)),
        ["value"],
    ),
    (
        lambda c, m, p: budget_edits.update_adjustment(c, m, p, AdjustmentType.NONE, D(3)),
        ["value"],
    ),
    (
        lambda c, m, p: budget_edits.update_adjustment(
            c, m, p, AdjustmentType.PERCENT_DECREASE, D(100)
        ),
        ["value"],
    ),
    (
        lambda c, m, p: pro_pay_edits.update_distribution(
            c, m, p, Distribution.CREW_LEAD_WEIGHTED, D(0)
        ),
        ["crewLeadWeight"],
    ),
    (lambda c, m, p: pro_pay_edits.update_leads(c, m, p, manager_id=999999), ["managerId"]),
    (
        lambda c, m, p: pro_pay_edits.set_crew_member(
            c, m, p, 999999, CrewOverride(remove_bonus=True)
        ),
        ["workerId"],
    ),
    (
        lambda c, m, p: pro_pay_edits.set_crew_member(
            c, m, p, 1, CrewOverride(manual_amount=D("1.005"))
        ),
        ["manualAmount"],
    ),
]


async def test_bad_edits_are_refused_on_their_field(ctx, manager, pro_pay_id):
    for call, field in BAD_EDITS:
        error = await _refused(call(ctx, manager, pro_pay_id), _code(field), field)
        assert error.message[:1].isupper()
    assert (await row(ctx, pro_pay_id)).version == 1


def _code(field):
    return ErrorCode.NOT_FOUND if field in (["managerId"], ["workerId"]) else ErrorCode.VALIDATION


async def test_only_an_active_pro_pay_is_editable(ctx, manager, pro_pay_id):
    await pro_pays.approve(ctx, manager, pro_pay_id)
    error = await _refused(
        pro_pay_edits.update_distribution(ctx, manager, pro_pay_id, Distribution.EQUAL),
        ErrorCode.LOCKED,
    )
    assert "unapprove it, edit, approve again" in error.message
    await pro_pays.cancel(ctx, manager, pro_pay_id)
    error = await _refused(
        pro_pay_edits.update_distribution(ctx, manager, pro_pay_id, Distribution.EQUAL),
        ErrorCode.LOCKED,
    )
    assert "restore it first" in error.message
    await pro_pays.restore(ctx, manager, pro_pay_id)
    done = await pro_pay_edits.update_distribution(ctx, manager, pro_pay_id, Distribution.EQUAL)
    assert done.pro_pay.status is ProPayStatus.ACTIVE


def test_each_locked_status_says_its_way_out():
    assert locked_reason(ProPayStatus.ACTIVE) is None
    assert "revert the payment first" in (locked_reason(ProPayStatus.PAID) or "")
    assert "restore it first" in (locked_reason(ProPayStatus.DELETED) or "")


async def test_stale_version_and_wrong_role_are_refused(ctx, payroll, manager, pro_pay_id):
    await pro_pay_edits.update_distribution(ctx, manager, pro_pay_id, Distribution.EQUAL)
    await _refused(
        pro_pay_edits.update_distribution(
            ctx, manager, pro_pay_id, Distribution.BY_WAGE, expected_version=1
        ),
        ErrorCode.CONFLICT,
        ["expectedVersion"],
    )
    with pytest.raises(Forbidden):
        await pro_pay_edits.update_distribution(ctx, payroll, pro_pay_id, Distribution.BY_WAGE)
    assert (await row(ctx, pro_pay_id)).distribution is Distribution.EQUAL


async def test_a_lead_who_logged_no_time_gets_only_the_lead_bucket(ctx, manager, pro_pay_id):
    lead = (await worker_ids(ctx))[LEAD]
    await pro_pay_edits.update_leads(ctx, manager, pro_pay_id, crew_lead_id=lead)
    got = await shares(ctx, await preview(ctx, manager, pro_pay_id))
    assert got[(LEAD, "CREW_LEAD")] == D("50.00")
    assert (LEAD, "CREW") not in got
    await pro_pay_edits.update_leads(ctx, manager, pro_pay_id, crew_lead_id=None)
    got = await shares(ctx, await preview(ctx, manager, pro_pay_id))
    assert (LEAD, "CREW_LEAD") not in got  # back to the default: no crew lead logged time
