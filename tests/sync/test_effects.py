"""What sync does to ProPays: exclusion rules, job status effects, budgets edited here."""

from __future__ import annotations

from decimal import Decimal

import pytest

from protiv.domain.errors import ErrorCode, ValidationFailed
from protiv.domain.exclusions import LABELS, ExclusionKind
from protiv.domain.roles import Actor
from protiv.domain.statuses import JobStatus, ProPayStatus
from protiv.persistence.models import Event, Integration, Job, ProPay, TimeEntry, Worker
from protiv.services import exclusions, mirror_edits, pro_pays, sync
from protiv.services.context import ServiceContext
from tests.sync import records as r
from tests.sync.conftest import count, issues, rows


async def _pro_pays(ctx: ServiceContext) -> dict[str, ProPay]:
    jobs = {j.id: j.external_id for j in await rows(ctx, Job)}
    return {jobs[p.job_id]: p for p in await rows(ctx, ProPay)}


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [
        (ExclusionKind.NAME_PATTERN, "TEST*", {"name": "Test — do not bill"}),
        (ExclusionKind.SERVICE_TYPE, "Warranty", {"serviceType": "Warranty"}),
        (ExclusionKind.INVOICE_TYPE, "Internal", {"invoiceType": "Internal"}),
        (ExclusionKind.PROPERTY, "P-77", {"propertyId": "P-77"}),
    ],
)
async def test_an_excluded_job_is_stored_without_a_pro_pay_and_names_the_rule(
    ctx: ServiceContext, admin: Actor, integration: Actor, kind, value, field
) -> None:
    rule = await exclusions.create(ctx, admin, kind, value)
    excluded = r.job("J-2", "Elm Street") | field
    report = await sync.sync_batch(ctx, integration, r.base(jobs=[r.job("J-1", "Oak"), excluded]))
    assert (report.kinds["jobs"].created, report.kinds["jobs"].excluded) == (1, 1)
    assert list(await _pro_pays(ctx)) == ["J-1"]
    (job,) = await rows(ctx, Job, Job.external_id == "J-2")
    assert job.exclusion_rule_id == rule.id
    assert (
        job.excluded_reason
        == f"Excluded by exclusion rule #{rule.id} ({rule_label(kind)} {value!r})."
    )
    assert await issues(ctx) == [("jobs", "J-2", "EXCLUDED", "EXCLUDED_BY_RULE")]


def rule_label(kind: ExclusionKind) -> str:
    return LABELS[kind]


