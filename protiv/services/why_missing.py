"""Why is this job, worker or milestone not here, or not on a ProPay? (seed 003, seed 004)

The answer walks seed 003's quick path with what the service knows: whether the record is
stored; the integration's state (PENDING: first sync not done; FAILED: with its error;
DISCONNECTED) and when its next sync is due (step 1, 2); an exclusion rule (step 3); what the
last sync that saw the record said of it: a status Protiv ignores, no wage, inactive, no hours
and no budget, a parent that has not synced (step 4); then a manual resync (step 5) and support
(step 6). Each cause has a stable code and a sentence that says what to do.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from protiv.domain.errors import ValidationFailed
from protiv.domain.exclusions import Rule
from protiv.domain.roles import Actor
from protiv.domain.statuses import IntegrationStatus, JobStatus
from protiv.persistence.models import Branch, ExclusionRule, Job, Milestone, ProPay, Worker
from protiv.services.context import ServiceContext
from protiv.services.diagnostics import (
    IntegrationState,
    LastIssue,
    integration_states,
    last_issue,
)


class RecordKind(enum.Enum):
    JOB = "JOB"
    WORKER = "WORKER"
    MILESTONE = "MILESTONE"


BATCH_KEY = {
    RecordKind.JOB: "jobs",
    RecordKind.WORKER: "workers",
    RecordKind.MILESTONE: "milestones",
}
MODEL: dict[RecordKind, type[Job] | type[Worker] | type[Milestone]] = {
    RecordKind.JOB: Job,
    RecordKind.WORKER: Worker,
    RecordKind.MILESTONE: Milestone,
}
NOUN = {RecordKind.JOB: "job", RecordKind.WORKER: "worker", RecordKind.MILESTONE: "milestone"}
ISSUE_ADVICE = {
    "IGNORED_STATUS": "it is in a status Protiv ignores: save it (not a draft) and keep it active "
    "in the integration, and it syncs on the next cycle",
    "NO_WAGE": "the worker has no wage set in the integration: set one there",
    "INACTIVE": "the worker is marked inactive in the integration: reactivate them there",
    "ZERO_BUDGET": "milestones with zero hours and zero budget do not sync: give it hours or a "
    "budget in the integration",
    "UNAPPROVED": "time entries sync once approved in the integration",
    "MISSING_REFERENCE": "a record it belongs to has not synced yet",
    "INVALID": "the integration sent it with a field Protiv cannot use: fix it there",
}


@dataclass(frozen=True, slots=True)
class Cause:
    code: str
    message: str
    step: int | None = None  # the step of seed 003's quick path it answers


@dataclass
class Answer:
    kind: RecordKind
    external_id: str
    found: bool
    record_id: int | None = None
    pro_pay_ids: list[int] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)
    integrations: list[IntegrationState] = field(default_factory=list)
    last_issue: LastIssue | None = None


async def why_missing(
    ctx: ServiceContext, actor: Actor, external_id: str, kind: RecordKind
) -> Answer:
    external_id = external_id.strip()
    if not external_id:
        raise ValidationFailed("externalId is required.", field=["externalId"])
    async with ctx.db.read() as session:
        model = MODEL[kind]
        row: Job | Worker | Milestone | None = await session.scalar(
            select(model).where(
                model.company_id == actor.company_id, model.external_id == external_id
            )
        )
        answer = Answer(kind, external_id, found=row is not None, record_id=row.id if row else None)
        answer.integrations = await integration_states(session, actor.company_id)
        answer.last_issue = await last_issue(
            session, actor.company_id, BATCH_KEY[kind], external_id
        )
        if row is None:
            answer.causes = _missing(answer, ctx.clock())
        elif isinstance(row, Job):
            answer.causes = await _job_here(session, answer, row)
        elif isinstance(row, Worker):
            answer.causes = await _worker_here(session, actor, row)
        elif isinstance(row, Milestone):
            answer.causes = await _milestone_here(session, answer, row)
    return answer


def _missing(answer: Answer, now: datetime) -> list[Cause]:
    """Not stored: what the last sync said of it, else the integrations' state and timing."""
    causes = _integration_causes(answer.integrations)
    seen = answer.last_issue
    if seen is not None:
        issue = seen.issue
        code = issue.code
        if issue.kind == "milestones" and issue.field == "job":
            code = "PARENT_JOB_MISSING"
        advice = ISSUE_ADVICE.get(issue.code, "see the message")
        causes.append(
            Cause(
                code,
                f"The sync of {seen.run_started_at:%Y-%m-%d %H:%M} UTC (run {issue.run_id}) "
                f"{'ignored' if issue.disposition == 'IGNORED' else 'rejected'} it: "
                f"{issue.message} — {advice}.",
                step=4,
            )
        )
        return causes
    if not answer.integrations:
        return [
            Cause(
                "NO_INTEGRATION",
                "No integration has synced for this company yet: jobs, workers and milestones "
                "come only from an integration (connect one, or push a batch).",
                step=2,
            )
        ]
    causes.append(_not_synced_yet(answer, now))
    return causes


