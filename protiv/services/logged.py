"""Event rows for records without a state machine (workers, milestones, exclusion rules): the
unit of work logs a record's ``status``; these records show a plain state instead."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class State:
    """A state shown in the event log (``.value``), not a status column."""

    value: str


@dataclass(slots=True)
class Logged:
    """A record as the event log sees it. Built positionally: only machines pass a status."""

    id: int
    company_id: int
    version: int
    status: State


def logged(record: object, state: str) -> Logged:
    return Logged(
        record.id,  # type: ignore[attr-defined]
        record.company_id,  # type: ignore[attr-defined]
        record.version,  # type: ignore[attr-defined]
        State(state),
    )
