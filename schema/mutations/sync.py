"""Integrations push records here (the same shape as ``protiv sync FILE``)."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
from collections.abc import Mapping
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from protiv.services import sync
from schema.context import Info
from schema.errors import UserError, attempt


@strawberry.input(
    description="A batch of synced records: branches, routes, workers, jobs, milestones, timeEntries."
)
class SyncBatchInput:
    batch: JSON = strawberry.field(
        description="The records, keyed by kind, each with an externalId."
    )
    provider: str = strawberry.field(default="api", description="Which integration sends them.")


@strawberry.type(description="What one sync did to one kind of record.")
class SyncKindReport:
    kind: str
    created: int
    updated: int
    unchanged: int
    ignored: int
    rejected: int


@strawberry.type(description="A record that was rejected or ignored, and why.")
class SyncRecordError:
    kind: str
    external_id: str | None
    field: str | None
    message: str


@strawberry.type(description="The outcome of a sync run.")
class SyncReport:
    run_id: int
    pro_pays_created: int
    kinds: list[SyncKindReport]
    errors: list[SyncRecordError]


@strawberry.type
class SyncPayload:
    report: SyncReport | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


def _report(report: sync.SyncReport) -> SyncReport:
    return SyncReport(
        run_id=report.run_id,
        pro_pays_created=report.pro_pays_created,
        kinds=[SyncKindReport(kind=k, **vars(v)) for k, v in report.kinds.items()],
        errors=[
            SyncRecordError(
                kind=str(e["kind"]),
                external_id=e["externalId"],
                field=e["field"],
                message=str(e["message"]),
            )
            for e in report.errors
        ],
    )


@strawberry.type
class SyncMutations:
    @strawberry.mutation(
        description="Upsert records by external id (idempotent); new jobs get ProPays. "
        "Bad records are reported and the rest lands."
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
        return SyncPayload(report=_report(report) if report else None, user_errors=errors)
