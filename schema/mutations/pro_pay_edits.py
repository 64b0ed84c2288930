"""Edits of an ACTIVE ProPay, one mutation per kind of edit. Each answers the ProPay as
committed, the "edit" event (null when nothing changed) and userErrors: LOCKED when the ProPay
is not ACTIVE (the message says the way out), VALIDATION with the input field at fault, CONFLICT
on a stale expectedVersion. The live calculation reflects an edit at once."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
from decimal import Decimal
from typing import Any

import strawberry

from protiv.services import budget_edits, pro_pay_edits, pro_pay_pools
from protiv.services.budget_edits import BudgetInput, TaskBudgetInput
from protiv.services.pro_pay_edits import CrewOverride
from schema.context import Info
from schema.enums import AdjustmentType, BudgetType, Distribution
from schema.ids import from_global
from schema.mutations.edit_common import (
    KEEP_OR_CLEAR,
    EditTarget,
    kept,
    kept_id,
    kept_ids,
    not_null,
    run_edit,
)
from schema.mutations.payloads import ProPayPayload
from schema.mutations.pool_inputs import RolePercentsInput


@strawberry.input(description="One task's budget: hours for TASK_HOURS, amount for TASK_AMOUNT.")
class TaskBudgetEdit:
    task: str = strawberry.field(description="The task name its time entries carry.")
    hours: Decimal | None = strawberry.field(default=None, description="TASK_HOURS: hours.")
    amount: Decimal | None = strawberry.field(default=None, description="TASK_AMOUNT: dollars.")


@strawberry.input(
    description="The whole budget: its type and exactly the values that type uses (HOURS: "
    "hours; AMOUNT: amount; CONTRACT_PRICE: contractPrice and laborPct; RATE: rate and "
    "quantity; TASK_HOURS / TASK_AMOUNT: tasks). The adjustment is kept."
)
class ProPayUpdateBudgetInput(EditTarget):
    type: BudgetType = strawberry.field(description="How the budget is set.")
    hours: Decimal | None = strawberry.field(default=None, description="HOURS: budget hours.")
    amount: Decimal | None = strawberry.field(default=None, description="AMOUNT: dollars.")
    contract_price: Decimal | None = strawberry.field(
        default=None, description="CONTRACT_PRICE: the job's price."
    )
    labor_pct: Decimal | None = strawberry.field(
        default=None, description="CONTRACT_PRICE: the labour share of the price; 30 means 30%."
    )
    rate: Decimal | None = strawberry.field(default=None, description="RATE: dollars per unit.")
    quantity: Decimal | None = strawberry.field(default=None, description="RATE: units.")
    tasks: list[TaskBudgetEdit] | None = strawberry.field(
        default=None, description="TASK_HOURS / TASK_AMOUNT: one budget per task."
    )


@strawberry.input(
    description="PERCENT_INCREASE / PERCENT_DECREASE take a percent, MULTIPLY a factor, "
    "MANUAL_AMOUNT dollars and MANUAL_HOURS hours that replace the budget; NONE (no value) "
    "restores it."
)
class ProPayUpdateBudgetAdjustmentInput(EditTarget):
    type: AdjustmentType = strawberry.field(description="The kind of adjustment.")
    value: Decimal | None = strawberry.field(
        default=None, description="Percent, factor, dollars or hours, by type; none for NONE."
    )


@strawberry.input(description="How the crew bucket is split between workers.")
class ProPayUpdateDistributionInput(EditTarget):
    distribution: Distribution = strawberry.field(description="How the crew bucket is split.")
    crew_lead_weight: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"The crew lead's weight under CREW_LEAD_WEIGHTED (default 1.5). {KEEP_OR_CLEAR}",
    )


@strawberry.input(description="Who receives the crew lead and manager buckets.")
class ProPayUpdateLeadsInput(EditTarget):
    crew_lead_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"A worker. {KEEP_OR_CLEAR} (the first CREW_LEAD worker who logged time)",
    )
    manager_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description=f"A worker. {KEEP_OR_CLEAR} (the job's manager)"
    )


@strawberry.input(description=f"One worker's overrides on this ProPay only. {KEEP_OR_CLEAR}")
class ProPaySetCrewMemberInput(EditTarget):
    worker_id: strawberry.ID = strawberry.field(description="The worker the overrides are for.")
    remove_bonus: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="True: hours count as cost, no share. Null: the worker's own setting.",
    )
    wage_override: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="This ProPay's wage. Null: the worker's wage."
    )
    manual_amount: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="The worker's crew-bucket amount under MANUAL (all must add up to it).",
    )


@strawberry.input(description=f"What counts as actual labour cost. {KEEP_OR_CLEAR}")
class ProPayUpdateCostSettingsInput(EditTarget):
    use_burden: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Burdened wages (wage x (1 + burden %))."
    )
    include_drive_time: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Drive time as cost. Null: the company's setting."
    )
    exclude_overtime_cost: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Cost overtime hours at the base wage."
    )


@strawberry.input(description="Split with a named pool.")
class ProPayUpdatePoolInput(EditTarget):
    pool_id: strawberry.ID | None = strawberry.field(
        description="A bonus pool; null: the division's, branch's or company default pool."
    )


@strawberry.input(
    description="This ProPay's own role percents (a 'manual pool'); what is left out is copied "
    "from the pool it uses now. Switch back with proPayUpdatePool."
)
class ProPaySetOwnPoolInput(EditTarget):
    roles: RolePercentsInput = strawberry.field(description="The role percents, totalling 100.")
    split_savings_pct: Decimal | None = strawberry.field(
        default=strawberry.UNSET, description="The workers' share of savings, in percent."
    )
    other_member_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Workers sharing the OTHER bucket."
    )


def _budget(input: ProPayUpdateBudgetInput) -> BudgetInput:
    return BudgetInput(
        type=input.type,
        hours=input.hours,
        amount=input.amount,
        contract_price=input.contract_price,
        labor_pct=input.labor_pct,
        rate=input.rate,
        quantity=input.quantity,
        tasks=tuple(TaskBudgetInput(t.task, t.hours, t.amount) for t in input.tasks or ()),
    )


def _target(input: EditTarget) -> dict[str, Any]:
    return {"expected_version": input.expected_version, "reason": input.reason}


def _pk(input: EditTarget) -> int:
    return from_global(input.id, "ProPay")


@strawberry.type
class ProPayEditMutations:
    @strawberry.mutation(description="Replace an ACTIVE ProPay's budget (type, values, tasks).")
    async def pro_pay_update_budget(
        self, info: Info, input: ProPayUpdateBudgetInput
    ) -> ProPayPayload:
        ctx, actor = info.context.services, info.context.actor
        return await run_edit(
            lambda: budget_edits.update_budget(
                ctx, actor, _pk(input), _budget(input), **_target(input)
            )
        )

    @strawberry.mutation(description="Set the budget adjustment of an ACTIVE ProPay.")
    async def pro_pay_update_budget_adjustment(
        self, info: Info, input: ProPayUpdateBudgetAdjustmentInput
    ) -> ProPayPayload:
        ctx, actor = info.context.services, info.context.actor
        return await run_edit(
            lambda: budget_edits.update_adjustment(
                ctx, actor, _pk(input), input.type, input.value, **_target(input)
            )
        )

    @strawberry.mutation(description="Set how an ACTIVE ProPay's crew bucket is split.")
    async def pro_pay_update_distribution(
        self, info: Info, input: ProPayUpdateDistributionInput
    ) -> ProPayPayload:
        ctx, actor = info.context.services, info.context.actor
        return await run_edit(
            lambda: pro_pay_edits.update_distribution(
                ctx,
                actor,
                _pk(input),
                input.distribution,
                kept(input.crew_lead_weight),
                **_target(input),
            )
        )

    @strawberry.mutation(description="Name the crew lead and manager of an ACTIVE ProPay.")
    async def pro_pay_update_leads(
        self, info: Info, input: ProPayUpdateLeadsInput
    ) -> ProPayPayload:
        ctx, actor = info.context.services, info.context.actor
        return await run_edit(
            lambda: pro_pay_edits.update_leads(
                ctx,
                actor,
                _pk(input),
                crew_lead_id=kept_id(input.crew_lead_id, "Worker", "crewLeadId"),
                manager_id=kept_id(input.manager_id, "Worker", "managerId"),
                **_target(input),
            )
        )

    @strawberry.mutation(
        description="Set one worker's overrides on an ACTIVE ProPay: remove bonus, a wage, a "
        "MANUAL amount."
    )
    async def pro_pay_set_crew_member(
        self, info: Info, input: ProPaySetCrewMemberInput
    ) -> ProPayPayload:
        ctx, actor = info.context.services, info.context.actor

        async def call() -> Any:
            override = CrewOverride(
                remove_bonus=kept(input.remove_bonus),
                wage_override=kept(input.wage_override),
                manual_amount=kept(input.manual_amount),
            )
            worker = from_global(input.worker_id, "Worker", "workerId")
            return await pro_pay_edits.set_crew_member(
                ctx, actor, _pk(input), worker, override, **_target(input)
            )

        return await run_edit(call)

    @strawberry.mutation(description="Set what counts as an ACTIVE ProPay's actual cost.")
    async def pro_pay_update_cost_settings(
        self, info: Info, input: ProPayUpdateCostSettingsInput
    ) -> ProPayPayload:
        ctx, actor = info.context.services, info.context.actor

        async def call() -> Any:
            return await pro_pay_edits.update_cost_settings(
                ctx,
                actor,
                _pk(input),
                use_burden=not_null(input.use_burden, "useBurden"),
                include_drive_time=kept(input.include_drive_time),
                exclude_overtime_cost=not_null(input.exclude_overtime_cost, "excludeOvertimeCost"),
                **_target(input),
            )

        return await run_edit(call)

    @strawberry.mutation(
        description="Split an ACTIVE ProPay with a named pool, or (null) with the pool it "
        "inherits; its own percentages, if any, are dropped."
    )
    async def pro_pay_update_pool(self, info: Info, input: ProPayUpdatePoolInput) -> ProPayPayload:
        ctx, actor = info.context.services, info.context.actor
        return await run_edit(
            lambda: pro_pay_pools.use_pool(
                ctx,
                actor,
                _pk(input),
                from_global(input.pool_id, "BonusPool", "poolId") if input.pool_id else None,
                **_target(input),
            )
        )

    @strawberry.mutation(description="Give an ACTIVE ProPay its own role percents (total 100).")
    async def pro_pay_set_own_pool(self, info: Info, input: ProPaySetOwnPoolInput) -> ProPayPayload:
        ctx, actor = info.context.services, info.context.actor

        async def call() -> Any:
            return await pro_pay_pools.set_manual_pool(
                ctx,
                actor,
                _pk(input),
                input.roles.as_settings(),
                split_savings_pct=not_null(input.split_savings_pct, "splitSavingsPct"),
                other_member_ids=kept_ids(input.other_member_ids, "Worker", "otherMemberIds"),
                **_target(input),
            )

        return await run_edit(call)
