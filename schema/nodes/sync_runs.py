"""Sync runs and what they did, as GraphQL types: the report a push answers with, and the
stored runs (``syncRuns``) with each record that did not land as sent."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay

from protiv.persistence import models
from protiv.services import diagnostics, queries, sync_report
from schema.context import Info


@strawberry.type(description="What one sync did to one kind of record.")
class SyncKindReport:
    kind: str = strawberry.field(description="branches, routes, workers, jobs, ...")
    created: int = strawberry.field(description="New records stored.")
    updated: int = strawberry.field(description="Records changed (fields or status).")
    unchanged: int = strawberry.field(description="Records already up to date.")
    excluded: int = strawberry.field(description="New jobs stored without a ProPay (a rule).")
    ignored: int = strawberry.field(description="Records in a status or state that does not sync.")
    rejected: int = strawberry.field(description="Invalid records (the rest still landed).")


@strawberry.type(description="A record that was rejected, ignored or excluded, and why.")
class SyncRecordError:
    kind: str = strawberry.field(description="The kind of record.")
    external_id: str | None = strawberry.field(description="Its id in the integration.")
    disposition: str = strawberry.field(description="IGNORED, REJECTED or EXCLUDED.")
    code: str = strawberry.field(
        description="IGNORED_STATUS, INACTIVE, NO_WAGE, ZERO_BUDGET, UNAPPROVED, INVALID, "
        "MISSING_REFERENCE or EXCLUDED_BY_RULE."
    )
    field: str | None = strawberry.field(description="The field at fault, if one is.")
    message: str = strawberry.field(description="Why, in words.")

    @classmethod
    def of(cls, issue: sync_report.Issue | models.SyncIssue) -> SyncRecordError:
        message = issue.message
        if issue.disposition == sync_report.IGNORED and not message.startswith("ignored: "):
            message = f"ignored: {message}"
        return cls(
            kind=issue.kind,
            external_id=issue.external_id,
            disposition=issue.disposition,
            code=issue.code,
            field=issue.field,
            message=message,
        )


@strawberry.type(description="The outcome of a sync run.")
class SyncReport:
    run_id: int = strawberry.field(description="The sync run's number.")
    outcome: str = strawberry.field(description="SUCCEEDED, FAILED, or RUNNING.")
    error: str | None = strawberry.field(description="Why the run failed as a whole.")
    pro_pays_created: int = strawberry.field(description="ProPays made for new jobs.")
    pro_pays_canceled: int = strawberry.field(description="ProPays canceled with their job.")
    queued_for_approval: int = strawberry.field(
        description="ProPays put in the approval queue (their job completed)."
    )
    kinds: list[SyncKindReport] = strawberry.field(description="Counts per kind of record.")
    issue_count: int = strawberry.field(description="Records not landed as sent, in all.")
    errors: list[SyncRecordError] = strawberry.field(
        description="Those records, the first 500 (a run's issues lists them all)."
    )

    @classmethod
    def of(cls, report: sync_report.SyncReport) -> SyncReport:
        return cls(
            run_id=report.run_id,
            outcome=report.outcome,
            error=report.error,
            pro_pays_created=report.pro_pays_created,
            pro_pays_canceled=report.pro_pays_canceled,
            queued_for_approval=report.queued_for_approval,
            kinds=[SyncKindReport(kind=k, **vars(v)) for k, v in report.kinds.items()],
            issue_count=report.issue_count,
            errors=[SyncRecordError.of(i) for i in report.issues],
        )


@strawberry.type(description="One recorded sync of an integration.")
class SyncRun(relay.Node):
    id: relay.NodeID[int]
    started_at: datetime = strawberry.field(description="When the run started.")
    finished_at: datetime | None = strawberry.field(description="When it ended (null: running).")
    report: SyncReport = strawberry.field(description="Its counts and outcome.")
    integration_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: models.SyncRun) -> SyncRun:
        stored = sync_report.SyncReport.from_dict(json.loads(row.report or "{}"))
        stored.run_id = row.id
        return cls(
            id=row.id,
            started_at=row.started_at,
            finished_at=row.finished_at,
            report=SyncReport.of(stored),
            integration_pk=row.integration_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[SyncRun | None]:
        rows = await queries.by_ids(
            info.context.services,
            models.SyncRun,
            info.context.actor.company_id,
            [int(i) for i in node_ids],
        )
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="Every record of the run that did not land as sent.")
    async def issues(self, info: Info, first: int = 100) -> list[SyncRecordError]:
        rows = await diagnostics.run_issues(
            info.context.services, info.context.actor, self.id, min(max(first, 1), 1000)
        )
        return [SyncRecordError.of(r) for r in rows]
