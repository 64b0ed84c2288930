"""The state one sync run carries from chunk to chunk: who syncs, the exclusion rules, the ids of
records already seen (so references resolve without a query each), and the report."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, any_, bindparam, func, insert, select, text
from sqlalchemy import column as column_
from sqlalchemy.dialects.postgresql import ARRAY

from protiv.domain.exclusions import Rule
from protiv.domain.roles import Actor
from protiv.persistence.models import Branch, Job, Milestone, Route, SyncIssue, TimeEntry, Worker
from protiv.services.context import ServiceContext
from protiv.services.sync_records import Ignored, Rejected
from protiv.services.sync_report import IGNORED, REJECTED, Issue, SyncReport
from protiv.services.uow import UnitOfWork

MODELS: dict[str, type[Any]] = {
    "branches": Branch,
    "routes": Route,
    "workers": Worker,
    "jobs": Job,
    "milestones": Milestone,
    "timeEntries": TimeEntry,
}
NOUNS = {
    "branches": "branch",
    "routes": "route",
    "workers": "worker",
    "jobs": "job",
    "milestones": "milestone",
    "timeEntries": "time entry",
}
MAX_CACHED_REFS = 200_000  # ids remembered per kind; past that they are looked up again


@dataclass
class RunState:
    ctx: ServiceContext
    actor: Actor
    integration_id: int
    budget_sync: bool
    run_id: int
    rules: list[Rule]
    report: SyncReport
    refs: dict[str, dict[str, int]] = field(default_factory=dict)
    pending: list[Issue] = field(default_factory=list)

    def remember(self, kind: str, pairs: Iterable[tuple[str, int]]) -> None:
        known = self.refs.setdefault(kind, {})
        if len(known) > MAX_CACHED_REFS:
            known.clear()
        known.update(pairs)

    async def preload_refs(self, uow: UnitOfWork, kind: str, external_ids: Iterable[str]) -> None:
        """Look up the ids of referenced records this run has not seen yet (one query)."""
        known = self.refs.setdefault(kind, {})
        missing = sorted({e for e in external_ids if e and e not in known})
        model = MODELS[kind]
        for start in range(0, len(missing), 5000):
            dialect = uow.session.get_bind().dialect.name
            rows = await uow.session.execute(
                select(model.external_id, model.id).where(
                    model.company_id == self.actor.company_id,
                    among(model.external_id, missing[start : start + 5000], dialect),
                )
            )
            self.remember(kind, ((ext, int(pk)) for ext, pk in rows))

    def ref(self, kind: str, external_id: str | None, field_name: str) -> int | None:
        if external_id is None:
            return None
        found = self.refs.get(kind, {}).get(external_id)
        if found is None:
            raise Rejected(
                field_name, f"no {NOUNS[kind]} with external id {external_id!r} has synced"
            )
        return found

    def refuse(self, kind: str, external_id: str | None, error: Rejected | Ignored) -> None:
        if isinstance(error, Rejected):
            code = "MISSING_REFERENCE" if "has synced" in error.message else "INVALID"
            self.note(Issue(kind, external_id, REJECTED, code, error.field, error.message))
        else:
            self.note(Issue(kind, external_id, IGNORED, error.code, None, error.message))

    def note(self, issue: Issue) -> None:
        self.report.add_issue(issue)
        self.pending.append(issue)

    async def write_issues(self, uow: UnitOfWork) -> None:
        """Store this chunk's issues in the chunk's transaction."""
        if not self.pending:
            return
        await uow.session.execute(
            insert(SyncIssue),
            [
                {
                    "company_id": self.actor.company_id,
                    "run_id": self.run_id,
                    "kind": i.kind,
                    "external_id": i.external_id,
                    "disposition": i.disposition,
                    "code": i.code,
                    "field": i.field,
                    "message": i.message[:1000],
                }
                for i in self.pending
            ],
        )
        self.pending.clear()


def among(column: Any, values: list[str], dialect: str) -> Any:
    """``column IN values`` with the values as ONE bound parameter: ``= ANY(array)`` on
    PostgreSQL, a JSON array through json_each on SQLite. Thousands of expanded parameters
    cost more to build than the query (see also ``plan_per_chunk``)."""
    if dialect == "postgresql":
        return column == any_(bindparam("values", values, type_=ARRAY(String)))
    listed: Any = select(column_("value")).select_from(func.json_each(json.dumps(values)))
    return column.in_(listed.scalar_subquery())


async def plan_per_chunk(uow: UnitOfWork) -> None:
    """On PostgreSQL, plan this transaction's statements for their own parameters. asyncpg
    prepares statements, and the generic plan PostgreSQL keeps after a few runs was made while
    the tables were nearly empty (the first chunks of a first sync): later it filtered 20,000
    jobs against each chunk's ids (0.15-0.3 s per 500-job chunk instead of 5 ms). Reference
    chunks only: the time-entry INSERT re-planned over its JSON document would cost as much as
    running it, and its lookup by ``= ANY`` keeps an index plan."""
    if uow.session.get_bind().dialect.name == "postgresql":
        await uow.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def external_id_of(record: Mapping[str, Any]) -> str | None:
    value = record.get("externalId")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value).strip()
