"""A sync run end to end on both backends: idempotent, partial on bad records, recorded."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from protiv.domain.roles import Actor
from protiv.domain.statuses import IntegrationStatus
from protiv.persistence.models import Event, Integration, Job, ProPay, SyncIssue, TimeEntry, Worker
from protiv.services import sync
from protiv.services.context import ServiceContext
from tests.sync import records as r
from tests.sync.conftest import count, issues, rows, runs, state


async def test_the_same_batch_twice_changes_nothing_and_fires_nothing(
    ctx: ServiceContext, integration: Actor
) -> None:
    batch = r.crew()
    batch["milestones"] = [
        {"externalId": "M-1", "job": "J-1", "name": "Spring visit", "budgetHours": "4"}
    ]
    first = await sync.sync_batch(ctx, integration, batch)
    assert first.outcome == "SUCCEEDED"
    assert first.pro_pays_created == 1
    before = await state(ctx)
    second = await sync.sync_batch(ctx, integration, batch)
    after = await state(ctx)
    integrations = (before.pop("integration"), after.pop("integration"))
    assert after == before  # no row changed, no event, no ProPay
    assert [i["status"] for i in integrations[1]] == [IntegrationStatus.CONNECTED]
    assert second.pro_pays_created == 0
    for kind, counts in second.kinds.items():
        assert (counts.created, counts.updated) == (0, 0), kind
        assert counts.unchanged == len(batch.get(kind, [])), kind
    assert second.issue_count == 0
    assert [run.finished_at is not None for run in await runs(ctx)] == [True, True]


async def test_one_bad_record_among_good_ones_is_rejected_and_the_rest_lands(
    ctx: ServiceContext, integration: Actor
) -> None:
    batch = r.crew()
    batch["workers"].append({"externalId": "W-5", "wage": "20"})  # no name
    batch["jobs"].append(r.job("J-2", "Elm Street", budgetHours="lots"))
    batch["timeEntries"] += [
        r.entry("T-3", "W-1", "J-404"),  # a job that never synced
        r.entry("T-4", "W-2", "J-1", "25"),  # more than a day
        r.entry("T-5", "W-2", "J-1", "6"),
    ]
    report = await sync.sync_batch(ctx, integration, batch)
    assert report.outcome == "SUCCEEDED"
    assert report.kinds["workers"].created == 3
    assert report.kinds["jobs"].created == 1
    assert (report.kinds["timeEntries"].created, report.kinds["timeEntries"].rejected) == (3, 2)
    reasons = {(e["kind"], e["externalId"]): (e["field"], e["message"]) for e in report.errors}
    assert reasons == {
        ("workers", "W-5"): ("name", "is required"),
        ("jobs", "J-2"): ("budgetHours", "is not an exact number (not a number: 'lots')"),
        ("timeEntries", "T-3"): ("job", "no job with external id 'J-404' has synced"),
        ("timeEntries", "T-4"): ("hours", "more than 24 hours in one entry"),
    }
    assert await count(ctx, TimeEntry) == 3
    assert await count(ctx, ProPay) == 1
    assert sorted(await issues(ctx)) == [
        ("jobs", "J-2", "REJECTED", "INVALID"),
        ("timeEntries", "T-3", "REJECTED", "MISSING_REFERENCE"),
        ("timeEntries", "T-4", "REJECTED", "INVALID"),
        ("workers", "W-5", "REJECTED", "INVALID"),
    ]
    (integration_row,) = await rows(ctx, Integration)
    assert integration_row.status is IntegrationStatus.CONNECTED  # bad records fail no run


async def test_records_that_do_not_sync_are_reported_with_their_reason(
    ctx: ServiceContext, integration: Actor
) -> None:
    batch = r.base(
        workers=[
            r.worker("W-3", "No Wage", wage=None),
            r.worker("W-4", "Gone Away", active=False),
        ],
        jobs=[
            r.job("J-1", "Live job"),
            r.job("J-2", "Estimate", "DRAFT"),
            r.job("J-3", "Old job", "ARCHIVED"),
            r.job("J-4", "Contract", recurring=True),
        ],
        milestones=[
            {"externalId": "M-1", "job": "J-4", "name": "Visit 1", "budgetHours": "6"},
            {"externalId": "M-2", "job": "J-4", "name": "Visit 2"},
            {
                "externalId": "M-3",
                "job": "J-4",
                "name": "Visit 3",
                "budgetHours": "6",
                "status": "CANCELED",
            },
        ],
        timeEntries=[r.entry("T-1", "W-1", "J-1", approved=False)],
    )
    report = await sync.sync_batch(ctx, integration, batch)
    assert sorted(await issues(ctx)) == [
        ("jobs", "J-2", "IGNORED", "IGNORED_STATUS"),
        ("jobs", "J-3", "IGNORED", "IGNORED_STATUS"),
        ("milestones", "M-2", "IGNORED", "ZERO_BUDGET"),
        ("milestones", "M-3", "IGNORED", "IGNORED_STATUS"),
        ("timeEntries", "T-1", "IGNORED", "UNAPPROVED"),
        ("workers", "W-3", "IGNORED", "NO_WAGE"),
        ("workers", "W-4", "IGNORED", "INACTIVE"),
    ]
    messages = {e["externalId"]: e["message"] for e in report.errors}
    assert messages["W-3"] == "ignored: the worker has no wage set in the integration"
    assert str(messages["J-2"]).startswith("ignored: status DRAFT does not sync")
    assert report.pro_pays_created == 2  # J-1, and J-4's one milestone that synced
    assert sorted(w.external_id for w in await rows(ctx, Worker)) == ["W-1", "W-2", "W-9"]


async def test_a_worker_deactivated_at_the_source_is_deactivated_here(
    ctx: ServiceContext, integration: Actor
) -> None:
    await sync.sync_batch(ctx, integration, r.crew())
    batch = r.crew()
    batch["workers"][1] = r.worker("W-2", "Ben Cole", wage=None, active=False)
    report = await sync.sync_batch(ctx, integration, batch)
    assert report.kinds["workers"].updated == 1
    (ben,) = await rows(ctx, Worker, Worker.external_id == "W-2")
    assert (ben.active, ben.wage) == (False, 50)  # the wage known here is kept


async def test_a_batch_that_cannot_be_read_fails_the_run_and_the_next_good_one_connects(
    ctx: ServiceContext, integration: Actor
) -> None:
    await sync.sync_batch(ctx, integration, r.crew())
    failed = await sync.sync_batch(ctx, integration, {"jobs": "all of them"})
    assert (failed.outcome, failed.error) == ("FAILED", "jobs must be a list of objects.")
    (row,) = await rows(ctx, Integration)
    assert (row.status, row.last_error) == (IntegrationStatus.FAILED, failed.error)
    good = await sync.sync_batch(ctx, integration, r.crew())
    assert good.outcome == "SUCCEEDED"
    (row,) = await rows(ctx, Integration)
    assert (row.status, row.last_error) == (IntegrationStatus.CONNECTED, None)
    async with ctx.db.read() as session:
        triggers = list(
            await session.scalars(
                select(Event.trigger).where(Event.entity == "INTEGRATION").order_by(Event.id)
            )
        )
    assert triggers == ["create", "sync_succeeded", "sync_failed", "sync_succeeded"]
    assert [run.report.count('"FAILED"') for run in await runs(ctx)] == [0, 1, 0]


async def test_a_large_stream_lands_in_chunks_and_a_rerun_changes_nothing(
    ctx: ServiceContext, integration: Actor
) -> None:
    batch = r.crew()
    entries = [r.entry(f"T-{n}", "W-1" if n % 2 else "W-2", "J-1", "1") for n in range(12_000)]
    batch["timeEntries"] = entries
    seen: list[tuple[str, int]] = []
    report = await sync.sync_batch(
        ctx, integration, batch, progress=lambda kind, done: seen.append((kind, done))
    )
    assert report.kinds["timeEntries"].created == 12_000
    assert [s for s in seen if s[0] == "timeEntries"] == [
        ("timeEntries", 5000),
        ("timeEntries", 10_000),
        ("timeEntries", 12_000),
    ]
    entries[7]["hours"] = "2"
    again = await sync.sync_batch(ctx, integration, batch)
    counts = again.kinds["timeEntries"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 11_999)
    (changed,) = await rows(ctx, TimeEntry, TimeEntry.external_id == "T-7")
    assert changed.hours == 2
    assert await count(ctx, SyncIssue) == 0
    (job,) = await rows(ctx, Job)
    assert job.version == 2  # created, then started: the entries bump nothing


async def test_two_runs_of_the_same_batch_at_once_make_each_record_once(
    ctx: ServiceContext, integration: Actor
) -> None:
    batch = r.crew()
    batch["jobs"] += [r.job(f"J-{n}", f"Job {n}") for n in range(2, 40)]
    first, second = await asyncio.gather(
        sync.sync_batch(ctx, integration, batch), sync.sync_batch(ctx, integration, batch)
    )
    assert (first.outcome, second.outcome) == ("SUCCEEDED", "SUCCEEDED")
    assert first.pro_pays_created + second.pro_pays_created == 39
    assert await count(ctx, ProPay) == 39
    assert await count(ctx, Job) == 39


async def test_a_record_sent_twice_in_one_batch_lands_once_as_its_last_version(
    ctx: ServiceContext, integration: Actor
) -> None:
    batch = r.crew()
    batch["jobs"].append(r.job("J-1", "Oak Street mulch, renamed", "COMPLETED"))
    report = await sync.sync_batch(ctx, integration, batch)
    assert (report.kinds["jobs"].created, report.kinds["jobs"].updated) == (1, 1)
    (job,) = await rows(ctx, Job)
    assert (job.name, job.status.value) == ("Oak Street mulch, renamed", "COMPLETED")
    assert await count(ctx, ProPay) == 1
