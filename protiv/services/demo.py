"""A realistic demo company, built the way a real one fills up.

Everything that is a synced mirror (branches, routes, workers, jobs, milestones, time) arrives
through ``sync.sync_batch`` in two runs (the records as they stood a week ago, then today's
changes: jobs completed and canceled, recent time), and every ProPay reaches its status through
the real transition services: so the demo exercises (and shows off) the same paths production
uses, with their events and line items. Only the company row and its default bonus pool are
written directly: they are settings made here, not mirrors.

The data is fixed and dated relative to the service clock, so two loads at the same moment give
the same company. ``TOUR`` names the ProPays a README walk-through uses, by job external id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from protiv.domain.errors import ValidationFailed
from protiv.domain.roles import Actor, Role
from protiv.domain.statuses import (
    JobStatus,
    LineItemStatus,
    LineItemTrigger,
    ProPayStatus,
    StatementStatus,
)
from protiv.persistence.models import (
    BonusPool,
    Company,
    Job,
    LineItem,
    Milestone,
    ProPay,
    ProPayGroup,
    Statement,
    SyncRun,
    TimeEntry,
    Worker,
)
from protiv.services import groups, line_items, pro_pays, statements, sync
from protiv.services.context import ServiceContext

DEMO_SLUG = "demo"
NAME = "Greenfield Landscaping"
TIMEZONE = "America/Denver"
PROVIDER = "aspire"

Record = dict[str, Any]

BRANCHES = (("BR-DEN", "Denver Metro"), ("BR-BLD", "Boulder"))
ROUTES = (
    ("RT-DEN-1", "Denver Route 1 — Highlands", "BR-DEN"),
    ("RT-DEN-2", "Denver Route 2 — Wash Park", "BR-DEN"),
    ("RT-BLD-1", "Boulder Route — Campus", "BR-BLD"),
)
# external id, name, field role, hourly wage, branch, burden %
WORKERS = (
    ("W-101", "Maria Lopez", "MANAGER", "34.00", "BR-DEN", "18"),
    ("W-102", "Greg Tanaka", "MANAGER", "32.00", "BR-BLD", "18"),
    ("W-201", "Diego Hernandez", "CREW_LEAD", "26.00", "BR-DEN", "15"),
    ("W-202", "Sam Whitaker", "CREW_LEAD", "25.00", "BR-DEN", "15"),
    ("W-203", "Priya Nair", "CREW_LEAD", "27.00", "BR-BLD", "15"),
    ("W-301", "Luis Ortega", "CREW", "19.00", "BR-DEN", "12"),
    ("W-302", "Tyler Brooks", "CREW", "18.50", "BR-DEN", "12"),
    ("W-303", "Ana Morales", "CREW", "20.00", "BR-DEN", "12"),
    ("W-304", "Kevin Nguyen", "CREW", "18.00", "BR-DEN", "12"),
    ("W-305", "Jamal Reed", "CREW", "21.00", "BR-DEN", "12"),
    ("W-306", "Emily Shaw", "CREW", "19.50", "BR-BLD", "12"),
    ("W-307", "Marco Silva", "CREW", "22.00", "BR-BLD", "12"),
)
# Records the integration sends that do not sync (the report says why): a worker who left, and
# a subcontractor without a wage.
SKIPPED_WORKERS: tuple[Record, ...] = (
    {"externalId": "W-398", "name": "Chris Doyle", "wage": "18.00", "active": False},
    {"externalId": "W-399", "name": "Rocky Mountain Irrigation (sub)", "role": "CREW"},
)
CREW_A = ("W-201", "W-301", "W-302")  # Diego's crew, Route 1
CREW_B = ("W-202", "W-303", "W-304", "W-305")  # Sam's crew, Route 2
CREW_C = ("W-203", "W-306", "W-307")  # Priya's crew, Boulder
PARTLY_PAID_WORKER = "W-305"  # left for the season: his J-1003 bonus went on his last check
RECENT_DAYS = 6  # time newer than this many days arrives with today's sync


@dataclass(frozen=True, slots=True)
class DemoWork:
    """A job (or a milestone of the recurring job) and the time its crew logged on it."""

    external_id: str
    name: str
    then: str  # its status in the week-old sync
    now: str  # its status in today's sync
    budget: Record = field(default_factory=dict)
    crew: tuple[str, ...] = ()
    days_ago: tuple[int, ...] = ()
    hours: str = "0"  # per worker per day
    client: str = ""
    route: str = "RT-DEN-1"
    service: str = "Maintenance"
    recurring: bool = False


JOBS = (
    DemoWork(
        "J-1001", "Highlands HOA — seasonal cleanup", "IN_PROGRESS", "COMPLETED",
        {"budgetHours": "72"}, CREW_A, (13, 12, 11), "6", "Highlands HOA", service="Cleanup",
    ),
    DemoWork(
        "J-1002", "Sloan's Lake Townhomes — mulch install", "IN_PROGRESS", "COMPLETED",
        {"budgetAmount": "1500"}, CREW_B, (10, 9), "7", "Sloan's Lake Townhomes", "RT-DEN-2",
        "Enhancement",
    ),
    DemoWork(
        "J-1003", "Wash Park residence — paver patio", "IN_PROGRESS", "COMPLETED",
        {"contractPrice": "8400"}, CREW_B, (8, 7, 6), "7.5", "Ellen Park", "RT-DEN-2",
        "Hardscape",
    ),
    DemoWork(
        "J-1004", "Cherry Creek office park — weekly grounds care", "PENDING", "IN_PROGRESS",
        {"budgetHours": "30"}, CREW_A, (5, 4), "4", "Cherry Creek Partners",
    ),
    DemoWork(
        "J-1005", "Belmar retail center — irrigation repair", "PENDING", "IN_PROGRESS",
        {}, ("W-202", "W-305"), (3, 2), "5", "Belmar Retail LLC", "RT-DEN-2", "Irrigation",
    ),
    DemoWork(
        "J-1006", "Berkeley Park HOA — leaf removal & edging", "PENDING", "IN_PROGRESS",
        {"budgetHours": "16"}, CREW_A, (3,), "4.5", "Berkeley Park HOA",
    ),
    DemoWork(
        "J-1007", "Tennyson St. storefronts — bed maintenance", "PENDING", "IN_PROGRESS",
        {"budgetHours": "10"}, CREW_A, (2,), "3.5", "Tennyson Street Merchants",
    ),
    DemoWork(
        "J-1008", "Lowry residence — sod install", "PENDING", "PENDING",
        {"budgetHours": "20"}, client="Raj Patel", route="RT-DEN-2", service="Install",
    ),
    DemoWork(
        "J-1009", "Green Valley Ranch — core aeration", "IN_PROGRESS", "CANCELED",
        {"budgetHours": "12"}, ("W-301", "W-302"), (9,), "3", "Green Valley Ranch HOA",
        service="Aeration",
    ),
    DemoWork(
        "J-1010", "Highlands HOA — seasonal cleanup (entered twice)", "PENDING", "PENDING",
        {"budgetHours": "72"}, client="Highlands HOA", service="Cleanup",
    ),
    DemoWork(
        "J-1011", "Applewood residence — drainage regrade", "PENDING", "PENDING",
        {"budgetHours": "40"}, client="Dana Whitfield", route="RT-DEN-2", service="Drainage",
    ),
    DemoWork(
        "J-2001", "Boulder Tech Campus — grounds contract", "IN_PROGRESS", "IN_PROGRESS",
        client="Boulder Tech Campus", route="RT-BLD-1", recurring=True,
    ),
)  # fmt: skip
RECURRING_JOB = "J-2001"
MILESTONES = (
    DemoWork(
        "M-2001-1", "Seasonal cleanup", "COMPLETED", "COMPLETED",
        {"budgetHours": "36"}, CREW_C, (12, 11), "5.5",
    ),
    DemoWork(
        "M-2001-2", "Grounds visit — week 1", "COMPLETED", "COMPLETED",
        {"budgetHours": "9"}, CREW_C, (6,), "3",
    ),
    DemoWork(
        "M-2001-3", "Grounds visit — week 2", "SCHEDULED", "IN_PROGRESS",
        {"budgetHours": "9"}, CREW_C, (1,), "2.5",
    ),
)  # fmt: skip
DRIVE = ("J-1004", "W-201", 5, "0.75")  # job, worker, days ago, hours: excluded from cost
# A record in a status that does not sync: reported as ignored, never stored.
DRAFT_JOB: Record = {"externalId": "J-1099", "name": "Arvada HOA — estimate", "status": "DRAFT"}


@dataclass(frozen=True, slots=True)
class TourStop:
    job: str  # the job's external id
    note: str


TOUR: dict[str, TourStop] = {
    "approve": TourStop("J-1004", "under budget and in no group: approve it"),
    "no_budget": TourStop("J-1005", "no budget came with the job: its calculation says what is missing"),
    "group_member": TourStop("J-1006", "in an ACTIVE group: approving it alone is refused (GROUP_MEMBER)"),
    "held": TourStop("J-1002", "its line items are HELD for the 7-day waiting period"),
    "cancel_refused": TourStop("J-1003", "one worker's statement is PAID: cancel is refused (BONUS_ALREADY_PAID)"),
    "paid": TourStop("J-1001", "every line item paid with its statement"),
    "restore": TourStop("J-1011", "canceled by a manager (project paused): restore it"),
    "canceled_by_sync": TourStop("J-1009", "the job was canceled in the integration; its time is kept"),
    "deleted": TourStop("J-1010", "a duplicate job: hidden from active lists, kept for audit"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Highlight:
    """One ProPay a tour visits: where it is now and what to try with it."""

    key: str
    pro_pay_id: int
    title: str
    status: str
    note: str


@dataclass(slots=True)
class DemoSummary:
    """What the demo company holds now (counts by status) and the ProPays of the tour."""

    company_id: int
    slug: str
    name: str
    workers: int
    jobs: dict[str, int]
    milestones: int
    time_entries: int
    sync_runs: int
    pro_pays: dict[str, int]
    groups: dict[str, int]
    line_items: dict[str, int]
    statements: dict[str, int]
    highlights: list[Highlight]
    group_id: int | None = None
    group_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------------------------
# Loading


async def load_demo(ctx: ServiceContext, *, slug: str = DEMO_SLUG) -> DemoSummary:
    """Create the demo company under ``slug`` and drive it to a state with every ProPay status.

    Raises ValidationFailed when a company with that slug exists already.
    """
    today = ctx.clock().astimezone(ZoneInfo(TIMEZONE)).date()
    company_id = await _create_company(ctx, slug)
    integration = Actor(company_id=company_id, role=Role.INTEGRATION, name="aspire-sync")
    await sync.sync_batch(ctx, integration, earlier_batch(today), provider=PROVIDER)
    await sync.sync_batch(ctx, integration, todays_batch(today), provider=PROVIDER)
    await _drive_pro_pays(ctx, company_id, today)
    return await summarize(ctx, company_id)


async def find_company(ctx: ServiceContext, slug: str) -> Company | None:
    async with ctx.db.read() as session:
        return await session.scalar(select(Company).where(Company.slug == slug))


async def any_company(ctx: ServiceContext) -> bool:
    """True once the database holds a company (``serve --demo`` loads only into an empty one)."""
    async with ctx.db.read() as session:
        return await session.scalar(select(Company.id).limit(1)) is not None


async def _create_company(ctx: ServiceContext, slug: str) -> int:
    """The company and its default pool (crew 70 / lead 20 / manager 10, savings split 50%)."""
    if await find_company(ctx, slug) is not None:
        raise ValidationFailed(f"A company with slug {slug!r} exists already.", field=["slug"])
    async with ctx.db.write() as session, session.begin():
        company = Company(slug=slug, name=NAME, timezone=TIMEZONE, waiting_days=7)
        session.add(company)
        await session.flush()
        session.add(
            BonusPool(
                company_id=company.id,
                name="Standard crew pool",
                crew_pct=Decimal(70),
                crew_lead_pct=Decimal(20),
                manager_pct=Decimal(10),
                company_pct=Decimal(0),
                other_pct=Decimal(0),
                split_savings_pct=Decimal(50),
                is_company_default=True,
            )
        )
    return company.id


# ---------------------------------------------------------------------------------------------
# The two sync batches


def earlier_batch(today: date) -> Record:
    """The first sync: the organisation, every job as it stood a week ago, and older time."""
    return {
        "branches": [{"externalId": e, "name": n} for e, n in BRANCHES],
        "routes": [{"externalId": e, "name": n, "branch": b} for e, n, b in ROUTES],
        "workers": [_worker(*row) for row in WORKERS] + list(SKIPPED_WORKERS),
        "jobs": [_job_record(job, job.then) for job in JOBS] + [DRAFT_JOB],
        "milestones": [_milestone_record(m, m.then) for m in MILESTONES],
        "timeEntries": _time(today, lambda days: days >= RECENT_DAYS),
    }


def todays_batch(today: date) -> Record:
    """Today's sync: the jobs and milestones whose status moved, and the recent time."""
    return {
        "jobs": [_job_record(job, job.now) for job in JOBS if job.now != job.then],
        "milestones": [_milestone_record(m, m.now) for m in MILESTONES if m.now != m.then],
        "timeEntries": _time(today, lambda days: days < RECENT_DAYS),
    }


