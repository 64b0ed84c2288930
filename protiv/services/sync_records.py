"""Parsing a sync batch: each record of each kind becomes typed fields, or a rejection with
its reason (the rest of the batch still lands)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from protiv.domain.bonus import TimeKind, WorkerRole
from protiv.domain.money import to_decimal
from protiv.domain.statuses import JobStatus

KINDS = ("branches", "routes", "workers", "jobs", "milestones", "timeEntries")

JOB_STATUSES = {
    "PENDING": JobStatus.PENDING,
    "OPEN": JobStatus.PENDING,
    "SCHEDULED": JobStatus.PENDING,
    "IN_PROGRESS": JobStatus.IN_PROGRESS,
    "ACTIVE": JobStatus.IN_PROGRESS,
    "COMPLETED": JobStatus.COMPLETED,
    "COMPLETE": JobStatus.COMPLETED,
    "CLOSED": JobStatus.COMPLETED,
    "CANCELED": JobStatus.CANCELED,
    "CANCELLED": JobStatus.CANCELED,
}
IGNORED_STATUSES = frozenset({"DRAFT", "ARCHIVED"})


class Rejected(Exception):
    """A record that cannot be synced, with the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Ignored(Exception):
    """A record in a status or state that does not sync (kept in the report with why)."""

    def __init__(self, message: str, code: str = "IGNORED_STATUS") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def text(record: Mapping[str, Any], key: str, *, required: bool = True) -> str | None:
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Rejected(key, "is required")
        return None
    if not isinstance(value, str | int):
        raise Rejected(key, "must be a string")
    return str(value).strip()


def number(record: Mapping[str, Any], key: str, *, required: bool = False) -> Decimal | None:
    value = record.get(key)
    if value is None:
        if required:
            raise Rejected(key, "is required")
        return None
    try:
        result = to_decimal(value)
    except (TypeError, ValueError) as error:
        raise Rejected(key, f"is not an exact number ({error})") from error
    if not result.is_finite() or result < 0:
        raise Rejected(key, "must be a number of zero or more")
    return result


def day(record: Mapping[str, Any], key: str) -> date:
    value = text(record, key)
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise Rejected(key, "must be a date like 2026-11-02") from error


def flag(record: Mapping[str, Any], key: str, default: bool) -> bool:
    value = record.get(key, default)
    if not isinstance(value, bool):
        raise Rejected(key, "must be true or false")
    return value


def choice(record: Mapping[str, Any], key: str, options: Mapping[str, Any], default: Any) -> Any:
    value = record.get(key)
    if value is None:
        return default
    key_text = str(value).strip().upper().replace(" ", "_").replace("-", "_")
    if key_text not in options:
        raise Rejected(key, f"unknown value {value!r}; expected one of {sorted(options)}")
    return options[key_text]


def job_status(record: Mapping[str, Any]) -> JobStatus:
    raw = str(record.get("status") or "PENDING").strip().upper().replace(" ", "_")
    if raw in IGNORED_STATUSES:
        raise Ignored(f"status {raw} does not sync (only saved, live jobs do)")
    status: JobStatus = choice(record, "status", JOB_STATUSES, JobStatus.PENDING)
    return status


WORKER_ROLES = {r.value: r for r in WorkerRole} | {
    "LEAD": WorkerRole.CREW_LEAD,
    "FOREMAN": WorkerRole.CREW_LEAD,
}
TIME_KINDS = {k.value: k for k in TimeKind} | {
    "DRIVE_TIME": TimeKind.DRIVE,
    "TIME_ENTRY": TimeKind.WORK,
}

Parser = Callable[[Mapping[str, Any]], dict[str, Any]]


def parse_branch(r: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": text(r, "name")}


def parse_route(r: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": text(r, "name"), "branch": text(r, "branch", required=False)}


def parse_worker(r: Mapping[str, Any]) -> dict[str, Any]:
    fields = {
        "name": text(r, "name"),
        "email": text(r, "email", required=False),
        "role": choice(r, "role", WORKER_ROLES, WorkerRole.CREW),
        "wage": number(r, "wage"),
        "burden_pct": number(r, "burdenPct") or Decimal(0),
        "active": flag(r, "active", True),
        "payroll_id": text(r, "payrollId", required=False),
        "branch": text(r, "branch", required=False),
    }
    if fields["wage"] == 0:
        fields["wage"] = None  # a zero wage is no wage: the worker cannot be costed
    return fields  # inactive or wage-less: the applier decides (a new one is not synced)


def parse_job(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": text(r, "name"),
        "status": job_status(r),
        "client_name": text(r, "client", required=False),
        "branch": text(r, "branch", required=False),
        "route": text(r, "route", required=False),
        "manager": text(r, "manager", required=False),
        "service_type": text(r, "serviceType", required=False),
        "invoice_type": text(r, "invoiceType", required=False),
        "property_id": text(r, "propertyId", required=False),
        "recurring": flag(r, "recurring", False),
        "budget_hours": number(r, "budgetHours"),
        "budget_amount": number(r, "budgetAmount"),
        "contract_price": number(r, "contractPrice"),
    }


def parse_milestone(r: Mapping[str, Any]) -> dict[str, Any]:
    status = str(r.get("status") or "PENDING").strip().upper()
    if status in IGNORED_STATUSES | {"CANCELED", "CANCELLED"}:
        raise Ignored(f"status {status} does not sync (canceled and draft milestones do not)")
    fields = {
        "job": text(r, "job"),
        "name": text(r, "name"),
        "source_status": status,
        "budget_hours": number(r, "budgetHours"),
        "budget_amount": number(r, "budgetAmount"),
    }
    if not fields["budget_hours"] and not fields["budget_amount"]:
        raise Ignored("the milestone has zero hours and zero budget", "ZERO_BUDGET")
    return fields


def parse_time_entry(r: Mapping[str, Any]) -> dict[str, Any]:
    hours = number(r, "hours", required=True)
    assert hours is not None
    if hours > 24:
        raise Rejected("hours", "more than 24 hours in one entry")
    if not flag(r, "approved", True):
        raise Ignored(
            "the time entry is not approved yet (draft time does not count)", "UNAPPROVED"
        )
    return {
        "worker": text(r, "worker"),
        "job": text(r, "job"),
        "milestone": text(r, "milestone", required=False),
        "work_date": day(r, "date"),
        "hours": hours,
        "overtime_hours": number(r, "overtimeHours") or Decimal(0),
        "kind": choice(r, "kind", TIME_KINDS, TimeKind.WORK),
        "task": text(r, "task", required=False),
    }


PARSERS: dict[str, Parser] = {
    "branches": parse_branch,
    "routes": parse_route,
    "workers": parse_worker,
    "jobs": parse_job,
    "milestones": parse_milestone,
    "timeEntries": parse_time_entry,
}
