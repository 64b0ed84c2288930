"""ProPay creation exclusion rules (seed 003, step 3): which synced jobs make no ProPay.

Service type and invoice type match exactly (after trimming); a name pattern is matched against
the whole job name, case-insensitively, with ``*`` for any run of characters and ``?`` for one
(``TEST*``); a property rule matches the job's property id exactly. Pure: no I/O.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


class ExclusionKind(enum.Enum):
    SERVICE_TYPE = "SERVICE_TYPE"
    INVOICE_TYPE = "INVOICE_TYPE"
    NAME_PATTERN = "NAME_PATTERN"
    PROPERTY = "PROPERTY"


LABELS = {
    ExclusionKind.SERVICE_TYPE: "service type",
    ExclusionKind.INVOICE_TYPE: "invoice type",
    ExclusionKind.NAME_PATTERN: "job name pattern",
    ExclusionKind.PROPERTY: "property",
}


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    kind: ExclusionKind
    value: str

    def describe(self) -> str:
        return f"exclusion rule #{self.id} ({LABELS[self.kind]} {self.value!r})"


@dataclass(frozen=True, slots=True)
class JobFacts:
    """What the rules look at."""

    name: str
    service_type: str | None
    invoice_type: str | None
    property_id: str | None


@lru_cache(maxsize=512)
def _pattern(value: str) -> re.Pattern[str]:
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in value.strip())
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def matches(rule: Rule, job: JobFacts) -> bool:
    value = rule.value.strip()
    if rule.kind is ExclusionKind.NAME_PATTERN:
        return _pattern(value).fullmatch(job.name.strip()) is not None
    field = {
        ExclusionKind.SERVICE_TYPE: job.service_type,
        ExclusionKind.INVOICE_TYPE: job.invoice_type,
        ExclusionKind.PROPERTY: job.property_id,
    }[rule.kind]
    return field is not None and field.strip() == value


def first_match(rules: Iterable[Rule], job: JobFacts) -> Rule | None:
    """The rule that excludes ``job`` (the oldest, when several do), or None."""
    return next((rule for rule in sorted(rules, key=lambda r: r.id) if matches(rule, job)), None)


def check_value(kind: ExclusionKind, value: str) -> str | None:
    """Why a rule's value is unusable, or None."""
    text = value.strip()
    if not text:
        return "value is required"
    if len(text) > 200:
        return "value is longer than 200 characters"
    if kind is ExclusionKind.NAME_PATTERN and set(text) <= {"*", "?"}:
        return "a pattern of only wildcards would exclude every job"
    return None
