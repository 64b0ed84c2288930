"""Jobber-shaped records (its GraphQL API: connections of nodes, camelCase, encoded ids) to the
internal shape. The payload is what the queries return, with or without the ``data`` wrapper.

    users            -> workers      id, name {full}, email {raw}, status, labourRate, roleName
    jobs             -> jobs         id, jobNumber, title, jobStatus, jobType (RECURRING),
                                     client {name}, property {id}, salesperson {id}, total,
                                     billingType, customFields [{label, valueText|valueNumeric}]
    visits           -> milestones   id, title, job {id}, visitStatus, duration (seconds),
                                     assignedUsers {nodes}; only for recurring jobs
    timeSheetEntries -> timeEntries  id, user {id}, job {id}, visit {id}, startAt,
                                     finalDuration (seconds), approved

A job's labour budget comes from its "Budget hours" custom field, else from its total as a
contract price; its service type from a "Service type" custom field. ``archived`` jobs and
deactivated users are sent as such (and ignored with the reason).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from protiv.services.adapters.base import BatchError, Records, check_payload, collection

COLLECTIONS = ("users", "jobs", "visits", "timeSheetEntries")
JOB_STATUS = {
    "upcoming": "PENDING",
    "unscheduled": "PENDING",
    "today": "IN_PROGRESS",
    "active": "IN_PROGRESS",
    "late": "IN_PROGRESS",
    "action_required": "IN_PROGRESS",
    "on_hold": "IN_PROGRESS",
    "requires_invoicing": "COMPLETED",
    "completed": "COMPLETED",
    "archived": "ARCHIVED",
    "cancelled": "CANCELED",
}
ROLES = {"manager": "MANAGER", "admin": "MANAGER", "crew lead": "CREW_LEAD", "foreman": "CREW_LEAD"}
HOUR = Decimal(3600)


def _ref(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return None if value in (None, "") else str(value)


def _hours(seconds: Any) -> Decimal | None:
    if seconds is None:
        return None
    try:
        return (Decimal(str(seconds)) / HOUR).quantize(Decimal("0.01"), ROUND_HALF_UP)
    except ArithmeticError as error:
        raise BatchError(f"not a number of seconds: {seconds!r}") from error


class JobberMapper:
    provider = "jobber"
    collections = COLLECTIONS

    def records(self, payload: Mapping[str, Any]) -> Records:
        if isinstance(payload, Mapping) and isinstance(payload.get("data"), Mapping):
            payload = payload["data"]
        data = check_payload(payload, COLLECTIONS, extra=("provider",))
        lists = {key: collection(data, key) for key in COLLECTIONS}
        for user in lists["users"]:
            yield "workers", _worker(user)
        recurring = set()
        for job in lists["jobs"]:
            if str(job.get("jobType") or "").upper() == "RECURRING":
                recurring.add(_ref(job))
            yield "jobs", _job(job)
        milestones = set()
        for visit in lists["visits"]:
            if _ref(visit.get("job")) in recurring:
                milestones.add(_ref(visit))
                yield "milestones", _milestone(visit)
        for entry in lists["timeSheetEntries"]:
            yield "timeEntries", _time(entry, milestones)


def _worker(user: Mapping[str, Any]) -> dict[str, Any]:
    name = user.get("name") or {}
    email = user.get("email") or {}
    role = ROLES.get(str(user.get("roleName") or "").strip().lower(), "CREW")
    return {
        "externalId": _ref(user),
        "name": name.get("full") if isinstance(name, Mapping) else name,
        "email": email.get("raw") if isinstance(email, Mapping) else email,
        "role": role,
        "wage": user.get("labourRate"),
        "active": str(user.get("status") or "ACTIVE").upper() == "ACTIVE",
    }


def _custom(job: Mapping[str, Any], label: str) -> Any:
    for field in job.get("customFields") or []:
        if isinstance(field, Mapping) and str(field.get("label", "")).strip().lower() == label:
            return field.get("valueNumeric", field.get("valueText"))
    return None


def _job(job: Mapping[str, Any]) -> dict[str, Any]:
    status = str(job.get("jobStatus") or "upcoming").strip().lower()
    title = job.get("title")
    number = job.get("jobNumber")
    client = job.get("client") or {}
    return {
        "externalId": _ref(job),
        "name": f"#{number} {title}" if number and title else title,
        "status": JOB_STATUS.get(status, status.upper()),
        "client": client.get("name") if isinstance(client, Mapping) else None,
        "propertyId": _ref(job.get("property")),
        "manager": _ref(job.get("salesperson")),
        "serviceType": _custom(job, "service type"),
        "invoiceType": job.get("billingType"),
        "recurring": str(job.get("jobType") or "").upper() == "RECURRING",
        "budgetHours": _custom(job, "budget hours"),
        "contractPrice": job.get("total"),
    }


def _milestone(visit: Mapping[str, Any]) -> dict[str, Any]:
    crew = (visit.get("assignedUsers") or {}).get("nodes") or []
    hours = _hours(visit.get("duration"))
    return {
        "externalId": _ref(visit),
        "job": _ref(visit.get("job")),
        "name": visit.get("title") or "Visit",
        "status": str(visit.get("visitStatus") or "UPCOMING").upper(),
        "budgetHours": hours * max(len(crew), 1) if hours is not None else None,
    }


def _time(entry: Mapping[str, Any], milestones: set[str | None]) -> dict[str, Any]:
    visit = _ref(entry.get("visit"))
    return {
        "externalId": _ref(entry),
        "worker": _ref(entry.get("user")),
        "job": _ref(entry.get("job")),
        "milestone": visit if visit in milestones else None,
        "date": str(entry.get("startAt") or "")[:10] or None,
        "hours": _hours(entry.get("finalDuration")),
        "approved": bool(entry.get("approved", True)),
    }
