"""What a transition use case returns: the record as committed and the event it wrote."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from protiv.persistence.models import Event

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Transitioned(Generic[T]):
    record: T
    event: Event