def _worker(external_id: str, name: str, role: str, wage: str, branch: str, burden: str) -> Record:
    first, last = name.lower().split(" ", 1)
    return {
        "externalId": external_id,
        "name": name,
        "email": f"{first}.{last.replace(' ', '')}@greenfield.example",
        "role": role,
        "wage": wage,
        "burdenPct": burden,
        "branch": branch,
        "payrollId": f"ADP-{external_id[2:]}",
    }


def _job_record(job: DemoWork, status: str) -> Record:
    boulder = job.route == "RT-BLD-1"
    return {
        "externalId": job.external_id,
        "name": job.name,
        "status": status,
        "client": job.client,
        "branch": "BR-BLD" if boulder else "BR-DEN",
        "route": job.route,
        "manager": "W-102" if boulder else "W-101",
        "serviceType": job.service,
        "recurring": job.recurring,
        **job.budget,
    }


def _milestone_record(milestone: DemoWork, status: str) -> Record:
    return {
        "externalId": milestone.external_id,
        "job": RECURRING_JOB,
        "name": milestone.name,
        "status": status,
        **milestone.budget,
    }


def _time(today: date, wanted: Callable[[int], bool]) -> list[Record]:
    """The time entries of every job and milestone on the days ``wanted(days_ago)`` accepts."""
    entries: list[Record] = []
    work: list[tuple[DemoWork, str, str | None]] = [(j, j.external_id, None) for j in JOBS]
    work += [(m, RECURRING_JOB, m.external_id) for m in MILESTONES]
    for item, job, milestone in work:
        for days in filter(wanted, item.days_ago):
            day = today - timedelta(days=days)
            for worker in item.crew:
                entry = _entry(f"TE-{item.external_id}-{worker}-{day:%m%d}", worker, job, day)
                entries.append(entry | {"hours": item.hours, "milestone": milestone})
    job, worker, days, hours = DRIVE
    if wanted(days):
        day = today - timedelta(days=days)
        drive = _entry(f"TE-{job}-{worker}-{day:%m%d}-drive", worker, job, day)
        entries.append(drive | {"hours": hours, "kind": "DRIVE"})
    return entries


