"""Integrations push records here (the same shape as ``protiv sync FILE``, or the provider's own:
Aspire's or Jobber's records, mapped)."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
from collections.abc import Mapping
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from protiv.domain.errors import ValidationFailed
from protiv.services import sync
from protiv.services.sync_report import FAILED
from schema.context import Info
from schema.errors import UserError, attempt
from schema.idempotency import key_field
from schema.nodes.sync_runs import SyncReport


@strawberry.input(
    description="A batch of synced records: branches, routes, workers, jobs, milestones, "
    "timeEntries (or the provider's own record lists, e.g. Aspire's Opportunities)."
)
class SyncBatchInput:
    batch: JSON = strawberry.field(
        description="The records, keyed by kind, each with an externalId."
    )
    provider: str = strawberry.field(
        default="api", description="Which integration sends them: api, file, aspire, jobber."
    )
    idempotency_key: str | None = key_field()


@strawberry.type(description="What a sync did, or why it was refused.")
class SyncPayload:
    report: SyncReport | None = strawberry.field(
        default=None, description="The run's report (also when the run failed as a whole)."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing synced (a refusal or a failed run)."
    )


@strawberry.type
class SyncMutations:
    @strawberry.mutation(
        description="Upsert records by external id (idempotent); new jobs get ProPays unless "
        "excluded. Bad records are reported and the rest lands; a batch that cannot be read as "
        "a whole fails the run (the integration goes FAILED)."
    )
    async def sync_batch(self, info: Info, input: SyncBatchInput) -> SyncPayload:
        actor = info.context.actor

        async def run() -> Any:
            return await sync.sync_batch(
                info.context.services,
                actor,
                cast(Mapping[str, Any], input.batch),
                provider=input.provider,
            )

        report, errors = await attempt(run)
        if report is None:
            return SyncPayload(user_errors=errors)
        if report.outcome == FAILED:
            failed = ValidationFailed(report.error or "The sync failed.", field=["batch"])
            errors = [UserError.of(failed)]
        return SyncPayload(report=SyncReport.of(report), user_errors=errors)
