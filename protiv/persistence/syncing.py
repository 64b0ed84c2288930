"""What sync keeps beside the mirrored records: the company's exclusion rules, and every record a
sync run skipped or refused, with why (what "why is it missing?" reads)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from protiv.domain.exclusions import ExclusionKind
from protiv.persistence.base import Base
from protiv.persistence.types import BigId, UTCDateTime, enum_column


class ExclusionRule(Base):
    """A job that matches makes no ProPay (it is still stored, and names the rule).

    Deleting a rule keeps the row (``deleted_at``): the jobs it excluded still name it.
    """

    __tablename__ = "exclusion_rule"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    kind: Mapped[ExclusionKind] = mapped_column(enum_column(ExclusionKind))
    value: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500), default=None)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __mapper_args__ = {"version_id_col": version}


class SyncIssue(Base):
    """One record of one sync run that did not land as sent: ignored (a status or state that
    does not sync), rejected (invalid), or excluded (a job stored without a ProPay)."""

    __tablename__ = "sync_issue"
    __table_args__ = (Index("ix_sync_issue_record", "company_id", "kind", "external_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_run.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # the batch key: jobs, workers, ...
    external_id: Mapped[str | None] = mapped_column(String(120), default=None)
    disposition: Mapped[str] = mapped_column(String(16))  # IGNORED, REJECTED, EXCLUDED
    code: Mapped[str] = mapped_column(String(32))  # IGNORED_STATUS, NO_WAGE, ...
    field: Mapped[str | None] = mapped_column(String(64), default=None)
    message: Mapped[str] = mapped_column(String(1000))
