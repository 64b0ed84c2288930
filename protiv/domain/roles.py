"""Who is acting: API roles (what a token may do) and worker roles (which bonus bucket)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.Enum):
    """The role a bearer token carries (SPEC §6)."""

    ADMIN = "ADMIN"
    MANAGER = "MANAGER"
    PAYROLL = "PAYROLL"
    WORKER = "WORKER"
    INTEGRATION = "INTEGRATION"


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller of a service: the company it acts for, its role, and a name for the log.

    ``worker_id``: the worker a WORKER token belongs to (what it may read). ``branch_ids``: the
    branches a MANAGER token manages (its ProPay rights reach only those); None means every
    branch of the company (protiv.domain.permissions decides what each role may do).
    """

    company_id: int
    role: Role
    name: str
    worker_id: int | None = None
    branch_ids: frozenset[int] | None = None

    @property
    def label(self) -> str:
        return f"{self.role.value.lower()}:{self.name}"


SYSTEM_ROLE = Role.ADMIN


def system_actor(company_id: int, name: str = "system") -> Actor:
    """The actor for work the service does by itself (sync effects, schedulers)."""
    return Actor(company_id=company_id, role=SYSTEM_ROLE, name=name)
