"""Seed 003 ("What if a job, milestone, or worker is missing in Protiv?") and seed 004, replayed
through real syncs: every step of the quick path and every special case gets its answer."""

from __future__ import annotations

import json
from pathlib import Path

from protiv.domain.exclusions import ExclusionKind
from protiv.domain.roles import Actor
from protiv.domain.statuses import IntegrationTrigger
from protiv.services import exclusions, integrations, sync
from protiv.services.context import ServiceContext
from protiv.services.why_missing import Answer, RecordKind, why_missing
from tests.conftest import Clock
from tests.sync import records as r

JOB, WORKER, MILESTONE = RecordKind.JOB, RecordKind.WORKER, RecordKind.MILESTONE


def codes(answer: Answer) -> list[str]:
    return [c.code for c in answer.causes]


async def ask(ctx: ServiceContext, actor: Actor, external_id: str, kind: RecordKind) -> Answer:
    return await why_missing(ctx, actor, external_id, kind)


async def test_step_1_not_synced_yet_says_when_the_next_sync_is_due(
    ctx: ServiceContext, admin: Actor, integration: Actor, clock: Clock
) -> None:
    await sync.sync_batch(ctx, integration, r.crew(), provider="aspire")
    clock.advance(minutes=5)  # "It's been 5 minutes and it's not there"
    answer = await ask(ctx, admin, "J-77", JOB)
    assert (answer.found, codes(answer)) == (False, ["NOT_SYNCED_YET"])
    (cause,) = answer.causes
    assert cause.step == 1
    assert "The last successful sync was at 2026-11-02 15:00 UTC." in cause.message
    assert "The next sync is due at 2026-11-02 15:20 UTC." in cause.message
    assert "contact support" in cause.message  # step 6, when steps 1-5 did not surface it
    clock.advance(days=1)  # "It's been a day and it's not there"
    late = await ask(ctx, admin, "J-77", JOB)
    assert "The next sync is overdue at 2026-11-02 15:20 UTC." in late.causes[0].message


async def test_no_integration_at_all(ctx: ServiceContext, admin: Actor) -> None:
    answer = await ask(ctx, admin, "W-1", WORKER)
    assert codes(answer) == ["NO_INTEGRATION"]


async def test_step_2_a_pending_integration_has_not_finished_its_first_sync(
    ctx: ServiceContext, admin: Actor
) -> None:
    await integrations.create(ctx, admin, "aspire", integrations.Settings(name="Aspire"))
    answer = await ask(ctx, admin, "J-1", JOB)
    assert codes(answer) == ["INTEGRATION_PENDING", "NOT_SYNCED_YET"]
    assert answer.causes[0].message == (
        "The Aspire integration is PENDING: its first sync has not completed."
    )


