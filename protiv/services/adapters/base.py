"""The adapter interface: a mapper turns a provider's payload into internal records."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

Records = Iterator[tuple[str, Mapping[str, Any]]]


class BatchError(Exception):
    """The payload as a whole cannot be read or mapped: the run fails with this message."""


class Mapper(Protocol):
    """Maps one provider's payload (its own record lists) to internal (kind, record) pairs,
    kinds in dependency order."""

    @property
    def provider(self) -> str: ...

    @property
    def collections(self) -> tuple[str, ...]:
        """The payload keys it reads, in the order it reads them."""

    def records(self, payload: Mapping[str, Any]) -> Records: ...


def collection(payload: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    """``payload[key]`` as a list of objects ([] when absent); GraphQL connections
    (``{"nodes": [...]}`` or ``{"edges": [{"node": ...}]}``) are unwrapped."""
    value = payload.get(key)
    if value is None:
        return []
    if isinstance(value, Mapping):
        if isinstance(value.get("nodes"), list):
            value = value["nodes"]
        elif isinstance(value.get("edges"), list):
            value = [
                edge.get("node") if isinstance(edge, Mapping) else edge for edge in value["edges"]
            ]
    if not isinstance(value, list) or not all(isinstance(r, Mapping) for r in value):
        raise BatchError(f"{key} must be a list of objects.")
    return value


def check_payload(
    payload: object, allowed: tuple[str, ...], extra: tuple[str, ...] = ()
) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise BatchError("A sync batch is a JSON object of record lists.")
    unknown = sorted(set(payload) - set(allowed) - set(extra))
    if unknown:
        raise BatchError(f"Unknown record kinds {unknown}; expected some of {list(allowed)}.")
    return payload
