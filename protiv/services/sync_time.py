"""Time entries in bulk: the bulk of any sync (a company sends hundreds of thousands).

Each chunk is parsed, its references resolved from the run's id cache (one query for the ids it
has not seen), compared with the stored rows in one SELECT, and written with one executemany
INSERT for the new ones and one executemany UPDATE for the changed ones: no ORM object per
entry, so memory stays bounded by the chunk. Unchanged entries are not written. Time entries
fire no events (they are not status changes): the ProPay previews read them live.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update

from protiv.persistence.models import TimeEntry
from protiv.services.sync_records import Ignored, Rejected, parse_time_entry
from protiv.services.sync_state import RunState, external_id_of
from protiv.services.uow import UnitOfWork

TABLE: Table = TimeEntry.__table__  # type: ignore[assignment]
COLUMNS = (
    "worker_id",
    "job_id",
    "milestone_id",
    "work_date",
    "hours",
    "overtime_hours",
    "kind",
    "task",
)
REFS = (("worker", "workers"), ("job", "jobs"), ("milestone", "milestones"))


def _parse(state: RunState, records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    parsed: dict[str, dict[str, Any]] = {}
    for record in records:
        external_id = external_id_of(record)
        try:
            if external_id is None:
                raise Rejected("externalId", "is required")
            parsed[external_id] = parse_time_entry(record)
        except (Rejected, Ignored) as error:
            state.refuse("timeEntries", external_id, error)
    return parsed


def _resolve(state: RunState, parsed: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for external_id, f in parsed.items():
        try:
            rows[external_id] = {
                "worker_id": state.ref("workers", f["worker"], "worker"),
                "job_id": state.ref("jobs", f["job"], "job"),
                "milestone_id": state.ref("milestones", f["milestone"], "milestone"),
                "work_date": f["work_date"],
                "hours": f["hours"],
                "overtime_hours": f["overtime_hours"],
                "kind": f["kind"],
                "task": f["task"],
            }
        except Rejected as error:
            state.refuse("timeEntries", external_id, error)
    return rows


async def _stored(
    uow: UnitOfWork, company_id: int, external_ids: list[str]
) -> dict[str, tuple[Any, ...]]:
    stored: dict[str, tuple[Any, ...]] = {}
    columns = [TABLE.c[name] for name in COLUMNS]
    for start in range(0, len(external_ids), 5000):
        result = await uow.session.execute(
            select(TABLE.c.external_id, TABLE.c.id, *columns).where(
                TABLE.c.company_id == company_id,
                TABLE.c.external_id.in_(external_ids[start : start + 5000]),
            )
        )
        for external_id, pk, *values in result:
            stored[external_id] = (pk, *values)
    return stored


async def apply_time_chunk(state: RunState, records: Sequence[Mapping[str, Any]]) -> None:
    """Upsert one chunk of time entries and commit it with its issues."""
    counts = state.report.kinds["timeEntries"]
    company_id = state.actor.company_id
    parsed = _parse(state, records)
    async with UnitOfWork(state.ctx) as uow:
        for field, kind in REFS:
            await state.preload_refs(
                uow, kind, (str(f[field]) for f in parsed.values() if f[field])
            )
        rows = _resolve(state, parsed)
        stored = await _stored(uow, company_id, list(rows))
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for external_id, values in rows.items():
            before = stored.get(external_id)
            if before is None:
                new.append({"company_id": company_id, "external_id": external_id, **values})
            elif tuple(values[c] for c in COLUMNS) != before[1:]:
                changed.append({"_id": before[0], **{f"v_{k}": v for k, v in values.items()}})
            else:
                counts.unchanged += 1
        if new:
            await uow.session.execute(insert(TABLE), new)
        if changed:
            statement = (
                update(TABLE)
                .where(TABLE.c.id == bindparam("_id"))
                .values({name: bindparam(f"v_{name}") for name in COLUMNS})
            )
            await uow.session.execute(statement, changed)
        counts.created += len(new)
        counts.updated += len(changed)
        await state.write_issues(uow)
        await uow.commit()
