"""Mutations of ProPay creation exclusion rules (admin): create, change, delete."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from protiv.services import exclusions
from schema.context import Info
from schema.errors import UserError, attempt
from schema.idempotency import key_field
from schema.ids import from_global
from schema.nodes.integrations import ExclusionKind, ExclusionRule


@strawberry.input(
    description="A new exclusion rule: jobs synced from now on that match it make no ProPay."
)
class ExclusionRuleCreateInput:
    kind: ExclusionKind = strawberry.field(description="What it matches.")
    value: str = strawberry.field(description="The value, or a pattern such as TEST*.")
    note: str | None = strawberry.field(default=None, description="Why the rule exists.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Change an exclusion rule; omitted fields stay.")
class ExclusionRuleUpdateInput:
    id: strawberry.ID = strawberry.field(description="The rule.")
    expected_version: int | None = strawberry.field(default=None, description="CONFLICT if stale.")
    kind: ExclusionKind | None = strawberry.field(default=None, description="What it matches.")
    value: str | None = strawberry.field(default=None, description="The value or pattern.")
    note: str | None = strawberry.field(default=None, description="Why the rule exists.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Delete an exclusion rule (kept for the jobs that name it).")
class ExclusionRuleDeleteInput:
    id: strawberry.ID = strawberry.field(description="The rule.")
    expected_version: int | None = strawberry.field(default=None, description="CONFLICT if stale.")
    idempotency_key: str | None = key_field()


@strawberry.type(description="The rule as committed, or why nothing changed.")
class ExclusionRulePayload:
    exclusion_rule: ExclusionRule | None = strawberry.field(default=None, description="The rule.")
    released_jobs: int = strawberry.field(
        default=0, description="Jobs it no longer excludes, which got their ProPay now."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed."
    )


async def _rule(call: Callable[[], Awaitable[Any]]) -> ExclusionRulePayload:
    done, errors = await attempt(call)
    if done is None:
        return ExclusionRulePayload(user_errors=errors)
    if isinstance(done, exclusions.Changed):
        return ExclusionRulePayload(
            exclusion_rule=ExclusionRule.from_row(done.rule), released_jobs=done.released
        )
    return ExclusionRulePayload(exclusion_rule=ExclusionRule.from_row(done))


@strawberry.type
class ExclusionRuleMutations:
    @strawberry.mutation(
        description="Add an exclusion rule (admin); it applies to new jobs at once."
    )
    async def exclusion_rule_create(
        self, info: Info, input: ExclusionRuleCreateInput
    ) -> ExclusionRulePayload:
        actor = info.context.actor
        return await _rule(
            lambda: exclusions.create(
                info.context.services, actor, input.kind, input.value, input.note
            )
        )

    @strawberry.mutation(
        description="Change an exclusion rule (admin); jobs it no longer excludes get their ProPay."
    )
    async def exclusion_rule_update(
        self, info: Info, input: ExclusionRuleUpdateInput
    ) -> ExclusionRulePayload:
        actor = info.context.actor
        return await _rule(
            lambda: exclusions.update(
                info.context.services,
                actor,
                from_global(input.id, "ExclusionRule"),
                kind=input.kind,
                value=input.value,
                note=input.note,
                expected_version=input.expected_version,
            )
        )

    @strawberry.mutation(
        description="Delete an exclusion rule (admin); the jobs it excluded get their ProPay."
    )
    async def exclusion_rule_delete(
        self, info: Info, input: ExclusionRuleDeleteInput
    ) -> ExclusionRulePayload:
        actor = info.context.actor
        return await _rule(
            lambda: exclusions.delete(
                info.context.services,
                actor,
                from_global(input.id, "ExclusionRule"),
                expected_version=input.expected_version,
            )
        )
