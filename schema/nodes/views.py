"""Read-only stand-ins for ORM rows, so ``available()`` can evaluate the machines' guards on
data the loaders already fetched (the guards only read)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(slots=True)
class View:
    status: Any
    line_items: Sequence[Any] = ()
    disqualifiers: Sequence[Any] = ()
    members: Sequence[Any] = ()
    group_id: int | None = None
    approved_at: datetime | None = None
    approved_by: str | None = None
    paid_at: datetime | None = None
    pay_date: date | None = None
    release_at: datetime | None = None
    hold_reason: str | None = None
    void_reason: str | None = None