def _integration_causes(states: list[IntegrationState]) -> list[Cause]:
    causes = []
    for state in states:
        if state.status is IntegrationStatus.FAILED:
            causes.append(
                Cause(
                    "INTEGRATION_FAILED",
                    f"The {state.name} integration is FAILED: {state.last_error}. Nothing new "
                    "arrives until it syncs again: disconnect and reconnect it, or contact "
                    "support with this error.",
                    step=2,
                )
            )
        elif state.status is IntegrationStatus.DISCONNECTED:
            causes.append(
                Cause(
                    "INTEGRATION_DISCONNECTED",
                    f"The {state.name} integration is disconnected: reconnect it to sync.",
                    step=2,
                )
            )
        elif state.status is IntegrationStatus.PENDING:
            causes.append(
                Cause(
                    "INTEGRATION_PENDING",
                    f"The {state.name} integration is PENDING: its first sync has not completed.",
                    step=2,
                )
            )
    return causes


def _not_synced_yet(answer: Answer, now: datetime) -> Cause:
    due = [s.next_sync_due for s in answer.integrations if s.next_sync_due is not None]
    last = [s.last_sync_at for s in answer.integrations if s.last_sync_at is not None]
    noun = NOUN[answer.kind]
    when = ""
    if last:
        when += f" The last successful sync was at {max(last):%Y-%m-%d %H:%M} UTC."
    if due:
        next_due = min(due)
        state = "overdue" if next_due < now else "due"
        when += f" The next sync is {state} at {next_due:%Y-%m-%d %H:%M} UTC."
    return Cause(
        "NOT_SYNCED_YET",
        f"No sync has sent a {noun} with external id {answer.external_id!r} yet.{when} Give it "
        "one full sync cycle; if it is still missing, check that it is saved and active in the "
        "integration, trigger a manual resync, and then contact support with the integration "
        "name, the record's id and its status.",
        step=1,
    )


async def _job_here(session: AsyncSession, answer: Answer, job: Job) -> list[Cause]:
    pro_pays = list(
        await session.scalars(select(ProPay.id).where(ProPay.job_id == job.id).order_by(ProPay.id))
    )
    answer.pro_pay_ids = pro_pays
    if job.exclusion_rule_id is not None:
        rule = await session.get(ExclusionRule, job.exclusion_rule_id)
        said = Rule(rule.id, rule.kind, rule.value).describe() if rule else "an exclusion rule"
        return [
            Cause(
                "EXCLUDED_BY_RULE",
                f"The job is here but makes no ProPay: it matches {said}. It is on the Jobs "
                "list, not the ProPay list; change or delete the rule to give it its ProPay.",
                step=3,
            )
        ]
    if pro_pays:
        return [Cause("PRESENT", f"The job is here, on {len(pro_pays)} ProPay(s).")]
    if job.recurring:
        return [
            Cause(
                "NO_MILESTONES",
                "The job is recurring: it makes one ProPay per milestone, and none of its "
                "milestones has synced (milestones with no hours and no budget do not).",
                step=4,
            )
        ]
    if job.status is JobStatus.CANCELED:
        return [Cause("JOB_CANCELED", "The job arrived canceled: a canceled job makes no ProPay.")]
    return [Cause("NO_PRO_PAY", "The job is here but has no ProPay.", step=6)]


async def _worker_here(session: AsyncSession, actor: Actor, worker: Worker) -> list[Cause]:
    causes = []
    if not worker.active:
        where = "here" if "active" in (worker.local_edits or "") else "in the integration"
        causes.append(
            Cause("INACTIVE", f"The worker is here but inactive (deactivated {where}).", step=4)
        )
    if worker.branch_id is None:
        branches = await session.scalar(
            select(func.count()).select_from(Branch).where(Branch.company_id == actor.company_id)
        )
        if branches:
            causes.append(
                Cause(
                    "NO_BRANCH",
                    "The worker is here but has no branch: for branch-scoped lists, assign them "
                    "to a branch or route in the integration.",
                    step=4,
                )
            )
    return causes or [Cause("PRESENT", "The worker is here.")]


async def _milestone_here(
    session: AsyncSession, answer: Answer, milestone: Milestone
) -> list[Cause]:
    answer.pro_pay_ids = list(
        await session.scalars(select(ProPay.id).where(ProPay.milestone_id == milestone.id))
    )
    if answer.pro_pay_ids:
        return [Cause("PRESENT", "The milestone is here, on its own ProPay.")]
    job = await session.get(Job, milestone.job_id)
    if job is not None and job.exclusion_rule_id is not None:
        return [
            Cause(
                "EXCLUDED_BY_RULE",
                f"The milestone is here; its job makes no ProPay: {job.excluded_reason}",
                step=3,
            )
        ]
    return [
        Cause(
            "PRESENT",
            "The milestone is here; its job is not recurring, so the job's ProPay covers it.",
        )
    ]
