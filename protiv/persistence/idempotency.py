"""Idempotency keys: one row per (company, mutation, key) a client sent with a change that
went through, so a retry answers with the first result instead of doing it again
(protiv.services.idempotency)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from protiv.persistence.base import Base
from protiv.persistence.types import BigId, UTCDateTime


class IdempotencyKey(Base):
    """A used key: the mutation, a hash of its input, and how to answer a retry."""

    __tablename__ = "idempotency_key"
    __table_args__ = (
        UniqueConstraint("company_id", "operation", "key"),
        Index("ix_idempotency_key_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    operation: Mapped[str] = mapped_column(String(100))  # the mutation's field name
    key: Mapped[str] = mapped_column(String(255))
    input_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical input
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # JSON: the first result as references (records reloaded on replay) and plain values;
    # null for the moment between the change's commit and the result being written.
    result: Mapped[str | None] = mapped_column(Text, default=None)
