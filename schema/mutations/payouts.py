"""Payout mutations (merged into Mutation in schema/__init__.py): manual line items, bulk
release / hold / void, releasing what is due, paying a whole period, and the pay schedule.
Bulk ones are all or nothing: a refusal names the item at fault (``field: ["ids", "3"]``) and
nothing changes. The single-record transitions are in schema/mutations/transitions.py."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
import datetime
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import strawberry

from protiv.domain.statuses import LineItemTrigger
from protiv.services import manual_items, pay_schedule, payouts, release
from schema.context import Info
from schema.errors import UserError, attempt
from schema.idempotency import key_field
from schema.ids import from_global
from schema.mutations.payloads import LineItemPayload
from schema.nodes.ledger import LineItem, Statement
from schema.nodes.records import Event
from schema.payout_queries import PaySchedule
from schema.payout_types import ManualCategory, PeriodKind


@strawberry.input(
    description="A bonus (positive amount) or a deduction (negative) added by hand to the "
    "worker's OPEN statement for a pay period."
)
class LineItemCreateInput:
    worker_id: strawberry.ID = strawberry.field(description="The worker's global id.")
    amount: Decimal = strawberry.field(description="Dollars and cents; negative: a deduction.")
    category: ManualCategory = strawberry.field(description="What the item is for.")
    custom_category: str | None = strawberry.field(
        default=None, description="The name of a CUSTOM item (required for CUSTOM only)."
    )
    note: str | None = strawberry.field(default=None, description="Why; kept with the item.")
    day: datetime.date | None = strawberry.field(
        default=None,
        description="Any day of the pay period to put it in (default: today, company time).",
    )
    held: bool = strawberry.field(
        default=False, description="Create it HELD instead of PAYABLE (research §5.10)."
    )
    release_at: datetime.datetime | None = strawberry.field(
        default=None, description="For a held item: when the scheduler releases it."
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="Many line items, one action, one reason: all or nothing.")
class LineItemsInput:
    ids: list[strawberry.ID] = strawberry.field(description="The line items' global ids.")
    reason: str | None = strawberry.field(default=None, description="Kept in every event.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Pay every OPEN statement of a pay period: all or nothing.")
class PayPeriodPayInput:
    period_id: strawberry.ID = strawberry.field(description="The pay period's global id.")
    pay_date: datetime.date = strawberry.field(description="The date the money reaches workers.")
    reason: str | None = strawberry.field(default=None, description="Why; kept in every event.")
    idempotency_key: str | None = key_field()


@strawberry.input(description="Change the company's payroll cycle or waiting period (admin).")
class PayScheduleInput:
    kind: PeriodKind | None = strawberry.field(
        default=None, description="The new cycle; null: unchanged."
    )
    anchor: datetime.date | None = strawberry.field(
        default=None, description="A first day of a period: fixes the weekday (weekly, biweekly)."
    )
    waiting_days: int | None = strawberry.field(
        default=None,
        description="Days an approval's line items stay HELD, 0 to 365; null: unchanged.",
    )
    idempotency_key: str | None = key_field()


@strawberry.input(description="A branch's own payroll cycle; kind null: follow the company's.")
class BranchPayScheduleInput:
    branch_id: strawberry.ID = strawberry.field(description="The branch's global id.")
    kind: PeriodKind | None = strawberry.field(
        default=None, description="The branch's cycle; null: follow the company's again."
    )
    anchor: datetime.date | None = strawberry.field(
        default=None, description="A first day of a period; null: the company's anchor."
    )
    idempotency_key: str | None = key_field()


@strawberry.type(description="The line items as committed and their events, or why none changed.")
class LineItemsPayload:
    line_items: list[LineItem] = strawberry.field(
        default_factory=list, description="The line items after the change; empty when refused."
    )
    events: list[Event] = strawberry.field(
        default_factory=list, description="The events written by the change."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The statements paid and their events, or why none was.")
class StatementsPayload:
    statements: list[Statement] = strawberry.field(
        default_factory=list, description="The statements paid; empty when refused."
    )
    events: list[Event] = strawberry.field(
        default_factory=list, description="The events written by the change."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="How many HELD items whose release time has passed were released.")
class ReleaseDuePayload:
    released: int = strawberry.field(default=0, description="How many items were released.")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


@strawberry.type(description="The pay schedule as it is now, or why it was not changed.")
class PaySchedulePayload:
    pay_schedule: PaySchedule | None = strawberry.field(
        default=None, description="The schedule after the change; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="Why nothing changed; empty on success."
    )


def bulk_mutation(trigger: LineItemTrigger, description: str) -> Any:
    async def resolve(info: Info, input: LineItemsInput) -> LineItemsPayload:
        actor = info.context.actor

        async def run() -> payouts.Bulk[Any]:
            ids = [from_global(i, "LineItem", "ids") for i in input.ids]
            return await payouts.line_items(
                info.context.services, actor, ids, trigger, reason=input.reason
            )

        done, errors = await attempt(run)
        if done is None:
            return LineItemsPayload(user_errors=errors)
        return LineItemsPayload(
            line_items=[LineItem.from_row(r) for r in done.records],
            events=[Event.from_row(e) for e in done.events],
        )

    return strawberry.mutation(resolver=resolve, description=description)


async def _schedule(call: Callable[[], Awaitable[pay_schedule.Schedule]]) -> PaySchedulePayload:
    done, errors = await attempt(call)
    if done is None:
        return PaySchedulePayload(user_errors=errors)
    return PaySchedulePayload(pay_schedule=PaySchedule.of(done))


@strawberry.type
class PayoutsMutations:
    line_items_release = bulk_mutation(LineItemTrigger.RELEASE, "HELD → PAYABLE, many at once.")
    line_items_hold = bulk_mutation(
        LineItemTrigger.HOLD, "PAYABLE → HELD, many at once (reason required)."
    )
    line_items_void = bulk_mutation(
        LineItemTrigger.VOID, "HELD or PAYABLE → VOIDED, many at once (reason required; final)."
    )

    @strawberry.mutation(description="Add a manual bonus or deduction to an OPEN statement.")
    async def line_item_create(self, info: Info, input: LineItemCreateInput) -> LineItemPayload:
        actor = info.context.actor

        async def run() -> Any:
            item = manual_items.ManualItem(
                worker_id=from_global(input.worker_id, "Worker", "workerId"),
                amount=input.amount,
                category=input.category,
                custom_category=input.custom_category,
                note=input.note,
                day=input.day,
                held=input.held,
                release_at=input.release_at,
            )
            return await manual_items.create(info.context.services, actor, item)

        done, errors = await attempt(run)
        if done is None:
            return LineItemPayload(user_errors=errors)
        return LineItemPayload(
            line_item=LineItem.from_row(done.record), event=Event.from_row(done.event)
        )

    @strawberry.mutation(
        description="Release now every HELD item whose waiting period is over (what the "
        "server's scheduler does every minute), for your company."
    )
    async def line_items_release_due(self, info: Info) -> ReleaseDuePayload:
        actor = info.context.actor
        done, errors = await attempt(lambda: release.release_due(info.context.services, actor))
        if done is None:
            return ReleaseDuePayload(user_errors=errors)
        return ReleaseDuePayload(released=done.count)

    @strawberry.mutation(
        description="Pay every OPEN statement of a pay period (each as statementPay does), "
        "all or nothing."
    )
    async def pay_period_pay(self, info: Info, input: PayPeriodPayInput) -> StatementsPayload:
        actor = info.context.actor

        async def run() -> payouts.Bulk[Any]:
            pk = from_global(input.period_id, "PayPeriod", "periodId")
            return await payouts.pay_period(
                info.context.services, actor, pk, input.pay_date, reason=input.reason
            )

        done, errors = await attempt(run)
        if done is None:
            return StatementsPayload(user_errors=errors)
        return StatementsPayload(
            statements=[Statement.from_row(r) for r in done.records],
            events=[Event.from_row(e) for e in done.events],
        )

    @strawberry.mutation(description="Change the company's payroll cycle or waiting period.")
    async def pay_schedule_update(self, info: Info, input: PayScheduleInput) -> PaySchedulePayload:
        actor = info.context.actor
        return await _schedule(
            lambda: pay_schedule.update_company(
                info.context.services,
                actor,
                kind=input.kind,
                anchor=input.anchor,
                waiting_days=input.waiting_days,
            )
        )

    @strawberry.mutation(description="Give a branch its own payroll cycle, or take it away.")
    async def branch_pay_schedule_update(
        self, info: Info, input: BranchPayScheduleInput
    ) -> PaySchedulePayload:
        actor = info.context.actor

        async def run() -> pay_schedule.Schedule:
            pk = from_global(input.branch_id, "Branch", "branchId")
            return await pay_schedule.update_branch(
                info.context.services, actor, pk, kind=input.kind, anchor=input.anchor
            )

        return await _schedule(run)
