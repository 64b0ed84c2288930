"""Sync: upsert a batch of records from the company's job management system.

Records are matched by (company, external id), so a batch sent twice changes nothing and fires
nothing. A record that fails validation is rejected with its reason and the rest still lands;
records in statuses that do not sync are ignored with theirs. A new job gets a ProPay (one per
milestone for a recurring job); a job's status moves only through the job machine, and a
CANCELED job cancels its ACTIVE ProPays.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from protiv.domain.bonus import BudgetType
from protiv.domain.errors import ValidationFailed
from protiv.domain.permissions import require
from protiv.domain.roles import Actor
from protiv.domain.statuses import (
    EntityKind,
    IntegrationStatus,
    IntegrationTrigger,
    JobStatus,
    ProPayStatus,
    ProPayTrigger,
    VoidReason,
)
from protiv.persistence.models import (
    Branch,
    Integration,
    Job,
    Milestone,
    ProPay,
    Route,
    SyncRun,
    TimeEntry,
    Worker,
)
from protiv.services import cascades
from protiv.services.context import ServiceContext
from protiv.services.sync_records import KINDS, PARSERS, Ignored, Rejected
from protiv.services.uow import UnitOfWork
from statemachines.base import Via
from statemachines.integration import MACHINE as INTEGRATION
from statemachines.job import MACHINE as JOB
from statemachines.job import path_to
from statemachines.pro_pay import MACHINE as PRO_PAY

MODELS: dict[str, type[Any]] = {
    "branches": Branch,
    "routes": Route,
    "workers": Worker,
    "jobs": Job,
    "milestones": Milestone,
    "timeEntries": TimeEntry,
}
DEFAULT_LABOR_PCT = Decimal(30)
# The record fields that name another record by external id, and that record's kind.
REFERENCES: dict[str, dict[str, str]] = {
    "routes": {"branch": "branches"},
    "workers": {"branch": "branches"},
    "jobs": {"branch": "branches", "route": "routes", "manager": "workers"},
    "milestones": {"job": "jobs"},
    "timeEntries": {"worker": "workers", "job": "jobs", "milestone": "milestones"},
}


@dataclass
class KindReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored: int = 0
    rejected: int = 0


@dataclass
class SyncReport:
    run_id: int = 0
    kinds: dict[str, KindReport] = field(default_factory=lambda: {k: KindReport() for k in KINDS})
    errors: list[dict[str, str | None]] = field(default_factory=list)
    pro_pays_created: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "runId": self.run_id,
            "kinds": {k: vars(v) for k, v in self.kinds.items()},
            "errors": self.errors,
            "proPaysCreated": self.pro_pays_created,
        }


class _Batch:
    """One sync in progress: the unit of work, the lookups by external id, the report."""

    def __init__(self, uow: UnitOfWork, actor: Actor, integration: Integration) -> None:
        self.uow = uow
        self.actor = actor
        self.integration = integration
        self.report = SyncReport()
        self.known: dict[str, dict[str, Any]] = {k: {} for k in KINDS}

    async def preload(self, kind: str, external_ids: Sequence[str]) -> None:
        model = MODELS[kind]
        external_ids = [e for e in dict.fromkeys(external_ids) if e not in self.known[kind]]
        for chunk_start in range(0, len(external_ids), 500):
            chunk = external_ids[chunk_start : chunk_start + 500]
            rows = await self.uow.session.scalars(
                select(model).where(
                    model.company_id == self.actor.company_id, model.external_id.in_(chunk)
                )
            )
            self.known[kind].update({row.external_id: row for row in rows})

    def ref(self, kind: str, external_id: str | None, field_name: str) -> int | None:
        if external_id is None:
            return None
        row = self.known[kind].get(external_id)
        if row is None:
            raise Rejected(
                field_name, f"no {kind[:-1]} with external id {external_id!r} has synced"
            )
        return int(row.id)


async def sync_batch(
    ctx: ServiceContext, actor: Actor, batch: Mapping[str, Any], *, provider: str = "api"
) -> SyncReport:
    """Apply one batch in one transaction and record the run."""
    require(actor, "sync")
    _check_shape(batch)
    async with UnitOfWork(ctx) as uow:
        integration = await _integration(uow, actor, provider)
        run = SyncRun(
            company_id=actor.company_id, integration_id=integration.id, started_at=uow.now
        )
        uow.session.add(run)
        work = _Batch(uow, actor, integration)
        for kind in KINDS:
            await _sync_kind(work, kind, batch.get(kind) or [])
        await _connected(work)
        run.finished_at = uow.now
        run.report = json.dumps(work.report.as_dict())
        await uow.session.flush()
        work.report.run_id = run.id
        await uow.commit()
    return work.report


def _check_shape(batch: Mapping[str, Any]) -> None:
    if not isinstance(batch, Mapping):
        raise ValidationFailed("A sync batch is a JSON object of record lists.")
    unknown = sorted(set(batch) - set(KINDS) - {"provider"})
    if unknown:
        raise ValidationFailed(
            f"Unknown record kinds {unknown}; expected some of {list(KINDS)}.", field=unknown
        )
    for kind in KINDS:
        records = batch.get(kind) or []
        if not isinstance(records, list) or not all(isinstance(r, Mapping) for r in records):
            raise ValidationFailed(f"{kind} must be a list of objects.", field=[kind])


async def _integration(uow: UnitOfWork, actor: Actor, provider: str) -> Integration:
    integration = await uow.session.scalar(
        select(Integration)
        .where(Integration.company_id == actor.company_id, Integration.provider == provider)
        .with_for_update()
    )
    if integration is None:
        integration = Integration(
            company_id=actor.company_id, provider=provider, name=provider.title()
        )
        uow.session.add(integration)
        await uow.session.flush()
        uow.log(EntityKind.INTEGRATION, integration, "create", None, actor)
    return integration


async def _connected(work: _Batch) -> None:
    work.integration.last_sync_at = work.uow.now
    if work.integration.status in (IntegrationStatus.PENDING, IntegrationStatus.FAILED):
        await work.uow.fire(
            INTEGRATION,
            work.integration,
            IntegrationTrigger.SYNC_SUCCEEDED,
            work.actor,
            via=Via.SYNC,
            cascade=True,
        )


async def _sync_kind(work: _Batch, kind: str, records: list[Mapping[str, Any]]) -> None:
    ids = [str(r["externalId"]) for r in records if r.get("externalId") not in (None, "")]
    await work.preload(kind, ids)
    for field_name, other in REFERENCES.get(kind, {}).items():
        await work.preload(other, [str(r[field_name]) for r in records if r.get(field_name)])
    for record in records:
        external_id = record.get("externalId")
        try:
            if external_id in (None, ""):
                raise Rejected("externalId", "is required")
            fields = PARSERS[kind](record)
            await APPLY[kind](work, str(external_id), fields)
        except Rejected as error:
            work.report.kinds[kind].rejected += 1
            work.report.errors.append(
                {
                    "kind": kind,
                    "externalId": _str(external_id),
                    "field": error.field,
                    "message": error.message,
                }
            )
        except Ignored as why:
            work.report.kinds[kind].ignored += 1
            work.report.errors.append(
                {
                    "kind": kind,
                    "externalId": _str(external_id),
                    "field": None,
                    "message": f"ignored: {why}",
                }
            )


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _upsert(work: _Batch, kind: str, external_id: str, values: dict[str, Any]) -> tuple[Any, bool]:
    """Create or update a row; True when it was created. Counts into the report."""
    row = work.known[kind].get(external_id)
    counts = work.report.kinds[kind]
    if row is None:
        row = MODELS[kind](company_id=work.actor.company_id, external_id=external_id, **values)
        work.uow.session.add(row)
        work.known[kind][external_id] = row
        counts.created += 1
        return row, True
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    for key, value in changed.items():
        setattr(row, key, value)
    if changed:
        counts.updated += 1
    else:
        counts.unchanged += 1
    return row, False


async def _apply_branch(work: _Batch, external_id: str, f: dict[str, Any]) -> None:
    _upsert(work, "branches", external_id, {"name": f["name"]})
    await work.uow.session.flush()


async def _apply_route(work: _Batch, external_id: str, f: dict[str, Any]) -> None:
    values = {"name": f["name"], "branch_id": work.ref("branches", f["branch"], "branch")}
    _upsert(work, "routes", external_id, values)
    await work.uow.session.flush()


async def _apply_worker(work: _Batch, external_id: str, f: dict[str, Any]) -> None:
    values = {
        k: f[k] for k in ("name", "email", "role", "wage", "burden_pct", "active", "payroll_id")
    }
    values["branch_id"] = work.ref("branches", f["branch"], "branch")
    _upsert(work, "workers", external_id, values)
    await work.uow.session.flush()


async def _apply_job(work: _Batch, external_id: str, f: dict[str, Any]) -> None:
    values = {
        k: f[k]
        for k in (
            "name",
            "client_name",
            "service_type",
            "invoice_type",
            "property_id",
            "recurring",
            "budget_hours",
            "budget_amount",
            "contract_price",
        )
    }
    values["branch_id"] = work.ref("branches", f["branch"], "branch")
    values["route_id"] = work.ref("routes", f["route"], "route")
    values["manager_id"] = work.ref("workers", f["manager"], "manager")
    values["integration_id"] = work.integration.id
    job, created = _upsert(work, "jobs", external_id, values)
    await work.uow.session.flush()
    if created:
        work.uow.log(EntityKind.JOB, job, "create", None, work.actor)
        if not job.recurring:
            await _new_pro_pay(work, job, None)
    await _move_job(work, job, f["status"])


async def _move_job(work: _Batch, job: Job, target: JobStatus) -> None:
    for trigger in path_to(job.status, target):
        await work.uow.fire(JOB, job, trigger, work.actor, via=Via.SYNC, cascade=True)
    if target is JobStatus.CANCELED:
        await _cancel_active_pro_pays(work, job)


async def _cancel_active_pro_pays(work: _Batch, job: Job) -> None:
    """A job canceled at the source cancels its ACTIVE ProPays; approved ones stay."""
    pro_pays = await work.uow.session.scalars(
        select(ProPay)
        .where(ProPay.job_id == job.id, ProPay.status == ProPayStatus.ACTIVE)
        .options(selectinload(ProPay.line_items), selectinload(ProPay.disqualifiers))
        .with_for_update(of=ProPay)
    )
    for pro_pay in pro_pays:
        await work.uow.fire(
            PRO_PAY,
            pro_pay,
            ProPayTrigger.CANCEL,
            work.actor,
            reason="The job was canceled in the integration.",
            via=Via.SYNC,
            cascade=True,
        )
        await cascades.void_unpaid(work.uow, pro_pay.line_items, work.actor, VoidReason.CANCELED)


async def _new_pro_pay(work: _Batch, job: Job, milestone: Milestone | None) -> None:
    source = milestone or job
    pro_pay = ProPay(
        company_id=job.company_id,
        job_id=job.id,
        milestone_id=milestone.id if milestone else None,
        title=f"{job.name} — {milestone.name}" if milestone else job.name,
        created_at=work.uow.now,
        manager_id=job.manager_id,
        **_budget_from(source, job),
    )
    work.uow.session.add(pro_pay)
    await work.uow.session.flush()
    work.uow.log(EntityKind.PRO_PAY, pro_pay, "create", None, work.actor)
    work.report.pro_pays_created += 1


def _budget_from(source: Job | Milestone, job: Job) -> dict[str, Any]:
    """Budget type from what the integration sent: hours, else dollars, else contract price."""
    if source.budget_hours:
        return {"budget_type": BudgetType.HOURS, "budget_hours": source.budget_hours}
    if source.budget_amount:
        return {"budget_type": BudgetType.AMOUNT, "budget_amount": source.budget_amount}
    if job.contract_price:
        return {
            "budget_type": BudgetType.CONTRACT_PRICE,
            "contract_price": job.contract_price,
            "labor_pct": DEFAULT_LABOR_PCT,
        }
    return {"budget_type": BudgetType.HOURS}


async def _apply_milestone(work: _Batch, external_id: str, f: dict[str, Any]) -> None:
    job_id = work.ref("jobs", f["job"], "job")
    values = {k: f[k] for k in ("name", "source_status", "budget_hours", "budget_amount")}
    values["job_id"] = job_id
    milestone, created = _upsert(work, "milestones", external_id, values)
    await work.uow.session.flush()
    job = work.known["jobs"][f["job"]]
    if created and job.recurring and job.status is not JobStatus.CANCELED:
        await _new_pro_pay(work, job, milestone)


async def _apply_time_entry(work: _Batch, external_id: str, f: dict[str, Any]) -> None:
    values = {k: f[k] for k in ("work_date", "hours", "overtime_hours", "kind", "task")}
    values["worker_id"] = work.ref("workers", f["worker"], "worker")
    values["job_id"] = work.ref("jobs", f["job"], "job")
    values["milestone_id"] = work.ref("milestones", f["milestone"], "milestone")
    _upsert(work, "timeEntries", external_id, values)


APPLY = {
    "branches": _apply_branch,
    "routes": _apply_route,
    "workers": _apply_worker,
    "jobs": _apply_job,
    "milestones": _apply_milestone,
    "timeEntries": _apply_time_entry,
}