async def test_step_2_a_failed_integration_is_why_the_data_is_not_appearing(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    await sync.sync_batch(ctx, integration, r.crew(), provider="aspire")
    await sync.sync_batch(ctx, integration, {"Opportunities": "?"}, provider="aspire")
    answer = await ask(ctx, admin, "J-2", JOB)
    assert codes(answer) == ["INTEGRATION_FAILED", "NOT_SYNCED_YET"]
    assert answer.causes[0].message.startswith(
        "The Aspire integration is FAILED: Opportunities must be a list of objects.."
    )
    assert "disconnect and reconnect" in answer.causes[0].message
    (state,) = answer.integrations
    await integrations.transition(ctx, admin, state.id, IntegrationTrigger.DISCONNECT)
    disconnected = await ask(ctx, admin, "J-2", JOB)
    assert codes(disconnected)[0] == "INTEGRATION_DISCONNECTED"


async def test_step_3_an_excluded_job_is_here_but_makes_no_pro_pay(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    rule = await exclusions.create(ctx, admin, ExclusionKind.SERVICE_TYPE, "Warranty work")
    batch = r.base(jobs=[r.job("J-5", "Fix the sprinklers", serviceType="Warranty work")])
    await sync.sync_batch(ctx, integration, batch)
    answer = await ask(ctx, admin, "J-5", JOB)
    assert answer.found
    assert answer.pro_pay_ids == []
    (cause,) = answer.causes
    assert (cause.code, cause.step) == ("EXCLUDED_BY_RULE", 3)
    assert f"exclusion rule #{rule.id} (service type 'Warranty work')" in cause.message
    assert "Jobs list, not the ProPay list" in cause.message


async def test_step_4_a_record_in_a_status_protiv_ignores(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    batch = r.base(jobs=[r.job("J-6", "Estimate", "DRAFT"), r.job("J-7", "Old", "ARCHIVED")])
    await sync.sync_batch(ctx, integration, batch)
    for external_id, status in (("J-6", "DRAFT"), ("J-7", "ARCHIVED")):
        answer = await ask(ctx, admin, external_id, JOB)
        assert (answer.found, codes(answer)) == (False, ["IGNORED_STATUS"])
        assert f"status {status} does not sync" in answer.causes[0].message
        assert answer.last_issue is not None


async def test_step_5_a_manual_resync_picks_up_a_new_record(
    ctx: ServiceContext, admin: Actor, tmp_path: Path
) -> None:
    row = await integrations.create(
        ctx, admin, "file", integrations.Settings(drop_folder=str(tmp_path))
    )
    (tmp_path / "first.json").write_text(json.dumps(r.crew()))
    await integrations.resync(ctx, admin, row.id)
    assert codes(await ask(ctx, admin, "J-8", JOB)) == ["NOT_SYNCED_YET"]
    (tmp_path / "second.json").write_text(json.dumps(r.base(jobs=[r.job("J-8", "New job")])))
    await integrations.resync(ctx, admin, row.id)
    answer = await ask(ctx, admin, "J-8", JOB)
    assert answer.found
    assert codes(answer) == ["PRESENT"]
    assert len(answer.pro_pay_ids) == 1
    done = sorted(p.name.split("-", 2)[-1] for p in (tmp_path / "done").iterdir())
    assert done == ["first.json", "second.json"]  # filed away once synced


async def test_special_case_a_worker_without_a_wage_or_inactive(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    batch = r.base(
        workers=[r.worker("W-3", "No Wage", wage=None), r.worker("W-4", "Left", active=False)]
    )
    await sync.sync_batch(ctx, integration, batch)
    no_wage = await ask(ctx, admin, "W-3", WORKER)
    assert codes(no_wage) == ["NO_WAGE"]
    assert "set one there" in no_wage.causes[0].message
    assert codes(await ask(ctx, admin, "W-4", WORKER)) == ["INACTIVE"]


async def test_special_case_a_worker_with_no_branch_is_here_but_in_the_wrong_place(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    batch = r.base(workers=[{"externalId": "W-5", "name": "Floater", "wage": "22"}])
    await sync.sync_batch(ctx, integration, batch)
    answer = await ask(ctx, admin, "W-5", WORKER)
    assert (answer.found, codes(answer)) == (True, ["NO_BRANCH"])


async def test_special_case_a_missing_milestone_whose_job_is_there(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    batch = r.base(
        jobs=[r.job("J-9", "Maintenance contract", recurring=True)],
        milestones=[
            {"externalId": "M-1", "job": "J-9", "name": "Visit 1", "budgetHours": "3"},
            {
                "externalId": "M-2",
                "job": "J-9",
                "name": "Visit 2",
                "status": "CANCELED",
                "budgetHours": "3",
            },
            {
                "externalId": "M-3",
                "job": "J-9",
                "name": "Visit 3",
                "status": "DRAFT",
                "budgetHours": "3",
            },
            {"externalId": "M-4", "job": "J-9", "name": "Visit 4"},
            {"externalId": "M-5", "job": "J-404", "name": "Orphan", "budgetHours": "3"},
        ],
    )
    await sync.sync_batch(ctx, integration, batch)
    assert codes(await ask(ctx, admin, "M-1", MILESTONE)) == ["PRESENT"]
    assert codes(await ask(ctx, admin, "M-2", MILESTONE)) == ["IGNORED_STATUS"]
    assert codes(await ask(ctx, admin, "M-3", MILESTONE)) == ["IGNORED_STATUS"]
    zero = await ask(ctx, admin, "M-4", MILESTONE)
    assert codes(zero) == ["ZERO_BUDGET"]
    assert "zero hours and zero budget" in zero.causes[0].message
    assert codes(await ask(ctx, admin, "M-5", MILESTONE)) == ["PARENT_JOB_MISSING"]


async def test_a_recurring_job_without_milestones_is_here_without_a_pro_pay(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    await sync.sync_batch(ctx, integration, r.base(jobs=[r.job("J-3", "Contract", recurring=True)]))
    assert codes(await ask(ctx, admin, "J-3", JOB)) == ["NO_MILESTONES"]
