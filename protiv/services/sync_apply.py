"""One chunk of branches, routes, workers, jobs or milestones, applied in one transaction.

Rows are matched by (company, external id) and written with one flush per step, not per record:
inserts and updates, then the creation events and new ProPays, then job transitions round by
round (a job may take two: CANCELED -> IN_PROGRESS -> COMPLETED), then their effects. A record
that is unchanged is not touched, so a batch sent twice writes nothing and fires nothing.
Fields edited here (``local_edits``) are not overwritten by the source; a job's budget is, when
the integration's budget sync is on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from protiv.domain.errors import Conflict
from protiv.domain.exclusions import JobFacts, first_match
from protiv.domain.statuses import EntityKind, JobStatus, JobTrigger
from protiv.persistence.models import Job, Milestone
from protiv.services import sync_effects as effects
from protiv.services.sync_records import PARSERS, Ignored, Rejected
from protiv.services.sync_report import EXCLUDED, Issue
from protiv.services.sync_state import MODELS, RunState, among, external_id_of, plan_per_chunk
from protiv.services.uow import CONFLICT_MESSAGE, UnitOfWork
from statemachines.base import Via
from statemachines.job import MACHINE as JOB
from statemachines.job import path_to

REFERENCES: dict[str, dict[str, str]] = {
    "routes": {"branch": "branches"},
    "workers": {"branch": "branches"},
    "jobs": {"branch": "branches", "route": "routes", "manager": "workers"},
    "milestones": {"job": "jobs"},
}
WORKER_FIELDS = ("name", "email", "role", "wage", "burden_pct", "active", "payroll_id")
JOB_FIELDS = ("name", "client_name", "service_type", "invoice_type", "property_id", "recurring")
JOB_BUDGET = ("budget_hours", "budget_amount", "contract_price")
COMPLETE_MILESTONE = frozenset({"COMPLETE", "COMPLETED", "PENDING_REVIEW", "DONE"})


def edited(row: Any) -> set[str]:
    return {name for name in (row.local_edits or "").split(",") if name}


class Chunk:
    """One kind's chunk inside one unit of work."""

    def __init__(self, state: RunState, uow: UnitOfWork, kind: str) -> None:
        self.state = state
        self.uow = uow
        self.kind = kind
        self.rows: dict[str, Any] = {}
        self.created: list[Any] = []
        self.targets: dict[int, tuple[Job, JobStatus]] = {}  # a job sent twice: the last wins
        self.budget_changes: list[tuple[Job, dict[str, Any]]] = []
        self.released: list[Job] = []
        self.completed_milestones: list[Milestone] = []
        self.paths: dict[Job, list[JobTrigger]] = {}

    async def run(self, records: Sequence[Mapping[str, Any]]) -> None:
        parsed: list[tuple[str, dict[str, Any]]] = []
        for record in records:
            external_id = external_id_of(record)
            try:
                if external_id is None:
                    raise Rejected("externalId", "is required")
                parsed.append((external_id, PARSERS[self.kind](record)))
            except (Rejected, Ignored) as error:
                self.state.refuse(self.kind, external_id, error)
        await self._preload([e for e, _ in parsed], [f for _, f in parsed])
        for external_id, fields in parsed:
            try:
                getattr(self, f"_{self.kind}")(external_id, fields)
            except (Rejected, Ignored) as error:
                self.state.refuse(self.kind, external_id, error)
        await self._flush()
        self.state.remember(self.kind, ((r.external_id, r.id) for r in self.rows.values()))
        await getattr(self, f"_finish_{self.kind}", self._no_finish)()

    async def _preload(self, ids: list[str], fields: list[dict[str, Any]]) -> None:
        """The chunk's stored rows, without locking them: workers, jobs and milestones carry
        a version, so a concurrent edit makes this chunk's write fail and retry (sync.py);
        locking every row of every chunk cost PostgreSQL a tuple write each, even unchanged."""
        model = MODELS[self.kind]
        unique = sorted(set(ids))
        dialect = self.uow.session.get_bind().dialect.name
        for start in range(0, len(unique), 2000):
            rows = await self.uow.session.scalars(
                select(model).where(
                    model.company_id == self.state.actor.company_id,
                    among(model.external_id, unique[start : start + 2000], dialect),
                )
            )
            self.rows.update({row.external_id: row for row in rows})
        for field_name, other in REFERENCES.get(self.kind, {}).items():
            await self.state.preload_refs(
                self.uow, other, [str(f[field_name]) for f in fields if f.get(field_name)]
            )

    async def _flush(self) -> None:
        try:
            await self.uow.session.flush()
        except (StaleDataError, IntegrityError) as error:  # a concurrent edit or sync
            raise Conflict(CONFLICT_MESSAGE) from error

    async def _no_finish(self) -> None:
        return None

    # -- upsert -------------------------------------------------------------------------------

    def _upsert(
        self, external_id: str, values: dict[str, Any], *, count: bool = True, moves: bool = False
    ) -> Any:
        row = self.rows.get(external_id)
        counts = self.state.report.kinds[self.kind]
        if row is None:
            row = MODELS[self.kind](
                company_id=self.state.actor.company_id, external_id=external_id, **values
            )
            self.uow.session.add(row)
            self.rows[external_id] = row
            self.created.append(row)
            if count:
                counts.created += 1
            return row
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        for key, value in changed.items():
            setattr(row, key, value)
        if changed or moves:  # a job whose status moves is updated too
            counts.updated += 1
        else:
            counts.unchanged += 1
        return row

    def _branches(self, external_id: str, f: dict[str, Any]) -> None:
        self._upsert(external_id, {"name": f["name"]})

    def _routes(self, external_id: str, f: dict[str, Any]) -> None:
        branch_id = self.state.ref("branches", f["branch"], "branch")
        self._upsert(external_id, {"name": f["name"], "branch_id": branch_id})

    def _workers(self, external_id: str, f: dict[str, Any]) -> None:
        values = {k: f[k] for k in WORKER_FIELDS}
        values["branch_id"] = self.state.ref("branches", f["branch"], "branch")
        row = self.rows.get(external_id)
        if row is None:
            if not values["active"]:
                raise Ignored("the worker is inactive in the integration", "INACTIVE")
            if values["wage"] is None:
                raise Ignored("the worker has no wage set in the integration", "NO_WAGE")
        else:
            if values["wage"] is None:
                del values["wage"]  # keep the wage known here
            for name in edited(row):
                values.pop(name, None)
        self._upsert(external_id, values)

    def _jobs(self, external_id: str, f: dict[str, Any]) -> None:
        values = {k: f[k] for k in (*JOB_FIELDS, *JOB_BUDGET)}
        values["branch_id"] = self.state.ref("branches", f["branch"], "branch")
        values["route_id"] = self.state.ref("routes", f["route"], "route")
        values["manager_id"] = self.state.ref("workers", f["manager"], "manager")
        values["integration_id"] = self.state.integration_id
        row = self.rows.get(external_id)
        if row is None:
            self._new_job(external_id, values)
        else:
            self._update_job(row, values, f["status"])
        job = self.rows[external_id]
        self.targets[id(job)] = (job, f["status"])

    def _new_job(self, external_id: str, values: dict[str, Any]) -> None:
        facts = JobFacts(
            values["name"], values["service_type"], values["invoice_type"], values["property_id"]
        )
        rule = first_match(self.state.rules, facts)
        if rule is not None:
            values["exclusion_rule_id"] = rule.id
            values["excluded_reason"] = f"Excluded by {rule.describe()}."
        self._upsert(external_id, values, count=rule is None)
        if rule is not None:
            message = f"stored without a ProPay: excluded by {rule.describe()}"
            self.state.note(Issue("jobs", external_id, EXCLUDED, "EXCLUDED_BY_RULE", None, message))

    def _update_job(self, row: Job, values: dict[str, Any], target: JobStatus) -> None:
        local = edited(row)
        sends_budget = any(values[k] for k in JOB_BUDGET)
        if "budget" in local and not (self.state.budget_sync and sends_budget):
            for name in JOB_BUDGET:
                del values[name]
        elif "budget" in local:
            row.local_edits = ",".join(sorted(local - {"budget"}))
        if "manager" in local and values["manager_id"] is None:
            del values["manager_id"]
        old_budget = effects.budget_from(row, row)
        self._upsert(row.external_id, values, moves=bool(path_to(row.status, target)))
        if effects.budget_from(row, row) != old_budget:
            self.budget_changes.append((row, old_budget))
        if row.exclusion_rule_id is not None:
            self._recheck_exclusion(row)

    def _recheck_exclusion(self, row: Job) -> None:
        facts = JobFacts(row.name, row.service_type, row.invoice_type, row.property_id)
        rule = first_match(self.state.rules, facts)
        if rule is None:
            row.exclusion_rule_id = None
            row.excluded_reason = None
            self.released.append(row)
        elif rule.id != row.exclusion_rule_id:
            row.exclusion_rule_id = rule.id
            row.excluded_reason = f"Excluded by {rule.describe()}."

    def _milestones(self, external_id: str, f: dict[str, Any]) -> None:
        values = {k: f[k] for k in ("name", "source_status", "budget_hours", "budget_amount")}
        values["job_id"] = self.state.ref("jobs", f["job"], "job")
        row = self.rows.get(external_id)
        was = row.source_status if row is not None else None
        row = self._upsert(external_id, values)
        if values["source_status"] in COMPLETE_MILESTONE and was not in COMPLETE_MILESTONE:
            self.completed_milestones.append(row)

    # -- after the upserts ------------------------------------------------------------------

    async def _finish_jobs(self) -> None:
        actor, report = self.state.actor, self.state.report
        for job in self.created:
            self.uow.log(EntityKind.JOB, job, "create", None, actor)
        new = {id(job) for job in (*self.created, *self.released)}
        fresh = [
            job
            for job, target in self.targets.values()
            if id(job) in new
            and not job.recurring
            and job.exclusion_rule_id is None
            and target is not JobStatus.CANCELED
        ]
        await effects.add_pro_pays(
            self.uow, actor, [effects.new_pro_pay(j, None, self.uow.now) for j in fresh]
        )
        report.pro_pays_created += len(fresh)
        moved = await self._move_jobs()
        canceled = [j.id for j in moved if j.status is JobStatus.CANCELED]
        report.pro_pays_canceled += await effects.cancel_for_jobs(self.uow, actor, canceled)
        reopened = [j.id for j in moved if JobTrigger.REOPEN in self.paths[j]]
        await effects.leave_queue(self.uow, actor, reopened)
        done = {j.id for j in [*moved, *fresh] if j.status is JobStatus.COMPLETED}
        report.queued_for_approval += await effects.queue_for_approval(
            self.uow, actor, job_ids=sorted(done)
        )
        await effects.follow_budget(
            self.uow,
            actor,
            self.budget_changes,
            overwrite=self.state.budget_sync,
            why="The job's budget changed in the integration.",
        )

    async def _move_jobs(self) -> list[Job]:
        """Fire each job's path to the status the source reports, one round per step."""
        paths = {job: path_to(job.status, target) for job, target in self.targets.values()}
        paths = self.paths = {job: path for job, path in paths.items() if path}
        for step in range(max((len(p) for p in paths.values()), default=0)):
            fired = [
                (
                    job,
                    JOB.fire(
                        job, path[step], actor=self.state.actor, now=self.uow.now, via=Via.SYNC
                    ),
                )
                for job, path in paths.items()
                if len(path) > step
            ]
            await self._flush()
            for job, done in fired:
                self.uow.log(EntityKind.JOB, job, done.trigger, done.source.value, self.state.actor)
        return list(paths)

    async def _finish_milestones(self) -> None:
        actor = self.state.actor
        job_ids = {m.job_id for m in self.created}
        jobs = {}
        if job_ids:
            rows = await self.uow.session.scalars(select(Job).where(Job.id.in_(job_ids)))
            jobs = {job.id: job for job in rows}
        fresh = [
            effects.new_pro_pay(jobs[m.job_id], m, self.uow.now)
            for m in self.created
            if jobs[m.job_id].recurring
            and jobs[m.job_id].exclusion_rule_id is None
            and jobs[m.job_id].status is not JobStatus.CANCELED
        ]
        await effects.add_pro_pays(self.uow, actor, fresh)
        self.state.report.pro_pays_created += len(fresh)
        self.state.report.queued_for_approval += await effects.queue_for_approval(
            self.uow,
            actor,
            milestone_ids=[m.id for m in self.completed_milestones],
            why="The milestone was completed in the integration",
        )


async def apply_chunk(state: RunState, kind: str, records: Sequence[Mapping[str, Any]]) -> None:
    """Apply one chunk of one kind and commit it with its issues."""
    async with UnitOfWork(state.ctx) as uow:
        await plan_per_chunk(uow)
        await Chunk(state, uow, kind).run(records)
        await state.write_issues(uow)
        await uow.commit()
