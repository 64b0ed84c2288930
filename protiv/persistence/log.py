"""The event log (every fired transition, written in the same transaction) and sync runs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from protiv.domain.statuses import EntityKind
from protiv.persistence.base import Base
from protiv.persistence.types import BigId, UTCDateTime, enum_column


class Event(Base):
    """One fired transition: the audit trail, the integrators' feed, what subscriptions carry."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_entity", "entity", "entity_id", "id"),
        Index("ix_event_company_id", "company_id", "id"),
        Index("ix_event_company_position", "company_id", "position"),
        # What the feed sequencer looks for: committed events that have no position yet.
        Index(
            "ix_event_unpositioned",
            "id",
            postgresql_where=text("position IS NULL"),
            sqlite_where=text("position IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    entity: Mapped[EntityKind] = mapped_column(enum_column(EntityKind))
    entity_id: Mapped[int]
    trigger: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))  # None: the record was created
    to_status: Mapped[str] = mapped_column(String(32))
    version: Mapped[int]
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(1000), default=None)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The integrators' feed order, gap-free: given after commit, in commit order, by the feed
    # sequencer (protiv/services/feed.py); null until then. Ids are taken at insert time, so on
    # PostgreSQL they commit out of order and cannot be the feed's cursor.
    position: Mapped[int | None] = mapped_column(BigId, unique=True, default=None)


class SyncRun(Base):
    """One sync of one batch: when, and what happened to each kind of record."""

    __tablename__ = "sync_run"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integration.id"), default=None)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    report: Mapped[str] = mapped_column(Text, default="{}")  # JSON: counts and per-record errors
