"""The transition mutations, made from one pattern: parse the id, call the use case, and turn
a refusal into ``userErrors`` (nothing was changed)."""

# No ``from __future__ import annotations``: the resolvers' annotations must be real types.
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from protiv.domain.statuses import LineItemTrigger, ProPayTrigger
from protiv.services import groups, line_items, pro_pays, statements
from schema.context import Info
from schema.errors import attempt
from schema.ids import from_global
from schema.mutations.payloads import (
    LineItemExtendInput,
    LineItemPayload,
    ProPayGroupCreateInput,
    ProPayGroupPayload,
    ProPayPayload,
    StatementPayInput,
    StatementPayload,
    TransitionInput,
)
from schema.nodes.ledger import LineItem, Statement
from schema.nodes.pro_pay import ProPay, ProPayGroup
from schema.nodes.records import Event

Service = Callable[..., Awaitable[Any]]


def pro_pay_mutation(service: Service, description: str) -> Any:
    async def resolve(info: Info, input: TransitionInput) -> ProPayPayload:
        actor = info.context.actor

        async def run() -> Any:
            pk = from_global(input.id, "ProPay")
            return await service(
                info.context.services,
                actor,
                pk,
                expected_version=input.expected_version,
                reason=input.reason,
            )

        done, errors = await attempt(run)
        if done is None:
            return ProPayPayload(user_errors=errors)
        return ProPayPayload(pro_pay=ProPay.from_row(done.record), event=Event.from_row(done.event))

    return strawberry.mutation(resolver=resolve, description=description)


def group_mutation(trigger: ProPayTrigger, description: str) -> Any:
    async def resolve(info: Info, input: TransitionInput) -> ProPayGroupPayload:
        actor = info.context.actor

        async def run() -> Any:
            pk = from_global(input.id, "ProPayGroup")
            return await groups.transition(
                info.context.services,
                actor,
                pk,
                trigger,
                expected_version=input.expected_version,
                reason=input.reason,
            )

        done, errors = await attempt(run)
        if done is None:
            return ProPayGroupPayload(user_errors=errors)
        return ProPayGroupPayload(
            pro_pay_group=ProPayGroup.from_row(done.record), event=Event.from_row(done.event)
        )

    return strawberry.mutation(resolver=resolve, description=description)


def line_item_mutation(trigger: LineItemTrigger, description: str) -> Any:
    async def resolve(info: Info, input: TransitionInput) -> LineItemPayload:
        return await _line_item(info, trigger, input.id, input.expected_version, input.reason)

    return strawberry.mutation(resolver=resolve, description=description)


async def _line_item(
    info: Info,
    trigger: LineItemTrigger,
    id: str,
    version: int | None,
    reason: str | None,
    **extra: Any,
) -> LineItemPayload:
    actor = info.context.actor

    async def run() -> Any:
        pk = from_global(id, "LineItem")
        return await line_items.transition(
            info.context.services,
            actor,
            pk,
            trigger,
            expected_version=version,
            reason=reason,
            **extra,
        )

    done, errors = await attempt(run)
    if done is None:
        return LineItemPayload(user_errors=errors)
    return LineItemPayload(
        line_item=LineItem.from_row(done.record), event=Event.from_row(done.event)
    )


async def _statement(
    info: Info, id: str, call: Callable[[int], Awaitable[Any]]
) -> StatementPayload:
    async def run() -> Any:
        return await call(from_global(id, "Statement"))

    done, errors = await attempt(run)
    if done is None:
        return StatementPayload(user_errors=errors)
    return StatementPayload(
        statement=Statement.from_row(done.record), event=Event.from_row(done.event)
    )


def statement_mutation(service: Service, description: str) -> Any:
    async def resolve(info: Info, input: TransitionInput) -> StatementPayload:
        actor = info.context.actor
        return await _statement(
            info,
            input.id,
            lambda pk: service(
                info.context.services,
                actor,
                pk,
                expected_version=input.expected_version,
                reason=input.reason,
            ),
        )

    return strawberry.mutation(resolver=resolve, description=description)


