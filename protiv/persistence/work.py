"""Synced operational records: workers, jobs, milestones, time entries. Read-only mirrors of
the integration, upserted by (company, external id); only a few fields are editable here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from protiv.domain.bonus import TimeKind, WorkerRole
from protiv.domain.statuses import JobStatus
from protiv.persistence.base import Base
from protiv.persistence.types import BigId, Exact, enum_column


class Worker(Base):
    __tablename__ = "worker"
    __table_args__ = (UniqueConstraint("company_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200), default=None)
    role: Mapped[WorkerRole] = mapped_column(enum_column(WorkerRole), default=WorkerRole.CREW)
    wage: Mapped[Decimal] = mapped_column(Exact)
    burden_pct: Mapped[Decimal] = mapped_column(Exact, default=Decimal(0))
    active: Mapped[bool] = mapped_column(default=True)
    remove_bonus: Mapped[bool] = mapped_column(default=False)
    payroll_id: Mapped[str | None] = mapped_column(String(64), default=None)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), default=None)
    version: Mapped[int] = mapped_column(default=1)
    # Fields edited here (comma-separated: wage,role,active); sync leaves them as edited.
    local_edits: Mapped[str] = mapped_column(String(200), default="")

    __mapper_args__ = {"version_id_col": version}


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (UniqueConstraint("company_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integration.id"), default=None)
    external_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.PENDING)
    version: Mapped[int] = mapped_column(default=1)
    client_name: Mapped[str | None] = mapped_column(String(200), default=None)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), default=None)
    division_id: Mapped[int | None] = mapped_column(ForeignKey("division.id"), default=None)
    route_id: Mapped[int | None] = mapped_column(ForeignKey("route.id"), default=None)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"), default=None)
    service_type: Mapped[str | None] = mapped_column(String(120), default=None)
    invoice_type: Mapped[str | None] = mapped_column(String(120), default=None)
    property_id: Mapped[str | None] = mapped_column(String(120), default=None)
    recurring: Mapped[bool] = mapped_column(default=False)
    budget_hours: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    budget_amount: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    contract_price: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    excluded_reason: Mapped[str | None] = mapped_column(String(300), default=None)
    exclusion_rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("exclusion_rule.id"), default=None
    )
    # Fields edited here (comma-separated: budget,manager); sync keeps a local budget unless
    # the integration's budget sync is on.
    local_edits: Mapped[str] = mapped_column(String(200), default="")

    __mapper_args__ = {"version_id_col": version}


class Milestone(Base):
    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("company_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    source_status: Mapped[str] = mapped_column(String(32), default="PENDING")
    progress_pct: Mapped[Decimal] = mapped_column(Exact, default=Decimal(0))
    budget_hours: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    budget_amount: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class TimeEntry(Base):
    __tablename__ = "time_entry"
    __table_args__ = (
        UniqueConstraint("company_id", "external_id"),
        Index("ix_time_entry_job_worker", "job_id", "worker_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # No index of its own: the unique (company_id, external_id) one serves lookups by company.
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    external_id: Mapped[str] = mapped_column(String(120))
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"))
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id"), default=None)
    work_date: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Exact)
    overtime_hours: Mapped[Decimal] = mapped_column(Exact, default=Decimal(0))
    kind: Mapped[TimeKind] = mapped_column(enum_column(TimeKind), default=TimeKind.WORK)
    task: Mapped[str | None] = mapped_column(String(120), default=None)
