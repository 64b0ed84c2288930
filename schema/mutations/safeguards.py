"""Safeguards on an ACTIVE ProPay: disqualifiers (a PENDING one blocks approval with
DISQUALIFIERS_PENDING; a FAILED one makes the worker pool $0) and penalties (fixed amounts off
the worker pool before the role split). LOCKED once the ProPay is not ACTIVE."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
from decimal import Decimal
from typing import Any

import strawberry

from protiv.services import safeguards
from protiv.services.editing import Edited
from schema.context import Info
from schema.enums import DisqualifierResult
from schema.errors import UserError, attempt
from schema.idempotency import key_field
from schema.ids import from_global
from schema.mutations.edit_common import EditTarget, run_edit
from schema.mutations.payloads import ProPayPayload
from schema.nodes.pro_pay import Disqualifier, Penalty, ProPay
from schema.nodes.records import Event


@strawberry.input(description="A pass/fail question to answer before approval (starts PENDING).")
class ProPayAddDisqualifierInput(EditTarget):
    name: str = strawberry.field(description="The question, e.g. 'Site left clean'.")


@strawberry.input(description="Answer a disqualifier: PASSED, or FAILED (the bonus becomes $0).")
class ProPayAnswerDisqualifierInput:
    disqualifier_id: strawberry.ID = strawberry.field(description="The disqualifier to answer.")
    result: DisqualifierResult = strawberry.field(description="PASSED or FAILED.")
    expected_version: int | None = strawberry.field(
        default=None, description="The ProPay's version you saw (CONFLICT if it moved on)."
    )
    reason: str | None = strawberry.field(default=None, description="Why; kept in the event.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Remove a disqualifier from an ACTIVE ProPay.")
class ProPayRemoveDisqualifierInput:
    disqualifier_id: strawberry.ID = strawberry.field(description="The disqualifier to remove.")
    expected_version: int | None = strawberry.field(
        default=None, description="The ProPay's version you saw (CONFLICT if it moved on)."
    )
    reason: str | None = strawberry.field(default=None, description="Why; kept in the event.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="A fixed amount off the worker pool, before the role split.")
class ProPayAddPenaltyInput(EditTarget):
    name: str = strawberry.field(description="What it is for, e.g. 'Damaged tool'.")
    amount: Decimal = strawberry.field(description="Dollars, whole cents, more than 0.")


@strawberry.input(description="Remove a penalty from an ACTIVE ProPay.")
class ProPayRemovePenaltyInput:
    penalty_id: strawberry.ID = strawberry.field(description="The penalty to remove.")
    expected_version: int | None = strawberry.field(
        default=None, description="The ProPay's version you saw (CONFLICT if it moved on)."
    )
    reason: str | None = strawberry.field(default=None, description="Why; kept in the event.")
    idempotency_key: str | None = key_field()


@strawberry.type(description="The ProPay, the disqualifier, the event, or why nothing changed.")
class ProPayDisqualifierPayload:
    pro_pay: ProPay | None = strawberry.field(default=None, description="The ProPay as committed.")
    disqualifier: Disqualifier | None = strawberry.field(
        default=None, description="The disqualifier added or answered."
    )
    event: Event | None = strawberry.field(
        default=None, description="The edit event (null when nothing changed)."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed, if it did not."
    )


@strawberry.type(description="The ProPay, the penalty, the event, or why nothing changed.")
class ProPayPenaltyPayload:
    pro_pay: ProPay | None = strawberry.field(default=None, description="The ProPay as committed.")
    penalty: Penalty | None = strawberry.field(default=None, description="The penalty added.")
    event: Event | None = strawberry.field(default=None, description="The edit event.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed, if it did not."
    )


def _parts(done: Edited) -> dict[str, Any]:
    event = Event.from_row(done.event) if done.event is not None else None
    return {"pro_pay": ProPay.from_row(done.pro_pay), "event": event}


def _version(input: Any) -> dict[str, Any]:
    return {"expected_version": input.expected_version, "reason": input.reason}


@strawberry.type
class SafeguardMutations:
    @strawberry.mutation(description="Add a disqualifier to an ACTIVE ProPay.")
    async def pro_pay_add_disqualifier(
        self, info: Info, input: ProPayAddDisqualifierInput
    ) -> ProPayDisqualifierPayload:
        ctx, actor = info.context.services, info.context.actor

        async def call() -> Edited:
            pk = from_global(input.id, "ProPay")
            return await safeguards.add_disqualifier(ctx, actor, pk, input.name, **_version(input))

        done, errors = await attempt(call)
        if done is None:
            return ProPayDisqualifierPayload(user_errors=errors)
        return ProPayDisqualifierPayload(
            disqualifier=Disqualifier.from_row(done.detail), **_parts(done)
        )

    @strawberry.mutation(description="Answer a disqualifier of an ACTIVE ProPay.")
    async def pro_pay_answer_disqualifier(
        self, info: Info, input: ProPayAnswerDisqualifierInput
    ) -> ProPayDisqualifierPayload:
        ctx, actor = info.context.services, info.context.actor

        async def call() -> Edited:
            pk = from_global(input.disqualifier_id, "Disqualifier", "disqualifierId")
            return await safeguards.answer_disqualifier(
                ctx, actor, pk, input.result, **_version(input)
            )

        done, errors = await attempt(call)
        if done is None:
            return ProPayDisqualifierPayload(user_errors=errors)
        return ProPayDisqualifierPayload(
            disqualifier=Disqualifier.from_row(done.detail), **_parts(done)
        )

    @strawberry.mutation(description="Remove a disqualifier from an ACTIVE ProPay.")
    async def pro_pay_remove_disqualifier(
        self, info: Info, input: ProPayRemoveDisqualifierInput
    ) -> ProPayPayload:
        ctx, actor = info.context.services, info.context.actor
        return await run_edit(
            lambda: safeguards.remove_disqualifier(
                ctx,
                actor,
                from_global(input.disqualifier_id, "Disqualifier", "disqualifierId"),
                **_version(input),
            )
        )

    @strawberry.mutation(description="Add a penalty to an ACTIVE ProPay.")
    async def pro_pay_add_penalty(
        self, info: Info, input: ProPayAddPenaltyInput
    ) -> ProPayPenaltyPayload:
        ctx, actor = info.context.services, info.context.actor

        async def call() -> Edited:
            pk = from_global(input.id, "ProPay")
            return await safeguards.add_penalty(
                ctx, actor, pk, input.name, input.amount, **_version(input)
            )

        done, errors = await attempt(call)
        if done is None:
            return ProPayPenaltyPayload(user_errors=errors)
        return ProPayPenaltyPayload(penalty=Penalty.from_row(done.detail), **_parts(done))

    @strawberry.mutation(description="Remove a penalty from an ACTIVE ProPay.")
    async def pro_pay_remove_penalty(
        self, info: Info, input: ProPayRemovePenaltyInput
    ) -> ProPayPayload:
        ctx, actor = info.context.services, info.context.actor
        return await run_edit(
            lambda: safeguards.remove_penalty(
                ctx, actor, from_global(input.penalty_id, "Penalty", "penaltyId"), **_version(input)
            )
        )
