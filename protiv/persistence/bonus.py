"""ProPays and their groups: the calculation containers, plus the safeguards answered at
approval (disqualifiers, penalties) and per-ProPay crew overrides."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from protiv.domain.bonus import AdjustmentType, BudgetType, DisqualifierResult, Distribution
from protiv.domain.statuses import ProPayStatus
from protiv.persistence.base import Base
from protiv.persistence.ledger import LineItem
from protiv.persistence.types import BigId, Exact, UTCDateTime, enum_column
from protiv.persistence.work import Job


class ProPayGroup(Base):
    """ProPays approved as one unit (a route and a period, or built by hand)."""

    __tablename__ = "pro_pay_group"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    route_id: Mapped[int | None] = mapped_column(ForeignKey("route.id"), default=None)
    period_start: Mapped[date | None] = mapped_column(default=None)
    period_end: Mapped[date | None] = mapped_column(default=None)
    status: Mapped[ProPayStatus] = mapped_column(
        enum_column(ProPayStatus), default=ProPayStatus.ACTIVE
    )
    version: Mapped[int] = mapped_column(default=1)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("bonus_pool.id"), default=None)
    distribution: Mapped[Distribution] = mapped_column(
        enum_column(Distribution), default=Distribution.BY_HOURS
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    approved_by: Mapped[str | None] = mapped_column(String(200), default=None)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    calculation: Mapped[str | None] = mapped_column(Text, default=None)

    members: Mapped[list[ProPay]] = relationship(
        back_populates="group", lazy="raise", order_by="ProPay.id"
    )

    __mapper_args__ = {"version_id_col": version}


class ProPay(Base):
    """The labour budget of one job (or milestone): collects time, computes savings, and on
    approval freezes its figures into line items."""

    __tablename__ = "pro_pay"
    __table_args__ = (Index("ix_pro_pay_company_status_id", "company_id", "status", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestone.id"), default=None)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("pro_pay_group.id"), default=None, index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[ProPayStatus] = mapped_column(
        enum_column(ProPayStatus), default=ProPayStatus.ACTIVE
    )
    version: Mapped[int] = mapped_column(default=1)
    budget_type: Mapped[BudgetType] = mapped_column(
        enum_column(BudgetType), default=BudgetType.HOURS
    )
    budget_hours: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    budget_amount: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    contract_price: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    labor_pct: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    rate: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    quantity: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    adjustment_type: Mapped[AdjustmentType] = mapped_column(
        enum_column(AdjustmentType), default=AdjustmentType.NONE
    )
    adjustment_value: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("bonus_pool.id"), default=None)
    distribution: Mapped[Distribution] = mapped_column(
        enum_column(Distribution), default=Distribution.BY_HOURS
    )
    crew_lead_weight: Mapped[Decimal | None] = mapped_column(Exact, default=None)  # None: 1.5
    crew_lead_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"), default=None)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("worker.id"), default=None)
    include_drive_time: Mapped[bool | None] = mapped_column(default=None)
    use_burden: Mapped[bool] = mapped_column(default=False)
    exclude_overtime_cost: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    approved_by: Mapped[str | None] = mapped_column(String(200), default=None)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    calculation: Mapped[str | None] = mapped_column(Text, default=None)  # frozen at approval
    # In the approval queue since (its job or milestone completed at the source); a column,
    # not a status: the ProPay stays ACTIVE until a manager approves it.
    ready_for_approval_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    job: Mapped[Job] = relationship(lazy="raise")
    group: Mapped[ProPayGroup | None] = relationship(back_populates="members", lazy="raise")
    line_items: Mapped[list[LineItem]] = relationship(
        lazy="raise", order_by="LineItem.id", foreign_keys="LineItem.pro_pay_id"
    )
    disqualifiers: Mapped[list[Disqualifier]] = relationship(
        lazy="raise", order_by="Disqualifier.id", cascade="all, delete-orphan"
    )
    penalties: Mapped[list[Penalty]] = relationship(
        lazy="raise", order_by="Penalty.id", cascade="all, delete-orphan"
    )
    crew: Mapped[list[ProPayWorker]] = relationship(
        lazy="raise", order_by="ProPayWorker.worker_id", cascade="all, delete-orphan"
    )
    task_budgets: Mapped[list[ProPayTaskBudget]] = relationship(
        lazy="raise", order_by="ProPayTaskBudget.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class ProPayWorker(Base):
    """Per-ProPay overrides for one worker: remove bonus, a wage for this ProPay, a manual share."""

    __tablename__ = "pro_pay_worker"
    __table_args__ = (UniqueConstraint("pro_pay_id", "worker_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pro_pay_id: Mapped[int] = mapped_column(ForeignKey("pro_pay.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    remove_bonus: Mapped[bool | None] = mapped_column(default=None)
    wage_override: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    manual_amount: Mapped[Decimal | None] = mapped_column(Exact, default=None)


class ProPayTaskBudget(Base):
    """One task's budget of a TASK_HOURS (``hours``) or TASK_AMOUNT (``amount``) ProPay."""

    __tablename__ = "pro_pay_task_budget"
    __table_args__ = (UniqueConstraint("pro_pay_id", "task"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pro_pay_id: Mapped[int] = mapped_column(ForeignKey("pro_pay.id"), index=True)
    task: Mapped[str] = mapped_column(String(120))
    hours: Mapped[Decimal | None] = mapped_column(Exact, default=None)
    amount: Mapped[Decimal | None] = mapped_column(Exact, default=None)


class Disqualifier(Base):
    """A pass/fail check answered at approval; PENDING blocks approval, FAILED zeroes the pool."""

    __tablename__ = "disqualifier"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pro_pay_id: Mapped[int] = mapped_column(ForeignKey("pro_pay.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    result: Mapped[DisqualifierResult] = mapped_column(
        enum_column(DisqualifierResult), default=DisqualifierResult.PENDING
    )
    answered_by: Mapped[str | None] = mapped_column(String(200), default=None)


class Penalty(Base):
    """An amount taken off the worker pool before the role split (floor 0)."""

    __tablename__ = "penalty"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pro_pay_id: Mapped[int] = mapped_column(ForeignKey("pro_pay.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Exact)
