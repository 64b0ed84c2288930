"""Query fields of sync and diagnostics (merged into Query through schema/extra_queries.py):
integrations and their runs, exclusion rules, and the answers to "where is it?": whyMissing
(seed 003), lifecycle (seed 002) and alerts (the dashboard's stalled items)."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
import datetime
from typing import Annotated

import strawberry

from protiv.domain.errors import DomainError, ValidationFailed
from protiv.persistence import models
from protiv.services import alerts as alert_service
from protiv.services import lifecycle as lifecycle_service
from protiv.services import queries
from protiv.services import why_missing as missing_service
from protiv.services.diagnostics import IntegrationState
from schema.context import Info
from schema.enums import EntityKind, IntegrationStatus
from schema.ids import from_global, to_global
from schema.nodes.integrations import ExclusionRule, Integration
from schema.nodes.pro_pay import ProPay
from schema.nodes.records import NODE_TYPE_OF
from schema.nodes.sync_runs import SyncRun
from schema.pagination import Connection, connection, page_args

MissingKind = Annotated[
    missing_service.RecordKind,
    strawberry.enum(
        name="MissingKind", description="The kinds of synced record whyMissing explains."
    ),
]
MODEL_TYPE = {
    missing_service.RecordKind.JOB: "Job",
    missing_service.RecordKind.WORKER: "Worker",
    missing_service.RecordKind.MILESTONE: "Milestone",
}


@strawberry.type(description="One reason a record is missing, or not on a ProPay.")
class MissingCause:
    code: str = strawberry.field(
        description="NOT_SYNCED_YET, NO_INTEGRATION, INTEGRATION_PENDING, INTEGRATION_FAILED, "
        "INTEGRATION_DISCONNECTED, EXCLUDED_BY_RULE, IGNORED_STATUS, NO_WAGE, INACTIVE, "
        "ZERO_BUDGET, PARENT_JOB_MISSING, MISSING_REFERENCE, INVALID, NO_BRANCH, NO_MILESTONES, "
        "JOB_CANCELED, NO_PRO_PAY, or PRESENT (it is here)."
    )
    message: str = strawberry.field(description="What it means and what to do.")
    step: int | None = strawberry.field(
        description="The step of the troubleshooting quick path (seed 003) it answers."
    )


@strawberry.type(description="An integration as troubleshooting sees it.")
class IntegrationHealth:
    integration_id: strawberry.ID = strawberry.field(description="The Integration's id.")
    name: str = strawberry.field(description="Its name.")
    status: IntegrationStatus = strawberry.field(description="Its connection status.")
    last_sync_at: datetime.datetime | None = strawberry.field(
        description="Its last successful sync."
    )
    last_run_at: datetime.datetime | None = strawberry.field(
        description="Its last sync attempt, good or bad."
    )
    next_sync_due: datetime.datetime | None = strawberry.field(
        description="When its next sync is due."
    )
    last_error: str | None = strawberry.field(description="Why its last sync failed.")

    @classmethod
    def of(cls, state: IntegrationState) -> "IntegrationHealth":
        return cls(
            integration_id=strawberry.ID(to_global("Integration", state.id)),
            name=state.name,
            status=state.status,
            last_sync_at=state.last_sync_at,
            last_run_at=state.last_run_at,
            next_sync_due=state.next_sync_due,
            last_error=state.last_error,
        )


@strawberry.type(description="What the last sync that met the record said of it.")
class LastSeen:
    run_id: int = strawberry.field(description="The sync run.")
    at: datetime.datetime = strawberry.field(description="When that run started.")
    disposition: str = strawberry.field(description="IGNORED, REJECTED or EXCLUDED.")
    code: str = strawberry.field(description="Why, as a code.")
    field: str | None = strawberry.field(description="The field at fault, if one is.")
    message: str = strawberry.field(description="Why, in words.")


@strawberry.type(description="Why a job, worker or milestone is missing, or not on a ProPay.")
class WhyMissing:
    kind: MissingKind = strawberry.field(description="The kind asked about.")
    external_id: str = strawberry.field(description="The id asked about.")
    found: bool = strawberry.field(description="Whether the record is stored here.")
    record_id: strawberry.ID | None = strawberry.field(
        description="Its global id when it is here (a Job, Worker or Milestone)."
    )
    pro_pay_ids: list[strawberry.ID] = strawberry.field(description="The ProPays it is on.")
    causes: list[MissingCause] = strawberry.field(description="Why, most likely first.")
    integrations: list[IntegrationHealth] = strawberry.field(
        description="The company's integrations: status and timing."
    )
    last_seen: LastSeen | None = strawberry.field(
        description="What the last sync that met it said (null: no sync met it as a problem)."
    )

    @classmethod
    def of(cls, answer: missing_service.Answer) -> "WhyMissing":
        seen = answer.last_issue
        return cls(
            kind=answer.kind,
            external_id=answer.external_id,
            found=answer.found,
            record_id=strawberry.ID(to_global(MODEL_TYPE[answer.kind], answer.record_id))
            if answer.record_id
            else None,
            pro_pay_ids=[strawberry.ID(to_global("ProPay", p)) for p in answer.pro_pay_ids],
            causes=[
                MissingCause(code=c.code, message=c.message, step=c.step) for c in answer.causes
            ],
            integrations=[IntegrationHealth.of(s) for s in answer.integrations],
            last_seen=LastSeen(
                run_id=seen.issue.run_id,
                at=seen.run_started_at,
                disposition=seen.issue.disposition,
                code=seen.issue.code,
                field=seen.issue.field,
                message=seen.issue.message,
            )
            if seen
            else None,
        )


@strawberry.type(description="One of the nine steps of a bonus (seed 002).")
class LifecycleStep:
    number: int = strawberry.field(description="1 to 9.")
    name: str = strawberry.field(description="What happens at this step.")
    where: str = strawberry.field(description="Where it happens.")
    state: str = strawberry.field(description="DONE, CURRENT, STALLED or TODO.")
    at: datetime.datetime | None = strawberry.field(description="When it was done, if known.")
    detail: str | None = strawberry.field(description="For the current step: what it waits for.")


@strawberry.type(description="Where a bonus is on its way from the job to the payout.")
class Lifecycle:
    current_step: int = strawberry.field(description="The step it is at (9 when paid).")
    stalled: bool = strawberry.field(description="Whether it is stuck there.")
    stall_code: str | None = strawberry.field(
        description="SYNC_FAILING, EXCLUDED_BY_RULE, NO_TIME, BUDGET_INVALID, "
        "DISQUALIFIER_PENDING, AWAITING_APPROVAL, HELD, STATEMENT_UNPAID, CANCELED, DELETED, or "
        "a whyMissing code for a job that made no ProPay."
    )
    stall_message: str | None = strawberry.field(description="Why, and what to do.")
    complete: bool = strawberry.field(description="Every step done: the bonus is paid.")
    steps: list[LifecycleStep] = strawberry.field(description="The nine steps.")
    pro_pay_pk: strawberry.Private[int | None]
    job_pk: strawberry.Private[int | None]

    @strawberry.field(description="The ProPay followed (null: the job made none).")
    async def pro_pay(self, info: Info) -> ProPay | None:
        if self.pro_pay_pk is None:
            return None
        row = await info.context.loaders.pro_pay.load(self.pro_pay_pk)
        return ProPay.from_row(row) if row else None

    @strawberry.field(description="The job's global id (null: the job is not here).")
    def job_id(self) -> strawberry.ID | None:
        return strawberry.ID(to_global("Job", self.job_pk)) if self.job_pk else None

    @classmethod
    def of(cls, found: lifecycle_service.Lifecycle) -> "Lifecycle":
        return cls(
            current_step=found.current_step,
            stalled=found.stalled,
            stall_code=found.stall_code,
            stall_message=found.stall_message,
            complete=found.complete,
            steps=[
                LifecycleStep(
                    number=s.number,
                    name=s.name,
                    where=s.where,
                    state=s.state,
                    at=s.at,
                    detail=s.detail,
                )
                for s in found.steps
            ],
            pro_pay_pk=found.pro_pay_id,
            job_pk=found.job_id,
        )


@strawberry.type(description="A stalled item for the dashboard.")
class Alert:
    code: str = strawberry.field(
        description="INTEGRATION_FAILED, INTEGRATION_DISCONNECTED, INTEGRATION_PENDING, "
        "SYNC_OVERDUE, JOB_EXCLUDED, NO_TIME, BUDGET_INVALID, DISQUALIFIER_PENDING, "
        "AWAITING_APPROVAL, APPROVED_JOB_CANCELED, RELEASE_OVERDUE, STATEMENT_UNPAID."
    )
    severity: str = strawberry.field(description="ERROR, WARNING or INFO.")
    message: str = strawberry.field(description="What is stalled and what to do.")
    entity: EntityKind | None = strawberry.field(description="The kind of record to open.")
    entity_id: strawberry.ID | None = strawberry.field(description="Its global id.")
    since: datetime.datetime | None = strawberry.field(description="Since when, if known.")


@strawberry.type(description="How many alerts of one code.")
class AlertCount:
    code: str = strawberry.field(description="The alert code.")
    count: int = strawberry.field(description="How many.")


@strawberry.type(description="The stalled items, most severe first.")
class AlertList:
    total_count: int = strawberry.field(description="How many, in all.")
    counts: list[AlertCount] = strawberry.field(description="How many of each code.")
    nodes: list[Alert] = strawberry.field(description="The first ones asked for.")


def _alert(found: alert_service.Alert) -> Alert:
    kind = found.entity
    return Alert(
        code=found.code,
        severity=found.severity,
        message=found.message,
        entity=kind,
        entity_id=strawberry.ID(to_global(NODE_TYPE_OF[kind], found.entity_id)) if kind else None,
        since=found.since,
    )


@strawberry.type
class DiagnosticsQueries:
    @strawberry.field(description="The company's integrations.")
    async def integrations(self, info: Info) -> list[Integration]:
        page = await queries.page(
            info.context.services,
            models.Integration,
            info.context.actor.company_id,
            first=100,
            after=None,
        )
        return [Integration.from_row(r) for r in page.rows]

    @strawberry.field(description="Sync runs, oldest first (of one integration when given).")
    async def sync_runs(
        self,
        info: Info,
        integration_id: strawberry.ID | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[SyncRun]:
        size, cursor = page_args(first, after)
        where = []
        if integration_id is not None:
            pk = from_global(integration_id, "Integration", "integrationId")
            where.append(models.SyncRun.integration_id == pk)
        page = await queries.page(
            info.context.services,
            models.SyncRun,
            info.context.actor.company_id,
            where=where,
            first=size,
            after=cursor,
        )
        return connection(page, SyncRun.from_row)

    @strawberry.field(description="ProPay creation exclusion rules (deleted ones when asked).")
    async def exclusion_rules(
        self, info: Info, include_deleted: bool = False
    ) -> list[ExclusionRule]:
        where = [] if include_deleted else [models.ExclusionRule.deleted_at.is_(None)]
        page = await queries.page(
            info.context.services,
            models.ExclusionRule,
            info.context.actor.company_id,
            where=where,
            first=100,
            after=None,
        )
        return [ExclusionRule.from_row(r) for r in page.rows]

    @strawberry.field(
        description="Why a job, worker or milestone is not here, or not on a ProPay (seed 003)."
    )
    async def why_missing(self, info: Info, external_id: str, kind: MissingKind) -> WhyMissing:
        answer = await missing_service.why_missing(
            info.context.services, info.context.actor, external_id, kind
        )
        return WhyMissing.of(answer)

    @strawberry.field(
        description="The nine steps of a bonus (seed 002), the one it is at and why it stalled: "
        "of a ProPay, or of a job by its external id (also when it made no ProPay)."
    )
    async def lifecycle(
        self,
        info: Info,
        pro_pay_id: strawberry.ID | None = None,
        job_external_id: str | None = None,
    ) -> Lifecycle | None:
        if (pro_pay_id is None) == (job_external_id is None):
            raise ValidationFailed("Give proPayId or jobExternalId.", field=["proPayId"])
        services, actor = info.context.services, info.context.actor
        if job_external_id is not None:
            return Lifecycle.of(await lifecycle_service.for_job(services, actor, job_external_id))
        try:
            pk = from_global(str(pro_pay_id), "ProPay", "proPayId")
            return Lifecycle.of(await lifecycle_service.for_pro_pay(services, actor, pk))
        except DomainError:
            return None

    @strawberry.field(description="Everything stalled, most severe first (seed 002's alerts).")
    async def alerts(
        self, info: Info, codes: list[str] | None = None, first: int = 100
    ) -> AlertList:
        found = await alert_service.alerts(
            info.context.services, info.context.actor, codes, page_args(first, None)[0]
        )
        return AlertList(
            total_count=found.total,
            counts=[AlertCount(code=c, count=n) for c, n in sorted(found.counts.items())],
            nodes=[_alert(a) for a in found.items],
        )
