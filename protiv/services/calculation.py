"""From rows to the pure calculation: gather a ProPay's budget, crew, time and pool, and turn
the resulting breakdown into the plain dict that is frozen at approval and shown in GraphQL.

Inputs for many ProPays are loaded together (one query per table), so previewing a page of
ProPays costs the same few queries whatever its size.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import fields, is_dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from protiv import calc
from protiv.domain.bonus import WorkerRole
from protiv.domain.errors import ValidationFailed
from protiv.persistence.models import (
    BonusPool,
    BonusPoolMember,
    Branch,
    Company,
    Disqualifier,
    Division,
    Job,
    Penalty,
    ProPay,
    ProPayTaskBudget,
    ProPayWorker,
    Route,
    TimeEntry,
    Worker,
)

DEFAULT_CREW_LEAD_WEIGHT = Decimal("1.5")  # the lead's weight in [S13]'s example


class Inputs:
    """Rows loaded for a batch of ProPays, indexed for building each CalcInput."""

    def __init__(self) -> None:
        self.jobs: dict[int, Job] = {}
        self.entries: dict[int, list[TimeEntry]] = defaultdict(list)  # by job id
        self.workers: dict[int, Worker] = {}
        self.overrides: dict[int, list[ProPayWorker]] = defaultdict(list)
        self.disqualifiers: dict[int, list[Disqualifier]] = defaultdict(list)
        self.penalties: dict[int, list[Penalty]] = defaultdict(list)
        self.tasks: dict[int, list[ProPayTaskBudget]] = defaultdict(list)  # by ProPay id
        self.pools: dict[int, BonusPool] = {}
        self.pool_members: dict[int, tuple[int, ...]] = {}  # pool id -> OTHER worker ids
        self.route_division: dict[int, int | None] = {}
        self.branch_pool: dict[int, int | None] = {}
        self.branches: dict[int, Branch] = {}  # the companies' branches (their pay cycles)
        self.division_pool: dict[int, int | None] = {}
        self.companies: dict[int, Company] = {}
        self.default_pool: dict[int, int] = {}  # company id -> its default pool id


def _by(column: Any, *order: Any) -> Any:
    """``SELECT entity WHERE column IN :keys``, built once: constructing a statement and its
    cache key costs more than running it (a batch of one ProPay runs thirteen of these)."""
    entity = column.class_
    return select(entity).where(column.in_(bindparam("keys", expanding=True))).order_by(*order)


JOBS = _by(Job.id)
ENTRIES = _by(TimeEntry.job_id)
OVERRIDES = _by(ProPayWorker.pro_pay_id)
DISQUALIFIERS = _by(Disqualifier.pro_pay_id)
PENALTIES = _by(Penalty.pro_pay_id)
TASKS = _by(ProPayTaskBudget.pro_pay_id, ProPayTaskBudget.id)
WORKERS = _by(Worker.id)
COMPANIES = _by(Company.id)
BRANCHES = _by(Branch.company_id)
DIVISIONS = _by(Division.company_id)
ROUTES = _by(Route.company_id)
MEMBERS = _by(BonusPoolMember.pool_id, BonusPoolMember.worker_id)
POOLS = _by(BonusPool.company_id).where(
    or_(BonusPool.manual.is_(False), BonusPool.id.in_(bindparam("own", expanding=True)))
)


async def _rows(session: AsyncSession, stmt: Any, keys: Iterable[Any], **more: Any) -> list[Any]:
    """The rows of a prebuilt ``_by`` statement for ``keys`` (none asked for: no query)."""
    listed = list(keys)
    if not listed:
        return []
    return list((await session.execute(stmt, {"keys": listed, **more})).scalars().all())


async def load_inputs(session: AsyncSession, pro_pays: Sequence[ProPay]) -> Inputs:
    """One query per table for the whole batch."""
    data = Inputs()
    if not pro_pays:
        return data
    ids = [p.id for p in pro_pays]
    job_ids = {p.job_id for p in pro_pays}
    company_ids = {p.company_id for p in pro_pays}
    data.jobs = {j.id: j for j in await _rows(session, JOBS, job_ids)}
    for entry in await _rows(session, ENTRIES, job_ids):
        data.entries[entry.job_id].append(entry)
    for row in await _rows(session, OVERRIDES, ids):
        data.overrides[row.pro_pay_id].append(row)
    for d in await _rows(session, DISQUALIFIERS, ids):
        data.disqualifiers[d.pro_pay_id].append(d)
    for pen in await _rows(session, PENALTIES, ids):
        data.penalties[pen.pro_pay_id].append(pen)
    for task in await _rows(session, TASKS, ids):
        data.tasks[task.pro_pay_id].append(task)
    worker_ids = {e.worker_id for es in data.entries.values() for e in es}
    worker_ids |= {w for p in pro_pays for w in (p.crew_lead_id, p.manager_id) if w}
    worker_ids |= {j.manager_id for j in data.jobs.values() if j.manager_id}
    data.workers = {w.id: w for w in await _rows(session, WORKERS, worker_ids)}
    await _load_pools(session, data, company_ids, {p.pool_id for p in pro_pays if p.pool_id})
    return data


async def load_pool_inputs(session: AsyncSession, pro_pays: Sequence[ProPay]) -> Inputs:
    """Only what ``pool_source`` reads (jobs, routes, divisions, branches, pools): no time."""
    data = Inputs()
    if not pro_pays:
        return data
    job_ids = {p.job_id for p in pro_pays}
    data.jobs = {j.id: j for j in await _rows(session, JOBS, job_ids)}
    own = {p.pool_id for p in pro_pays if p.pool_id}
    await _load_pools(session, data, {p.company_id for p in pro_pays}, own)
    return data


async def _load_pools(
    session: AsyncSession, data: Inputs, company_ids: set[int], own_pool_ids: set[int]
) -> None:
    """The companies' shared pools and where they apply, plus the batch's own (manual) pools."""
    data.companies = {c.id: c for c in await _rows(session, COMPANIES, company_ids)}
    branches = await _rows(session, BRANCHES, company_ids)
    data.branches = {b.id: b for b in branches}
    data.branch_pool = {b.id: b.pool_id for b in branches}
    divisions = await _rows(session, DIVISIONS, company_ids)
    data.division_pool = {d.id: d.pool_id for d in divisions}
    routes = await _rows(session, ROUTES, company_ids)
    data.route_division = {r.id: r.division_id for r in routes}
    pools = await _rows(session, POOLS, company_ids, own=list(own_pool_ids))
    data.pools = {p.id: p for p in pools}
    data.default_pool = {p.company_id: p.id for p in pools if p.is_company_default}
    members: dict[int, list[int]] = defaultdict(list)
    for member in await _rows(session, MEMBERS, data.pools):
        members[member.pool_id].append(member.worker_id)
    data.pool_members = {pool_id: tuple(ids) for pool_id, ids in members.items()}


def division_of(job: Job, data: Inputs) -> int | None:
    """The job's division: its own, else its route's (Branch > Division > Route > Job)."""
    if job.division_id is not None:
        return job.division_id
    return data.route_division.get(job.route_id) if job.route_id is not None else None


def pool_source(pro_pay: ProPay, data: Inputs) -> tuple[str, BonusPool | None]:
    """Which pool applies and where it came from: the ProPay's own (MANUAL when it is the
    ProPay's own percentages), else its division's, its branch's, the company default, else
    BUILT_IN (the defaults of domain-research §5.8)."""
    job = data.jobs[pro_pay.job_id]
    division = division_of(job, data)
    own = data.pools.get(pro_pay.pool_id) if pro_pay.pool_id is not None else None
    for source, pool_id in (
        ("MANUAL" if own is not None and own.manual else "PRO_PAY", pro_pay.pool_id),
        ("DIVISION", data.division_pool.get(division) if division else None),
        ("BRANCH", data.branch_pool.get(job.branch_id) if job.branch_id else None),
        ("COMPANY_DEFAULT", data.default_pool.get(pro_pay.company_id)),
    ):
        if pool_id is not None and pool_id in data.pools:
            return source, data.pools[pool_id]
    return "BUILT_IN", None


def pool_for(pro_pay: ProPay, data: Inputs) -> BonusPool | None:
    """The ProPay's own pool, else its division's, its branch's, the company default."""
    return pool_source(pro_pay, data)[1]


