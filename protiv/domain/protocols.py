"""What the state machines read from a record: the ORM rows satisfy these, and so do the plain
dataclasses of the machine tests. Guards only read; the service loads everything they need
before firing (relationships are eager-loaded), so a guard never does I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from protiv.domain.bonus import DisqualifierResult
from protiv.domain.statuses import (
    IntegrationStatus,
    JobStatus,
    LineItemStatus,
    ProPayStatus,
    StatementStatus,
)


class LineItemLike(Protocol):
    status: LineItemStatus
    release_at: datetime | None
    void_reason: str | None
    hold_reason: str | None
    paid_at: datetime | None


class DisqualifierLike(Protocol):
    result: DisqualifierResult


class ProPayLike(Protocol):
    status: ProPayStatus
    group_id: int | None
    approved_at: datetime | None
    approved_by: str | None
    paid_at: datetime | None

    @property
    def line_items(self) -> Sequence[LineItemLike]: ...

    @property
    def disqualifiers(self) -> Sequence[DisqualifierLike]: ...


class ProPayGroupLike(Protocol):
    status: ProPayStatus
    approved_at: datetime | None
    approved_by: str | None
    paid_at: datetime | None

    @property
    def members(self) -> Sequence[ProPayLike]: ...


class StatementLike(Protocol):
    status: StatementStatus
    pay_date: date | None
    paid_at: datetime | None

    @property
    def line_items(self) -> Sequence[LineItemLike]: ...


class JobLike(Protocol):
    status: JobStatus


class IntegrationLike(Protocol):
    status: IntegrationStatus
    last_error: str | None
