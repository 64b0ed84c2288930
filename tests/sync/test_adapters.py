"""The adapters: Aspire- and Jobber-shaped payloads (samples/ in the providers' own shapes)
mapped and synced, and the file formats a drop folder or ``protiv sync`` reads."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from protiv.domain.bonus import WorkerRole
from protiv.domain.exclusions import ExclusionKind
from protiv.domain.roles import Actor
from protiv.persistence.models import Job, Milestone, ProPay, TimeEntry, Worker
from protiv.services import exclusions, sync
from protiv.services.adapters import BatchError, records_of
from protiv.services.adapters.files import read_files
from protiv.services.context import ServiceContext
from tests.sync import records as r
from tests.sync.conftest import issues, rows

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SAMPLES / name).read_text(), parse_float=Decimal)
    return loaded


async def test_aspire_opportunities_tickets_contacts_and_properties(
    ctx: ServiceContext, admin: Actor, integration: Actor
) -> None:
    await exclusions.create(ctx, admin, ExclusionKind.INVOICE_TYPE, "Internal")
    report = await sync.sync_batch(ctx, integration, sample("aspire.json"), provider="aspire")
    assert report.outcome == "SUCCEEDED"
    workers = {w.external_id: (w.name, w.role, w.wage) for w in await rows(ctx, Worker)}
    assert workers == {
        "1501": ("Maria Lopez", WorkerRole.MANAGER, Decimal("34.5")),
        "1502": ("Rosa Jimenez", WorkerRole.CREW_LEAD, Decimal("26.5")),  # the route's crew leader
        "1503": ("Ben Carter", WorkerRole.CREW, Decimal("19.25")),
    }
    jobs = {j.external_id: j for j in await rows(ctx, Job)}
    assert sorted(jobs) == ["70011", "70012", "70013"]
    assert jobs["70011"].client_name == "Cherry Creek Office Park"  # Property -> client
    assert (jobs["70012"].recurring, jobs["70012"].service_type) == (True, "Maintenance")
    assert jobs["70013"].excluded_reason is not None
    milestones = {m.external_id: m.source_status for m in await rows(ctx, Milestone)}
    assert milestones == {"880101": "COMPLETE", "880102": "SCHEDULED", "880201": "SCHEDULED"}
    titles = sorted(p.title for p in await rows(ctx, ProPay))
    assert titles == [
        "Cherry Creek Office Park - Spring Enhancement",
        "Highlands HOA - 2026 Maintenance — Work ticket 1",
        "Highlands HOA - 2026 Maintenance — Work ticket 2",
    ]
    assert report.queued_for_approval == 1  # work ticket 1 is complete
    entries = {
        t.external_id: (t.hours, t.milestone_id is not None) for t in await rows(ctx, TimeEntry)
    }
    assert entries == {
        "5500001": (Decimal("8.5"), False),
        "5500002": (Decimal("8.0"), False),
        "5500003": (Decimal("6.0"), True),  # on the contract's work ticket: its milestone
    }
    assert sorted(await issues(ctx)) == [
        ("jobs", "70013", "EXCLUDED", "EXCLUDED_BY_RULE"),
        ("jobs", "70014", "IGNORED", "IGNORED_STATUS"),  # a bid, not a won job
        ("milestones", "880103", "IGNORED", "ZERO_BUDGET"),
        ("timeEntries", "5500004", "IGNORED", "UNAPPROVED"),
        ("workers", "1504", "IGNORED", "NO_WAGE"),
        ("workers", "1505", "IGNORED", "INACTIVE"),
    ]
    again = await sync.sync_batch(ctx, integration, sample("aspire.json"), provider="aspire")
    assert sum(k.created + k.updated for k in again.kinds.values()) == 0


async def test_jobber_graphql_connections_of_jobs_visits_users_and_timesheets(
    ctx: ServiceContext, integration: Actor
) -> None:
    report = await sync.sync_batch(ctx, integration, sample("jobber.json"), provider="jobber")
    assert report.outcome == "SUCCEEDED"
    roles = {w.name: w.role for w in await rows(ctx, Worker)}
    assert roles == {
        "Dana Brooks": WorkerRole.MANAGER,
        "Luis Ortega": WorkerRole.CREW_LEAD,
        "Amy Chen": WorkerRole.CREW,
    }
    jobs = {j.name: j for j in await rows(ctx, Job)}
    assert sorted(jobs) == ["#501 Front yard sod install", "#502 Weekly mowing - Oak Ridge"]
    sod = jobs["#501 Front yard sod install"]
    assert (sod.status.value, sod.budget_hours, sod.service_type) == (
        "COMPLETED",
        16,
        "Installation",
    )
    visits = {m.name: m.budget_hours for m in await rows(ctx, Milestone)}
    assert visits == {"Mow - week 45": Decimal("6.00"), "Mow - week 46": Decimal("3.00")}
    hours = sorted(t.hours for t in await rows(ctx, TimeEntry))
    assert hours == [Decimal("2.50"), Decimal("7.00"), Decimal("7.50")]
    pro_pays = await rows(ctx, ProPay)
    assert len(pro_pays) == 3  # the one-off job, and one per visit of the recurring one
    queued = sorted(p.title for p in pro_pays if p.ready_for_approval_at)
    assert queued == [
        "#501 Front yard sod install",
        "#502 Weekly mowing - Oak Ridge — Mow - week 45",
    ]
    assert sorted(await issues(ctx)) == [
        ("jobs", "Z2lkOi8vSm9iYmVyL0pvYi81MDM=", "IGNORED", "IGNORED_STATUS"),
        ("workers", "Z2lkOi8vSm9iYmVyL1VzZXIvMTA0", "IGNORED", "INACTIVE"),
    ]


def test_the_internal_shape_is_read_whatever_the_provider_is_called() -> None:
    kinds = [kind for kind, _ in records_of("aspire", r.crew())]
    assert kinds[:2] == ["branches", "routes"]
    with pytest.raises(BatchError, match="Unknown record kinds"):
        list(records_of("aspire", {"Opportunity": []}))


def test_csv_and_json_lines_files_stream_in_dependency_order(tmp_path: Path) -> None:
    (tmp_path / "2026-11-02.timeEntries.csv").write_text(
        "externalId,worker,job,date,hours,approved\nT-1,W-1,J-1,2026-11-02,8,true\n"
    )
    (tmp_path / "jobs.csv").write_text(
        "externalId,name,status,recurring\nJ-1,Oak,IN_PROGRESS,false\n"
    )
    (tmp_path / "people.jsonl").write_text(
        '{"kind": "workers", "externalId": "W-1", "name": "Ana", "wage": 19.5}\n\n'
    )
    paths = sorted(tmp_path.iterdir())
    read = [(kind, dict(record)) for kind, record in read_files(paths, "file")]
    assert read == [
        ("workers", {"externalId": "W-1", "name": "Ana", "wage": Decimal("19.5")}),
        ("jobs", {"externalId": "J-1", "name": "Oak", "status": "IN_PROGRESS", "recurring": False}),
        (
            "timeEntries",
            {
                "externalId": "T-1",
                "worker": "W-1",
                "job": "J-1",
                "date": "2026-11-02",
                "hours": "8",
                "approved": True,
            },
        ),
    ]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("x.jsonl", '{"kind": "jobs"}\n{oops\n', "x.jsonl, line 2: not valid JSON"),
        ("x.jsonl", '["jobs"]\n', 'x.jsonl, line 1: expected an object with a "kind"'),
        ("people.csv", "a,b\n1,2\n", "people.csv: a CSV file is named by the kind it holds"),
        ("x.json", "[1]", "x.json: must hold a JSON object of record lists."),
    ],
)
def test_a_file_that_cannot_be_read_names_itself_and_the_line(
    tmp_path: Path, name: str, content: str, says: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(BatchError) as failed:
        list(read_files([path], "file"))
    assert str(failed.value).startswith(says)
