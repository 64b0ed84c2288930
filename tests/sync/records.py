"""Batches in the internal sync shape, small and explicit, for the sync tests."""

from __future__ import annotations

from typing import Any


def worker(external_id: str, name: str, wage: str | None = "25", **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"externalId": external_id, "name": name, "branch": "BR-1", **extra}
    if wage is not None:
        record["wage"] = wage
    return record


def job(external_id: str, name: str, status: str = "IN_PROGRESS", **extra: Any) -> dict[str, Any]:
    return {
        "externalId": external_id,
        "name": name,
        "status": status,
        "branch": "BR-1",
        "manager": "W-9",
        "budgetHours": "40",
        **extra,
    }


def entry(
    external_id: str, worker: str, job: str, hours: str = "8", **extra: Any
) -> dict[str, Any]:
    return {
        "externalId": external_id,
        "worker": worker,
        "job": job,
        "date": "2026-11-02",
        "hours": hours,
        **extra,
    }


def base(**kinds: list[dict[str, Any]]) -> dict[str, Any]:
    """A branch, two crew and a manager, plus whatever ``kinds`` add."""
    batch: dict[str, Any] = {
        "branches": [{"externalId": "BR-1", "name": "Austin"}],
        "routes": [{"externalId": "RT-1", "name": "Route North", "branch": "BR-1"}],
        "workers": [
            worker("W-1", "Ana Ruiz", "50"),
            worker("W-2", "Ben Cole", "50"),
            worker("W-9", "Mia Manager", "40", role="MANAGER"),
        ],
    }
    for kind, records in kinds.items():
        batch[kind] = batch.get(kind, []) + records
    return batch


def crew(job_status: str = "IN_PROGRESS", **extra: Any) -> dict[str, Any]:
    """One job, J-1, with 30 hours of time on a 40-hour budget."""
    return base(
        jobs=[job("J-1", "Oak Street mulch", job_status, **extra)],
        timeEntries=[entry("T-1", "W-1", "J-1", "16"), entry("T-2", "W-2", "J-1", "14")],
    )