async def test_a_rule_applies_to_new_jobs_at_once_and_deleting_it_releases_them(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    await sync.sync_batch(ctx, integration, r.base(jobs=[r.job("J-1", "Test one")]))
    rule = await exclusions.create(ctx, admin, ExclusionKind.NAME_PATTERN, "test*")
    await sync.sync_batch(ctx, integration, r.base(jobs=[r.job("J-2", "TEST two")]))
    assert list(await _pro_pays(ctx)) == ["J-1"]  # J-1 keeps the ProPay it had
    again = await sync.sync_batch(ctx, integration, r.base(jobs=[r.job("J-2", "TEST two")]))
    assert again.kinds["jobs"].unchanged == 1  # idempotent for an excluded job too
    deleted = await exclusions.delete(ctx, admin, rule.id)
    assert deleted.released == 1
    assert sorted(await _pro_pays(ctx)) == ["J-1", "J-2"]
    (job,) = await rows(ctx, Job, Job.external_id == "J-2")
    assert (job.exclusion_rule_id, job.excluded_reason) == (None, None)


async def test_an_only_wildcards_pattern_is_refused(ctx: ServiceContext, admin: Actor) -> None:
    with pytest.raises(ValidationFailed, match="every job"):
        await exclusions.create(ctx, admin, ExclusionKind.NAME_PATTERN, "**")


async def test_a_job_canceled_at_the_source_cancels_its_active_pro_pays_and_keeps_time(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    batch = r.base(
        jobs=[r.job("J-1", "Oak"), r.job("J-2", "Elm")],
        timeEntries=[r.entry("T-1", "W-1", "J-1"), r.entry("T-2", "W-1", "J-2")],
    )
    await sync.sync_batch(ctx, integration, batch)
    approved = (await _pro_pays(ctx))["J-2"]
    await pro_pays.approve(ctx, admin, approved.id)
    for each in batch["jobs"]:
        each["status"] = "CANCELED"
    report = await sync.sync_batch(ctx, integration, batch)
    assert report.pro_pays_canceled == 1
    now = await _pro_pays(ctx)
    assert (now["J-1"].status, now["J-2"].status) == (ProPayStatus.CANCELED, ProPayStatus.APPROVED)
    assert await count(ctx, TimeEntry) == 2
    assert {j.status for j in await rows(ctx, Job)} == {JobStatus.CANCELED}
    cancel = await rows(ctx, Event, Event.entity == "PRO_PAY", Event.trigger == "cancel")
    assert [(e.entity_id, e.reason) for e in cancel] == [
        (now["J-1"].id, "The job was canceled in the integration.")
    ]


async def test_a_completed_job_runs_the_final_calculation_and_queues_its_pro_pay(
    ctx: ServiceContext, integration: Actor
) -> None:
    await sync.sync_batch(ctx, integration, r.crew())
    report = await sync.sync_batch(ctx, integration, r.crew("COMPLETED"))
    assert report.queued_for_approval == 1
    (pro_pay,) = await rows(ctx, ProPay)
    assert pro_pay.status is ProPayStatus.ACTIVE
    assert pro_pay.ready_for_approval_at is not None
    (queued,) = await rows(ctx, Event, Event.trigger == "queue_for_approval")
    assert queued.reason == (
        "The job was completed in the integration: final calculation: budget 2000.00, actual "
        "1500.00, saved 500.00, worker pool 250.00; waiting for approval"
    )
    reopened = await sync.sync_batch(ctx, integration, r.crew("IN_PROGRESS"))
    assert reopened.kinds["jobs"].updated == 1
    (pro_pay,) = await rows(ctx, ProPay)
    assert pro_pay.ready_for_approval_at is None
    job_triggers = [e.trigger for e in await rows(ctx, Event, Event.entity == "JOB")]
    assert job_triggers == ["create", "start", "complete", "reopen"]


async def test_a_budget_added_here_is_kept_unless_budget_sync_is_on(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    no_budget = r.crew(budgetHours=None)
    await sync.sync_batch(ctx, integration, no_budget)
    (job,) = await rows(ctx, Job)
    edited = await mirror_edits.edit_job(ctx, admin, job.id, budget_hours=Decimal(36))
    assert edited.event is not None
    assert edited.event.trigger == "edit"
    (pro_pay,) = await rows(ctx, ProPay)
    assert pro_pay.budget_hours == 36  # the ProPay that had no budget follows
    with_budget = r.crew(budgetHours="30")
    await sync.sync_batch(ctx, integration, with_budget)
    (job,) = await rows(ctx, Job)
    assert job.budget_hours == 36  # not silently undone
    (row,) = await rows(ctx, Integration)
    async with ctx.db.write() as session, session.begin():
        (await session.get_one(Integration, row.id)).budget_sync = True
    await sync.sync_batch(ctx, integration, with_budget)
    (job,) = await rows(ctx, Job)
    (pro_pay,) = await rows(ctx, ProPay)
    assert (job.budget_hours, pro_pay.budget_hours) == (30, 30)


async def test_a_synced_budget_cannot_be_edited_here(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    await sync.sync_batch(ctx, integration, r.crew())
    (job,) = await rows(ctx, Job)
    with pytest.raises(ValidationFailed) as refused:
        await mirror_edits.edit_job(ctx, admin, job.id, budget_hours=Decimal(50))
    assert refused.value.code is ErrorCode.VALIDATION
    assert "comes from the integration" in refused.value.message


async def test_worker_edits_are_events_and_survive_the_next_sync(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    await sync.sync_batch(ctx, integration, r.crew())
    (ana,) = await rows(ctx, Worker, Worker.external_id == "W-1")
    done = await mirror_edits.edit_worker(ctx, admin, ana.id, wage=Decimal("55"), active=False)
    assert done.event is not None
    assert (done.event.from_status, done.event.to_status) == ("ACTIVE", "INACTIVE")
    assert done.event.reason == "wage 50 → 55; active True → False"
    report = await sync.sync_batch(ctx, integration, r.crew())
    assert report.kinds["workers"].updated == 0
    (ana,) = await rows(ctx, Worker, Worker.external_id == "W-1")
    assert (ana.wage, ana.active, ana.local_edits) == (Decimal(55), False, "active,wage")
