"""Where bonuses become pay: pay periods, statements (one per worker and period) and the line
items on them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from protiv.domain.bonus import Bucket, LineItemKind, LineItemSource
from protiv.domain.statuses import LineItemStatus, StatementStatus
from protiv.persistence.base import Base
from protiv.persistence.types import BigId, Exact, UTCDateTime, enum_column


class PayPeriod(Base):
    __tablename__ = "pay_period"
    __table_args__ = (UniqueConstraint("company_id", "kind", "starts_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    # the payroll cycle (protiv.domain.periods.PeriodKind) this window belongs to: a branch can
    # pay on another cycle than the company, so two windows may start on the same day
    kind: Mapped[str] = mapped_column(String(16), default="WEEKLY")
    starts_on: Mapped[date]
    ends_on: Mapped[date]


class Statement(Base):
    __tablename__ = "statement"
    __table_args__ = (UniqueConstraint("worker_id", "pay_period_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    pay_period_id: Mapped[int] = mapped_column(ForeignKey("pay_period.id"))
    status: Mapped[StatementStatus] = mapped_column(
        enum_column(StatementStatus), default=StatementStatus.OPEN
    )
    version: Mapped[int] = mapped_column(default=1)
    rollover: Mapped[Decimal] = mapped_column(Exact, default=Decimal(0))
    pay_date: Mapped[date | None] = mapped_column(default=None)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # A negative balance at payment (<= 0): carried into ``carried_to``'s rollover, or written
    # off when the worker's pool does not roll negatives over.
    carried_forward: Mapped[Decimal] = mapped_column(Exact, default=Decimal(0))
    carried_to_id: Mapped[int | None] = mapped_column(ForeignKey("statement.id"), default=None)
    written_off: Mapped[Decimal] = mapped_column(Exact, default=Decimal(0))

    pay_period: Mapped[PayPeriod] = relationship(lazy="raise")
    line_items: Mapped[list[LineItem]] = relationship(
        back_populates="statement", lazy="raise", order_by="LineItem.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def number(self) -> str:
        return f"ST-{self.id:06d}"


class LineItem(Base):
    """One bonus or deduction for one worker, from one bucket of one approval (or by hand)."""

    __tablename__ = "line_item"
    __table_args__ = (Index("ix_line_item_status_release_at", "status", "release_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    pro_pay_id: Mapped[int | None] = mapped_column(
        ForeignKey("pro_pay.id"), default=None, index=True
    )
    group_id: Mapped[int | None] = mapped_column(ForeignKey("pro_pay_group.id"), default=None)
    source: Mapped[LineItemSource] = mapped_column(
        enum_column(LineItemSource), default=LineItemSource.PRO_PAY
    )
    kind: Mapped[LineItemKind] = mapped_column(
        enum_column(LineItemKind), default=LineItemKind.BONUS
    )
    bucket: Mapped[Bucket | None] = mapped_column(enum_column(Bucket), default=None)
    category: Mapped[str] = mapped_column(String(64), default="PROPAY")
    custom_category: Mapped[str | None] = mapped_column(String(64), default=None)  # CUSTOM's name
    amount: Mapped[Decimal] = mapped_column(Exact)
    status: Mapped[LineItemStatus] = mapped_column(
        enum_column(LineItemStatus), default=LineItemStatus.HELD
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    release_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    hold_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    void_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    note: Mapped[str | None] = mapped_column(String(1000), default=None)

    statement: Mapped[Statement] = relationship(back_populates="line_items", lazy="raise")

    __mapper_args__ = {"version_id_col": version}