@strawberry.type
class TransitionMutations:
    pro_pay_approve = pro_pay_mutation(
        pro_pays.approve,
        "ACTIVE → APPROVED: final calculation; HELD line items on each worker's statement.",
    )
    pro_pay_unapprove = pro_pay_mutation(
        pro_pays.unapprove, "APPROVED → ACTIVE while nothing is paid: unpaid line items voided."
    )
    pro_pay_cancel = pro_pay_mutation(
        pro_pays.cancel, "ACTIVE or APPROVED → CANCELED while nothing is paid; restorable."
    )
    pro_pay_delete = pro_pay_mutation(
        pro_pays.delete, "ACTIVE or APPROVED → DELETED while nothing is paid; kept for audit."
    )
    pro_pay_restore = pro_pay_mutation(
        pro_pays.restore, "CANCELED or DELETED → ACTIVE; a new approval makes new line items."
    )
    pro_pay_revert_payment = pro_pay_mutation(
        pro_pays.revert_payment,
        "PAID → APPROVED (admin, reason required): its items back to PAYABLE, statements OPEN.",
    )
    pro_pay_group_approve = group_mutation(
        ProPayTrigger.APPROVE, "Approve every member from the pooled figures, all or none."
    )
    pro_pay_group_unapprove = group_mutation(
        ProPayTrigger.UNAPPROVE, "Unapprove the group and its members."
    )
    pro_pay_group_cancel = group_mutation(ProPayTrigger.CANCEL, "Cancel the group and its members.")
    pro_pay_group_delete = group_mutation(ProPayTrigger.DELETE, "Delete the group and its members.")
    pro_pay_group_restore = group_mutation(
        ProPayTrigger.RESTORE, "Restore the group and its members."
    )
    pro_pay_group_revert_payment = group_mutation(
        ProPayTrigger.REVERT_PAYMENT, "Revert the payment of the group and its members (admin)."
    )
    line_item_release = line_item_mutation(LineItemTrigger.RELEASE, "HELD → PAYABLE by hand.")
    line_item_hold = line_item_mutation(LineItemTrigger.HOLD, "PAYABLE → HELD (reason required).")
    line_item_void = line_item_mutation(
        LineItemTrigger.VOID, "HELD or PAYABLE → VOIDED (reason required; final)."
    )
    statement_void = statement_mutation(
        statements.void, "OPEN → VOID: its unpaid items are voided."
    )
    statement_reopen = statement_mutation(
        statements.reopen, "PAID → OPEN (admin; paid in error): items back to PAYABLE."
    )

    @strawberry.mutation(description="HELD → HELD with a later release time.")
    async def line_item_extend(self, info: Info, input: LineItemExtendInput) -> LineItemPayload:
        return await _line_item(
            info,
            LineItemTrigger.EXTEND,
            input.id,
            input.expected_version,
            input.reason,
            release_at=input.release_at,
        )

    @strawberry.mutation(description="OPEN → PAID: pays its PAYABLE items; HELD ones move on.")
    async def statement_pay(self, info: Info, input: StatementPayInput) -> StatementPayload:
        actor = info.context.actor
        return await _statement(
            info,
            input.id,
            lambda pk: statements.pay(
                info.context.services,
                actor,
                pk,
                input.pay_date,
                expected_version=input.expected_version,
                reason=input.reason,
            ),
        )

    @strawberry.mutation(description="Build a ProPay group by hand.")
    async def pro_pay_group_create(
        self, info: Info, input: ProPayGroupCreateInput
    ) -> ProPayGroupPayload:
        actor = info.context.actor

        async def run() -> Any:
            ids = [from_global(i, "ProPay", "proPayIds") for i in input.pro_pay_ids]
            return await groups.create(info.context.services, actor, input.name, ids)

        group, errors = await attempt(run)
        if group is None:
            return ProPayGroupPayload(user_errors=errors)
        return ProPayGroupPayload(pro_pay_group=ProPayGroup.from_row(group))