def _entry(external_id: str, worker: str, job: str, day: date) -> Record:
    return {"externalId": external_id, "worker": worker, "job": job, "date": day.isoformat()}


# ---------------------------------------------------------------------------------------------
# Driving ProPays through their lifecycles


async def _drive_pro_pays(ctx: ServiceContext, company_id: int, today: date) -> None:
    """Group two, approve three, pay one fully and one partly, cancel one, delete one."""
    manager = Actor(company_id=company_id, role=Role.MANAGER, name="Maria Lopez")
    payroll = Actor(company_id=company_id, role=Role.PAYROLL, name="Dana Brooks")
    ids = await pro_pay_ids(ctx, company_id)
    week_of = today - timedelta(days=today.weekday())
    await groups.create(
        ctx, manager, f"Route 1 Highlands — week of {week_of:%b %d}", [ids["J-1006"], ids["J-1007"]]
    )
    paid = await pro_pays.approve(ctx, manager, ids["J-1001"], reason="Walk-through passed.")
    await pro_pays.approve(ctx, manager, ids["J-1002"])
    partly = await pro_pays.approve(ctx, manager, ids["J-1003"], reason="Customer signed off.")
    await _pay_out(ctx, payroll, paid.record.line_items, today, "Paid with this week's payroll.")
    leaver = await _worker_id(ctx, company_id, PARTLY_PAID_WORKER)
    early = [item for item in partly.record.line_items if item.worker_id == leaver]
    await _pay_out(ctx, payroll, early, today, "Left for the season: paid on the final check.")
    await pro_pays.cancel(
        ctx, manager, ids["J-1011"], reason="Customer paused the project until spring."
    )
    await pro_pays.delete(ctx, manager, ids["J-1010"], reason="Entered twice; J-1001 is the job.")


