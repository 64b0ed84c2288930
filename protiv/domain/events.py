"""A committed status change as plain data: what the event log holds and subscribers receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from protiv.domain.statuses import EntityKind


@dataclass(frozen=True, slots=True)
class EventRecord:
    id: int
    company_id: int
    entity: EntityKind
    entity_id: int
    trigger: str
    from_status: str | None  # None when the record was created by this event
    to_status: str
    version: int
    actor: str
    reason: str | None
    occurred_at: datetime
    # Its place in the gap-free feed (the cursor's content); None until the feed sequencer
    # has given it one, right after the commit.
    position: int | None = None
