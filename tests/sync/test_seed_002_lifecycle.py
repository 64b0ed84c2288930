"""Seed 002 ("The full bonus lifecycle"), replayed through real syncs: the nine steps, where a
bonus is, and each stall of "Where Each Step Can Stall" with its answer, in lifecycle() and in
the dashboard's alerts."""

from __future__ import annotations

from datetime import date

from protiv.domain.bonus import DisqualifierResult
from protiv.domain.exclusions import ExclusionKind
from protiv.domain.roles import Actor
from protiv.domain.statuses import LineItemTrigger
from protiv.persistence.models import Disqualifier, LineItem, ProPay
from protiv.services import (
    alerts,
    exclusions,
    lifecycle,
    line_items,
    pro_pays,
    safeguards,
    statements,
    sync,
)
from protiv.services.context import ServiceContext
from tests.conftest import Clock
from tests.sync import records as r
from tests.sync.conftest import rows


async def _only_pro_pay(ctx: ServiceContext) -> ProPay:
    (pro_pay,) = await rows(ctx, ProPay)
    assert isinstance(pro_pay, ProPay)
    return pro_pay


def states(found: lifecycle.Lifecycle) -> str:
    return "".join(step.state[0] for step in found.steps)  # D(one) C(urrent) S(talled) T(odo)


async def alert_codes(ctx: ServiceContext, actor: Actor) -> list[str]:
    return [a.code for a in (await alerts.alerts(ctx, actor)).items]