def pool_input(row: BonusPool | None, data: Inputs) -> calc.Pool:
    """The calculation's pool, with the pool's OTHER members."""
    return to_pool(row, data.pool_members.get(row.id, ()) if row is not None else ())


def to_pool(row: BonusPool | None, other_member_ids: tuple[int, ...] = ()) -> calc.Pool:
    if row is None:
        return calc.Pool()
    return calc.Pool(
        crew_pct=row.crew_pct,
        crew_lead_pct=row.crew_lead_pct,
        manager_pct=row.manager_pct,
        company_pct=row.company_pct,
        other_pct=row.other_pct,
        split_savings_pct=row.split_savings_pct,
        other_member_ids=other_member_ids,
    )


def to_budget(p: ProPay, tasks: Iterable[ProPayTaskBudget] = ()) -> calc.Budget:
    """The calculation's budget; ``tasks`` are the ProPay's task budgets (TASK_* types)."""
    return calc.Budget(
        type=p.budget_type,
        hours=p.budget_hours,
        amount=p.budget_amount,
        contract_price=p.contract_price,
        labor_pct=p.labor_pct,
        rate=p.rate,
        quantity=p.quantity,
        tasks=tuple(calc.TaskBudget(t.task, hours=t.hours, amount=t.amount) for t in tasks),
        adjustment=p.adjustment_type,
        adjustment_value=p.adjustment_value,
    )


