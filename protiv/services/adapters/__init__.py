"""Adapters: from what a provider sends to the internal stream of (kind, record).

    records_of(provider, payload)   a pushed payload: the internal shape, or Aspire's or
                                    Jobber's own records mapped (aspire.py, jobber.py)
    files.read_folder(...)          a file-drop folder: JSON, JSON Lines and CSV files

Every stream yields kinds in dependency order (branches, routes, workers, jobs, milestones,
timeEntries), so a record's references have synced before it. A payload that cannot be read
or mapped as a whole raises ``BatchError`` (the run fails and the integration goes FAILED);
a bad record is left for the sync to reject on its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from protiv.services.adapters.base import BatchError, Mapper, Records
from protiv.services.adapters.internal import InternalMapper

__all__ = ["BatchError", "Mapper", "Records", "mapper_for", "records_of", "shape_of"]


def mapper_for(provider: str) -> Mapper:
    """The mapper of ``provider``; any provider without one sends the internal shape."""
    from protiv.services.adapters.aspire import AspireMapper
    from protiv.services.adapters.jobber import JobberMapper

    mappers: dict[str, Mapper] = {"aspire": AspireMapper(), "jobber": JobberMapper()}
    return mappers.get(provider.strip().lower(), InternalMapper())


def records_of(
    provider: str, payload: Mapping[str, Any]
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The payload's records: in the internal shape when its keys are internal kinds (whatever
    the provider), else mapped from the provider's own shape."""
    return shape_of(provider, payload).records(payload)


def shape_of(provider: str, payload: object) -> Mapper:
    internal = InternalMapper()
    if isinstance(payload, Mapping) and set(payload) & set(internal.collections):
        return internal
    return mapper_for(provider)
