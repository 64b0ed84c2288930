"""Aspire-shaped records (its API's endpoint names and PascalCase fields) to the internal shape.

    Branches        -> branches        BranchID, BranchName
    Routes          -> routes          RouteID, RouteName, BranchID, CrewLeaderContactID
    Properties      -> (client names)  PropertyID, PropertyName
    Contacts        -> workers         ContactID, FirstName, LastName, ContactTypeName
                                       ("Employee" only), Active, HourlyRate, Title, BranchID
    Opportunities   -> jobs            OpportunityID, OpportunityName, OpportunityStatusName
                                       ("Won" only), JobStatusName, OpportunityType ("Contract"
                                       is recurring), PropertyID, BranchID,
                                       OperationsManagerContactID, ServiceTypeName, InvoiceType,
                                       EstimatedLaborHours, EstimatedDollars
    WorkTickets     -> milestones      WorkTicketID, OpportunityID, WorkTicketNumber,
                                       WorkTicketStatusName, HoursEst
    WorkTicketTimes -> timeEntries     WorkTicketTimeID, WorkTicketID, ContactID, StartTime,
                                       Hours, Approved

An opportunity that is not won has not become a job: it is sent as a DRAFT (ignored, with the
reason). Contacts that are not employees (customers, vendors) are not workers and are skipped.
A crew leader of a route syncs as CREW_LEAD; a title with "manager" as MANAGER.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from protiv.services.adapters.base import Records, check_payload, collection

COLLECTIONS = (
    "Branches",
    "Routes",
    "Properties",
    "Contacts",
    "Opportunities",
    "WorkTickets",
    "WorkTicketTimes",
)
JOB_STATUS = {
    "scheduled": "PENDING",
    "pending": "PENDING",
    "open": "PENDING",
    "in progress": "IN_PROGRESS",
    "active": "IN_PROGRESS",
    "complete": "COMPLETED",
    "completed": "COMPLETED",
    "closed": "COMPLETED",
    "canceled": "CANCELED",
    "cancelled": "CANCELED",
}
TICKET_STATUS = {"pending approval": "PENDING_REVIEW", "in progress": "IN_PROGRESS"}


def _id(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


class AspireMapper:
    provider = "aspire"
    collections = COLLECTIONS

    def records(self, payload: Mapping[str, Any]) -> Records:
        data = check_payload(payload, COLLECTIONS, extra=("provider",))
        lists = {key: collection(data, key) for key in COLLECTIONS}
        leaders = {_id(r.get("CrewLeaderContactID")) for r in lists["Routes"]}
        properties = {_id(p.get("PropertyID")): p.get("PropertyName") for p in lists["Properties"]}
        for branch in lists["Branches"]:
            yield (
                "branches",
                {"externalId": _id(branch.get("BranchID")), "name": branch.get("BranchName")},
            )
        for route in lists["Routes"]:
            yield (
                "routes",
                {
                    "externalId": _id(route.get("RouteID")),
                    "name": route.get("RouteName"),
                    "branch": _id(route.get("BranchID")),
                },
            )
        for contact in lists["Contacts"]:
            if str(contact.get("ContactTypeName") or "").lower() == "employee":
                yield "workers", _worker(contact, leaders)
        contracts: set[str | None] = set()
        for opportunity in lists["Opportunities"]:
            if str(opportunity.get("OpportunityType") or "").lower() == "contract":
                contracts.add(_id(opportunity.get("OpportunityID")))
            yield "jobs", _job(opportunity, properties)
        tickets: dict[str | None, tuple[str | None, bool]] = {}
        for ticket in lists["WorkTickets"]:
            job = _id(ticket.get("OpportunityID"))
            milestone = job in contracts and bool(ticket.get("HoursEst"))
            tickets[_id(ticket.get("WorkTicketID"))] = (job, milestone)
            yield "milestones", _milestone(ticket)
        for time in lists["WorkTicketTimes"]:
            yield "timeEntries", _time(time, tickets)


def _worker(contact: Mapping[str, Any], leaders: set[str | None]) -> dict[str, Any]:
    contact_id = _id(contact.get("ContactID"))
    title = str(contact.get("Title") or "").lower()
    role = "CREW"
    if contact_id in leaders or "lead" in title or "foreman" in title:
        role = "CREW_LEAD"
    elif "manager" in title:
        role = "MANAGER"
    name = " ".join(str(contact.get(k) or "").strip() for k in ("FirstName", "LastName")).strip()
    return {
        "externalId": contact_id,
        "name": name or None,
        "email": contact.get("Email"),
        "role": role,
        "wage": contact.get("HourlyRate"),
        "active": contact.get("Active", True),
        "payrollId": _id(contact.get("EmployeeNumber")),
        "branch": _id(contact.get("BranchID")),
    }


def _job(opportunity: Mapping[str, Any], properties: Mapping[str | None, Any]) -> dict[str, Any]:
    won = str(opportunity.get("OpportunityStatusName") or "").lower() == "won"
    job_status = str(opportunity.get("JobStatusName") or "Scheduled").strip().lower()
    property_id = _id(opportunity.get("PropertyID"))
    return {
        "externalId": _id(opportunity.get("OpportunityID")),
        "name": opportunity.get("OpportunityName"),
        "status": JOB_STATUS.get(job_status, job_status.upper()) if won else "DRAFT",
        "client": properties.get(property_id) or opportunity.get("PropertyName"),
        "propertyId": property_id,
        "branch": _id(opportunity.get("BranchID")),
        "manager": _id(opportunity.get("OperationsManagerContactID")),
        "serviceType": opportunity.get("ServiceTypeName"),
        "invoiceType": opportunity.get("InvoiceType"),
        "recurring": str(opportunity.get("OpportunityType") or "").lower() == "contract",
        "budgetHours": opportunity.get("EstimatedLaborHours"),
        "contractPrice": opportunity.get("EstimatedDollars"),
    }


def _milestone(ticket: Mapping[str, Any]) -> dict[str, Any]:
    status = str(ticket.get("WorkTicketStatusName") or "Open").strip().lower()
    return {
        "externalId": _id(ticket.get("WorkTicketID")),
        "job": _id(ticket.get("OpportunityID")),
        "name": f"Work ticket {ticket.get('WorkTicketNumber') or ticket.get('WorkTicketID')}",
        "status": TICKET_STATUS.get(status, status.upper()),
        "budgetHours": ticket.get("HoursEst"),
    }


def _time(
    time: Mapping[str, Any], tickets: Mapping[str | None, tuple[str | None, bool]]
) -> dict[str, Any]:
    ticket = _id(time.get("WorkTicketID"))
    job, is_milestone = tickets.get(ticket, (None, False))
    start = str(time.get("StartTime") or "")
    return {
        "externalId": _id(time.get("WorkTicketTimeID")),
        "worker": _id(time.get("ContactID")),
        "job": job,
        "milestone": ticket if is_milestone else None,
        "date": start[:10] or None,
        "hours": time.get("Hours"),
        "approved": bool(time.get("Approved", True)),
    }