def calc_input(p: ProPay, data: Inputs) -> calc.CalcInput:
    job = data.jobs[p.job_id]
    entries = [
        e
        for e in data.entries[p.job_id]
        if p.milestone_id is None or e.milestone_id == p.milestone_id
    ]
    overrides = {o.worker_id: o for o in data.overrides[p.id]}
    crew = tuple(
        _member(data.workers[w], overrides.get(w)) for w in sorted({e.worker_id for e in entries})
    )
    crew_lead_id = p.crew_lead_id or _first_crew_lead(crew, data)
    company = data.companies[p.company_id]
    include_drive = (
        p.include_drive_time if p.include_drive_time is not None else company.include_drive_time
    )
    return calc.CalcInput(
        budget=to_budget(p, data.tasks[p.id]),
        crew=tuple(
            calc.CrewMember(
                worker_id=m.worker_id,
                wage=m.wage,
                burden_pct=m.burden_pct,
                remove_bonus=m.remove_bonus,
                is_crew_lead=m.worker_id == crew_lead_id,
                manual_amount=m.manual_amount,
            )
            for m in crew
        ),
        entries=tuple(
            calc.TimeEntry(
                worker_id=e.worker_id,
                hours=e.hours,
                kind=e.kind,
                overtime_hours=e.overtime_hours,
                task=e.task,
            )
            for e in sorted(entries, key=lambda e: e.id)
        ),
        pool=pool_input(pool_for(p, data), data),
        distribution=p.distribution,
        crew_lead_id=crew_lead_id,
        manager_id=p.manager_id or job.manager_id,
        include_drive_time=include_drive,
        use_burden=p.use_burden,
        exclude_overtime_cost=p.exclude_overtime_cost,
        disqualifier_results=tuple(d.result for d in data.disqualifiers[p.id]),
        penalties=tuple(calc.Penalty(name=x.name, amount=x.amount) for x in data.penalties[p.id]),
        crew_lead_weight=p.crew_lead_weight or DEFAULT_CREW_LEAD_WEIGHT,
    )


def _member(worker: Worker, override: ProPayWorker | None) -> calc.CrewMember:
    remove = worker.remove_bonus
    if override is not None and override.remove_bonus is not None:
        remove = override.remove_bonus
    wage = (
        override.wage_override if override and override.wage_override is not None else worker.wage
    )
    return calc.CrewMember(
        worker_id=worker.id,
        wage=wage,
        burden_pct=worker.burden_pct,
        remove_bonus=remove,
        manual_amount=override.manual_amount if override else None,
    )


def _first_crew_lead(crew: Iterable[calc.CrewMember], data: Inputs) -> int | None:
    for member in crew:
        if data.workers[member.worker_id].role is WorkerRole.CREW_LEAD:
            return member.worker_id
    return None


def to_plain(value: Any) -> Any:
    """A breakdown as JSON-ready data: Decimals as strings (exact), enums by value."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


def freeze(breakdown: calc.Breakdown) -> str:
    return json.dumps(to_plain(breakdown), sort_keys=True)


def thaw(frozen: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(frozen)
    return result


async def previews(session: AsyncSession, pro_pays: Sequence[ProPay]) -> list[dict[str, Any] | str]:
    """The live breakdown of each ProPay as plain data, or why it cannot be calculated yet."""
    data = await load_inputs(session, pro_pays)
    results: list[dict[str, Any] | str] = []
    for pro_pay in pro_pays:
        try:
            inputs = calc_input(pro_pay, data)
            problem = calc.budget_error(inputs.budget)
            results.append(problem if problem else to_plain(calc.calculate(inputs)))
        except ValidationFailed as error:
            results.append(error.message)
    return results
