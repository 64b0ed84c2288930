"""What every service needs: the database, the event hub, a clock (a test can move time), and
the process's short memory of authenticated tokens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from protiv.persistence.database import Database
from protiv.services.hub import EventHub
from protiv.services.token_cache import TokenCache


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class ServiceContext:
    db: Database
    hub: EventHub = field(default_factory=EventHub)
    clock: Callable[[], datetime] = utc_now
    tokens: TokenCache = field(default_factory=TokenCache)  # who a bearer token is, for 1 s
