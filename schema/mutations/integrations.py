"""Mutations of integration connections: settings, lifecycle (disconnect, reconnect) and a
resync now. Merged with the exclusion rules' and the mirrors' mutations into
``IntegrationsMutations`` (schema/__init__.py merges that into Mutation)."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.tools import merge_types

from protiv.domain.errors import ValidationFailed
from protiv.domain.statuses import IntegrationTrigger
from protiv.services import integrations
from protiv.services.results import Transitioned
from protiv.services.sync_report import FAILED
from schema.context import Info
from schema.errors import UserError, attempt
from schema.idempotency import key_field
from schema.ids import from_global
from schema.mutations.exclusion_rules import ExclusionRuleMutations
from schema.mutations.mirrors import MirrorMutations
from schema.mutations.payloads import TransitionInput
from schema.mutations.sync import SyncPayload
from schema.nodes.integrations import Integration
from schema.nodes.records import Event
from schema.nodes.sync_runs import SyncReport


@strawberry.input(description="A new integration connection (PENDING until it first syncs).")
class IntegrationCreateInput:
    provider: str = strawberry.field(description="api, file, aspire or jobber.")
    name: str | None = strawberry.field(default=None, description="Its name here.")
    schedule_minutes: int | None = strawberry.field(
        default=None, description="How often it syncs, in minutes (default 20)."
    )
    budget_sync: bool | None = strawberry.field(
        default=None, description="Let its budgets overwrite budgets edited here (default off)."
    )
    drop_folder: str | None = strawberry.field(
        default=None, description="A folder to pick JSON, JSON Lines or CSV files up from."
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="Change an integration's settings; omitted fields stay.")
class IntegrationUpdateInput:
    id: strawberry.ID = strawberry.field(description="The integration.")
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with CONFLICT if it is no longer at this version."
    )
    name: str | None = strawberry.field(default=None, description="Its name here.")
    schedule_minutes: int | None = strawberry.field(default=None, description="Minutes, 1–1440.")
    budget_sync: bool | None = strawberry.field(default=None, description="Budget sync on or off.")
    drop_folder: str | None = strawberry.field(
        default=strawberry.UNSET, description='Its drop folder ("" removes it).'
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="Run an integration's sync now.")
class IntegrationResyncInput:
    id: strawberry.ID = strawberry.field(description="The integration.")
    idempotency_key: str | None = key_field()


@strawberry.type(description="The integration as committed, the event written, or why not.")
class IntegrationPayload:
    integration: Integration | None = strawberry.field(default=None, description="As it is now.")
    event: Event | None = strawberry.field(default=None, description="The transition's event.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed."
    )


def _settings(input: Any) -> integrations.Settings:
    folder = getattr(input, "drop_folder", None)
    return integrations.Settings(
        name=input.name,
        schedule_minutes=input.schedule_minutes,
        budget_sync=input.budget_sync,
        drop_folder=integrations.UNSET if folder is strawberry.UNSET else folder,
    )


def _event(event: Any) -> Event | None:
    return Event.from_row(event) if event is not None else None


async def _integration(call: Callable[[], Awaitable[Any]]) -> IntegrationPayload:
    done, errors = await attempt(call)
    if done is None:
        return IntegrationPayload(user_errors=errors)
    if isinstance(done, Transitioned):
        return IntegrationPayload(
            integration=Integration.from_row(done.record), event=Event.from_row(done.event)
        )
    return IntegrationPayload(integration=Integration.from_row(done))


def _connection(trigger: IntegrationTrigger, description: str) -> Any:
    async def resolve(info: Info, input: TransitionInput) -> IntegrationPayload:
        actor = info.context.actor
        return await _integration(
            lambda: integrations.transition(
                info.context.services,
                actor,
                from_global(input.id, "Integration"),
                trigger,
                expected_version=input.expected_version,
                reason=input.reason,
            )
        )

    return strawberry.mutation(resolver=resolve, description=description)


@strawberry.type
class ConnectionMutations:
    integration_disconnect = _connection(
        IntegrationTrigger.DISCONNECT, "Disconnect an integration (admin): nothing syncs."
    )
    integration_reconnect = _connection(
        IntegrationTrigger.RECONNECT, "DISCONNECTED → PENDING (admin): its next sync connects it."
    )

    @strawberry.mutation(description="Connect a new integration (admin).")
    async def integration_create(
        self, info: Info, input: IntegrationCreateInput
    ) -> IntegrationPayload:
        actor = info.context.actor
        return await _integration(
            lambda: integrations.create(
                info.context.services, actor, input.provider, _settings(input)
            )
        )

    @strawberry.mutation(description="Change an integration's settings (admin).")
    async def integration_update(
        self, info: Info, input: IntegrationUpdateInput
    ) -> IntegrationPayload:
        actor = info.context.actor
        return await _integration(
            lambda: integrations.update(
                info.context.services,
                actor,
                from_global(input.id, "Integration"),
                _settings(input),
                expected_version=input.expected_version,
            )
        )

    @strawberry.mutation(
        description="Run an integration's sync now (seed 003 step 5): a file drop picks up its "
        "folder. A failed run is reported and marks the integration FAILED."
    )
    async def integration_resync(self, info: Info, input: IntegrationResyncInput) -> SyncPayload:
        actor = info.context.actor

        async def run() -> Any:
            pk = from_global(input.id, "Integration")
            return await integrations.resync(info.context.services, actor, pk)

        report, errors = await attempt(run)
        if report is None:
            return SyncPayload(user_errors=errors)
        if report.outcome == FAILED:
            errors = [
                UserError.of(ValidationFailed(report.error or "The sync failed.", field=["id"]))
            ]
        return SyncPayload(report=SyncReport.of(report), user_errors=errors)


IntegrationsMutations = merge_types(
    "IntegrationsMutations", (ConnectionMutations, ExclusionRuleMutations, MirrorMutations)
)