async def test_step_3_an_exclusion_rule_stops_the_job_before_its_pro_pay(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    await exclusions.create(ctx, admin, ExclusionKind.INVOICE_TYPE, "Internal")
    await sync.sync_batch(ctx, integration, r.crew(invoiceType="Internal"))
    found = await lifecycle.for_job(ctx, admin, "J-1")
    assert (found.current_step, found.stall_code, states(found)) == (
        3,
        "EXCLUDED_BY_RULE",
        "DDSTTTTTT",
    )
    assert found.steps[1].at is not None  # the job did sync
    assert await alert_codes(ctx, admin) == ["JOB_EXCLUDED"]
    missing = await lifecycle.for_job(ctx, admin, "J-404")
    assert (missing.current_step, missing.stall_code) == (2, "NOT_SYNCED_YET")


async def test_the_steps_from_sync_to_payout_and_each_stall_on_the_way(
    ctx: ServiceContext, admin: Actor, integration: Actor, clock: Clock
) -> None:
    batch = r.base(jobs=[r.job("J-1", "Oak Street mulch", "PENDING")])
    await sync.sync_batch(ctx, integration, batch)
    pro_pay = await _only_pro_pay(ctx)
    waiting = await lifecycle.for_pro_pay(ctx, admin, pro_pay.id)
    assert (waiting.current_step, waiting.stall_code, states(waiting)) == (4, None, "DDDCTTTTT")

    batch["jobs"][0]["status"] = "IN_PROGRESS"  # step 5 stalls: no time is syncing
    await sync.sync_batch(ctx, integration, batch)
    no_time = await lifecycle.for_pro_pay(ctx, admin, pro_pay.id)
    assert (no_time.current_step, no_time.stall_code, states(no_time)) == (
        5,
        "NO_TIME",
        "DDDDSTTTT",
    )
    assert await alert_codes(ctx, admin) == ["NO_TIME"]

    await sync.sync_batch(ctx, integration, {"jobs": "broken"})  # step 2: the sync is failing
    failing = await lifecycle.for_pro_pay(ctx, admin, pro_pay.id)
    assert (failing.current_step, failing.stall_code) == (5, "SYNC_FAILING")
    assert "the Api integration is FAILED (jobs must be a list of objects.)" in str(
        failing.stall_message
    )
    assert await alert_codes(ctx, admin) == ["INTEGRATION_FAILED", "NO_TIME"]

    batch["timeEntries"] = [r.entry("T-1", "W-1", "J-1", "16"), r.entry("T-2", "W-2", "J-1", "14")]
    await sync.sync_batch(ctx, integration, batch)  # step 6: a running preview
    running = await lifecycle.for_pro_pay(ctx, admin, pro_pay.id)
    assert (running.current_step, running.stall_code, states(running)) == (6, None, "DDDDDCTTT")

    await safeguards.add_disqualifier(ctx, admin, pro_pay.id, "Site left clean")
    batch["jobs"][0]["status"] = "COMPLETED"  # step 7: final figures, in the approval queue
    await sync.sync_batch(ctx, integration, batch)
    blocked = await lifecycle.for_pro_pay(ctx, admin, pro_pay.id)
    assert (blocked.current_step, blocked.stall_code) == (7, "DISQUALIFIER_PENDING")
    assert await alert_codes(ctx, admin) == ["DISQUALIFIER_PENDING"]

    pro_pay = await _only_pro_pay(ctx)
    (question,) = await rows(ctx, Disqualifier)
    await safeguards.answer_disqualifier(ctx, admin, question.id, DisqualifierResult.PASSED)
    queued = await lifecycle.for_pro_pay(ctx, admin, pro_pay.id)
    assert (queued.current_step, queued.stall_code, states(queued)) == (
        7,
        "AWAITING_APPROVAL",
        "DDDDDDSTT",
    )
    assert "Ready for approval since 2026-11-02 15:00 UTC" in str(queued.stall_message)
    assert await alert_codes(ctx, admin) == ["AWAITING_APPROVAL"]

    await pro_pays.approve(ctx, admin, pro_pay.id)  # step 8: held in the waiting period
    held = await lifecycle.for_pro_pay(ctx, admin, pro_pay.id)
    assert (held.current_step, held.stall_code, states(held)) == (8, "HELD", "DDDDDDDST")
    assert "until 2026-11-09 15:00 UTC" in str(held.stall_message)

    for item in await rows(ctx, LineItem):  # step 9: payable, the statement unpaid
        await line_items.transition(ctx, admin, item.id, LineItemTrigger.RELEASE)
    unpaid = await lifecycle.for_pro_pay(ctx, admin, pro_pay.id)
    assert (unpaid.current_step, unpaid.stall_code, states(unpaid)) == (
        9,
        "STATEMENT_UNPAID",
        "DDDDDDDDS",
    )

    for statement_id in {i.statement_id for i in await rows(ctx, LineItem)}:
        await statements.pay(ctx, admin, statement_id, date(2026, 11, 13))
    paid = await lifecycle.for_pro_pay(ctx, admin, pro_pay.id)
    assert (paid.current_step, paid.stall_code, paid.complete) == (9, None, True)
    assert await alert_codes(ctx, admin) == []


async def test_a_job_canceled_after_approval_is_an_alert_and_a_canceled_pro_pay_left_the_lifecycle(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    batch = r.base(
        jobs=[r.job("J-1", "Oak"), r.job("J-2", "Elm")],
        timeEntries=[r.entry("T-1", "W-1", "J-1"), r.entry("T-2", "W-1", "J-2")],
    )
    await sync.sync_batch(ctx, integration, batch)
    jobs = {p.title: p for p in await rows(ctx, ProPay)}
    await pro_pays.approve(ctx, admin, jobs["Elm"].id)
    for job in batch["jobs"]:
        job["status"] = "CANCELED"
    await sync.sync_batch(ctx, integration, batch)
    canceled = await lifecycle.for_pro_pay(ctx, admin, jobs["Oak"].id)
    assert canceled.stall_code == "CANCELED"
    assert canceled.stall_message == (
        "The ProPay was canceled (The job was canceled in the integration.): it left the lifecycle."
    )
    found = await alerts.alerts(ctx, admin)
    assert [(a.code, a.entity_id) for a in found.items] == [
        ("APPROVED_JOB_CANCELED", jobs["Elm"].id)
    ]
