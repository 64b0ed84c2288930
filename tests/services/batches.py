"""Sync batches in the integration's shape, for service and API tests."""

from __future__ import annotations

from typing import Any


def crew_batch(
    *, job_status: str = "IN_PROGRESS", hours: tuple[str, str] = ("16", "14")
) -> dict[str, Any]:
    """One job with a 40 h budget, two crew at $50/h, a crew lead and a manager."""
    return {
        "branches": [{"externalId": "BR-1", "name": "Austin"}],
        "routes": [{"externalId": "RT-1", "name": "Route North", "branch": "BR-1"}],
        "workers": [
            {"externalId": "W-1", "name": "Ana Ruiz", "wage": "50", "branch": "BR-1"},
            {"externalId": "W-2", "name": "Ben Cole", "wage": "50", "branch": "BR-1"},
            {"externalId": "W-3", "name": "Cy Lead", "wage": "50", "role": "CREW_LEAD"},
            {"externalId": "W-9", "name": "Mia Manager", "wage": "40", "role": "MANAGER"},
        ],
        "jobs": [
            {
                "externalId": "J-100",
                "name": "Oak Street mulch",
                "status": job_status,
                "branch": "BR-1",
                "route": "RT-1",
                "manager": "W-9",
                "budgetHours": "40",
            }
        ],
        "timeEntries": [
            {
                "externalId": "T-1",
                "worker": "W-1",
                "job": "J-100",
                "date": "2026-11-02",
                "hours": hours[0],
            },
            {
                "externalId": "T-2",
                "worker": "W-2",
                "job": "J-100",
                "date": "2026-11-02",
                "hours": hours[1],
            },
        ],
    }
