"""The company and its structure: branches, divisions, routes, bonus pools, integrations,
API tokens. Branches and routes are synced mirrors; divisions and pools are made here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from protiv.domain.roles import Role
from protiv.domain.statuses import IntegrationStatus
from protiv.persistence.base import Base
from protiv.persistence.types import BigId, Exact, UTCDateTime, enum_column

D = Decimal


class Company(Base):
    __tablename__ = "company"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="America/Chicago")
    include_drive_time: Mapped[bool] = mapped_column(default=False)
    waiting_days: Mapped[int] = mapped_column(default=7)
    pay_period_kind: Mapped[str] = mapped_column(String(16), default="WEEKLY")
    pay_period_anchor: Mapped[date] = mapped_column(default=date(2026, 1, 5))  # a Monday


class BonusPool(Base):
    """How the worker share of savings splits into role buckets (percentages total 100)."""

    __tablename__ = "bonus_pool"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    crew_pct: Mapped[Decimal] = mapped_column(Exact, default=D(70))
    crew_lead_pct: Mapped[Decimal] = mapped_column(Exact, default=D(20))
    manager_pct: Mapped[Decimal] = mapped_column(Exact, default=D(10))
    company_pct: Mapped[Decimal] = mapped_column(Exact, default=D(0))
    other_pct: Mapped[Decimal] = mapped_column(Exact, default=D(0))
    split_savings_pct: Mapped[Decimal] = mapped_column(Exact, default=D(50))
    retention_days_crew: Mapped[int] = mapped_column(default=0)
    retention_days_crew_lead: Mapped[int] = mapped_column(default=0)
    retention_days_manager: Mapped[int] = mapped_column(default=0)
    retention_days_other: Mapped[int] = mapped_column(default=0)
    roll_over_negative: Mapped[bool] = mapped_column(default=True)
    is_company_default: Mapped[bool] = mapped_column(default=False)  # used when nothing else is set
    # A ProPay's own percentages (a "manual pool"): owned by the one ProPay whose pool_id names
    # it, never listed or assigned elsewhere.
    manual: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class BonusPoolMember(Base):
    """A named recipient of a pool's OTHER bucket (OTHER % > 0 needs at least one)."""

    __tablename__ = "bonus_pool_member"
    __table_args__ = (UniqueConstraint("pool_id", "worker_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("bonus_pool.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))


class Integration(Base):
    """A connection to the company's job management system (Aspire, Jobber, a file drop)."""

    __tablename__ = "integration"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[IntegrationStatus] = mapped_column(
        enum_column(IntegrationStatus), default=IntegrationStatus.PENDING
    )
    version: Mapped[int] = mapped_column(default=1)
    schedule_minutes: Mapped[int] = mapped_column(default=20)
    budget_sync: Mapped[bool] = mapped_column(default=False)
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(String(2000), default=None)
    # A file-drop integration's folder: JSON, JSON Lines or CSV files picked up when due.
    drop_folder: Mapped[str | None] = mapped_column(String(500), default=None)

    __mapper_args__ = {"version_id_col": version}


class Branch(Base):
    __tablename__ = "branch"
    __table_args__ = (UniqueConstraint("company_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("bonus_pool.id"), default=None)
    # the branch's own payroll cycle (both set) instead of the company's (both None)
    pay_period_kind: Mapped[str | None] = mapped_column(String(16), default=None)
    pay_period_anchor: Mapped[date | None] = mapped_column(default=None)


class Division(Base):
    __tablename__ = "division"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), default=None)
    name: Mapped[str] = mapped_column(String(200))
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("bonus_pool.id"), default=None)


class Route(Base):
    __tablename__ = "route"
    __table_args__ = (UniqueConstraint("company_id", "external_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), default=None)
    division_id: Mapped[int | None] = mapped_column(ForeignKey("division.id"), default=None)


class ApiToken(Base):
    """A bearer token: only its SHA-256 is stored; it belongs to one company and one role."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # A manager token's branches (ids); None: every branch (protiv.domain.permissions).
    branch_ids: Mapped[list[int] | None] = mapped_column(JSON, default=None)