async def _pay_out(
    ctx: ServiceContext, payroll: Actor, items: Sequence[LineItem], today: date, reason: str
) -> None:
    """Release the items by hand (before their waiting period ends), then pay their statements."""
    for item in items:
        await line_items.transition(ctx, payroll, item.id, LineItemTrigger.RELEASE, reason=reason)
    for statement_id in sorted({item.statement_id for item in items}):
        await statements.pay(ctx, payroll, statement_id, today)


async def pro_pay_ids(ctx: ServiceContext, company_id: int) -> dict[str, int]:
    """ProPay ids by the external id of their job (or milestone, for a recurring job)."""
    async with ctx.db.read() as session:
        rows = await session.execute(
            select(ProPay.id, Job.external_id, Milestone.external_id)
            .join(Job, Job.id == ProPay.job_id)
            .outerjoin(Milestone, Milestone.id == ProPay.milestone_id)
            .where(ProPay.company_id == company_id)
        )
        return {milestone or job: pro_pay_id for pro_pay_id, job, milestone in rows}


async def _worker_id(ctx: ServiceContext, company_id: int, external_id: str) -> int:
    async with ctx.db.read() as session:
        worker_id = await session.scalar(
            select(Worker.id).where(
                Worker.company_id == company_id, Worker.external_id == external_id
            )
        )
    assert worker_id is not None, external_id
    return int(worker_id)


