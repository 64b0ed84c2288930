"""What every service needs: the database, the event hub and a clock (a test can move time)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from protiv.persistence.database import Database
from protiv.services.hub import EventHub


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class ServiceContext:
    db: Database
    hub: EventHub = field(default_factory=EventHub)
    clock: Callable[[], datetime] = utc_now