# ---------------------------------------------------------------------------------------------
# Summary


async def summarize(ctx: ServiceContext, company_id: int) -> DemoSummary:
    """Counts by status of what the company holds now, and the tour's ProPays as they are now
    (also for a demo loaded earlier and played with since)."""
    async with ctx.db.read() as session:
        company = await session.get_one(Company, company_id)

        async def count(model: Any) -> int:
            stmt = select(func.count()).select_from(model).where(model.company_id == company_id)
            return int(await session.scalar(stmt) or 0)

        async def by_status(model: Any, statuses: Iterable[Any]) -> dict[str, int]:
            stmt = (
                select(model.status, func.count())
                .where(model.company_id == company_id)
                .group_by(model.status)
            )
            found = {status: int(n) for status, n in await session.execute(stmt)}
            return {s.value: found.get(s, 0) for s in statuses}

        group = await session.scalar(
            select(ProPayGroup).where(ProPayGroup.company_id == company_id).order_by(ProPayGroup.id)
        )
        return DemoSummary(
            company_id=company_id,
            slug=company.slug,
            name=company.name,
            workers=await count(Worker),
            jobs=await by_status(Job, JobStatus),
            milestones=await count(Milestone),
            time_entries=await count(TimeEntry),
            sync_runs=await count(SyncRun),
            pro_pays=await by_status(ProPay, ProPayStatus),
            groups=await by_status(ProPayGroup, ProPayStatus),
            line_items=await by_status(LineItem, LineItemStatus),
            statements=await by_status(Statement, StatementStatus),
            highlights=await _highlights(session, company_id),
            group_id=group.id if group else None,
            group_name=group.name if group else None,
        )


async def _highlights(session: Any, company_id: int) -> list[Highlight]:
    rows = await session.execute(
        select(ProPay, Job.external_id)
        .join(Job, Job.id == ProPay.job_id)
        .where(ProPay.company_id == company_id, Job.external_id.in_([t.job for t in TOUR.values()]))
    )
    by_job = {external_id: pro_pay for pro_pay, external_id in rows}
    return [
        # positional: only the machines pass ``status=`` (the architecture test checks)
        Highlight(key, by_job[stop.job].id, by_job[stop.job].title, by_job[stop.job].status.value, stop.note)
        for key, stop in TOUR.items()
        if stop.job in by_job
    ]  # fmt: skip
