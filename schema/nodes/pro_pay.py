"""ProPays and ProPay groups as GraphQL nodes."""

from __future__ import annotations

import asyncio
from asyncio import Future
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, TypeVar

import strawberry
from strawberry import relay
from strawberry.dataloader import DataLoader

from protiv import calc
from protiv.domain import bonus, statuses
from protiv.domain.permissions import branch_bound
from protiv.persistence import models
from protiv.services.calculation import thaw, to_budget
from schema.access import in_my_branches, visible_shares
from schema.context import Info
from schema.enums import (
    AdjustmentType,
    BudgetType,
    DisqualifierResult,
    Distribution,
    ProPayAction,
    ProPayStatus,
)
from schema.ids import to_global
from schema.nodes.calculation import Calculation
from schema.nodes.pro_pay_settings import ProPaySettings, TaskBudget
from schema.nodes.records import Event, Job, history
from schema.nodes.selection import below, field_names, own, selects
from schema.nodes.views import View
from statemachines.pro_pay import MACHINE as PRO_PAY_MACHINE
from statemachines.pro_pay_group import MACHINE as GROUP_MACHINE

if TYPE_CHECKING:
    from schema.nodes.ledger import LineItem

K = TypeVar("K")
V = TypeVar("V")
LineItemRef = Annotated["LineItem", strawberry.lazy("schema.nodes.ledger")]


@strawberry.type(description="How the labour budget is set; editable only while ACTIVE.")
class Budget:
    type: BudgetType = strawberry.field(
        description="How the budget is given: hours, amount, contract price, rate or tasks."
    )
    hours: Decimal | None = strawberry.field(
        description="Budgeted hours (HOURS): valued at the crew's blended wage."
    )
    amount: Decimal | None = strawberry.field(description="Budgeted dollars (AMOUNT).")
    contract_price: Decimal | None = strawberry.field(
        description="The job's price (CONTRACT_PRICE), of which laborPct is labour."
    )
    labor_pct: Decimal | None = strawberry.field(
        description="The labour percent of the contract price."
    )
    rate: Decimal | None = strawberry.field(description="Dollars per unit (RATE), times quantity.")
    quantity: Decimal | None = strawberry.field(description="Units of work (RATE).")
    adjustment_type: AdjustmentType = strawberry.field(
        description="How the base budget is adjusted: none, +%, -%, × or manual."
    )
    adjustment_value: Decimal | None = strawberry.field(
        description="The adjustment's value (a percent, a factor or dollars)."
    )
    pro_pay_id: strawberry.Private[int]

    @strawberry.field(description="The task budgets of a TASK_HOURS or TASK_AMOUNT budget.")
    async def tasks(self, info: Info) -> list[TaskBudget]:
        rows = await info.context.loaders.editing.task_budgets.load(self.pro_pay_id)
        return [TaskBudget(task=r.task, hours=r.hours, amount=r.amount) for r in rows]


@strawberry.type(description="A pass/fail check answered before approval.")
class Disqualifier:
    id: strawberry.ID = strawberry.field(description="Its id, to answer it with.")
    name: str = strawberry.field(description="What is checked, e.g. a safety incident.")
    result: DisqualifierResult = strawberry.field(
        description="PENDING until answered; FAILED makes the worker pool 0."
    )
    answered_by: str | None = strawberry.field(default=None, description="Who answered it.")

    @classmethod
    def from_row(cls, row: models.Disqualifier) -> Disqualifier:
        return cls(
            id=strawberry.ID(to_global("Disqualifier", row.id)),
            name=row.name,
            result=row.result,
            answered_by=row.answered_by,
        )


@strawberry.type(description="An amount taken off the worker pool before the role split.")
class Penalty:
    id: strawberry.ID = strawberry.field(description="Its id, to remove it with.")
    name: str = strawberry.field(description="Why it is taken off.")
    amount: Decimal = strawberry.field(
        description="Dollars taken off the workers' part of the savings."
    )

    @classmethod
    def from_row(cls, row: models.Penalty) -> Penalty:
        return cls(id=strawberry.ID(to_global("Penalty", row.id)), name=row.name, amount=row.amount)


@strawberry.type(description="The labour budget of one job or milestone, and the bonus it yields.")
class ProPay(ProPaySettings, relay.Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="Its name: the job's (and milestone's) name.")
    status: ProPayStatus = strawberry.field(
        description="ACTIVE, APPROVED, PAID, CANCELED or DELETED."
    )
    version: int = strawberry.field(
        description="Bumped by every change; pass it as expectedVersion."
    )
    distribution: Distribution = strawberry.field(
        description="How the crew bucket is split between workers."
    )
    budget: Budget = strawberry.field(description="The labour budget and how it is given.")
    created_at: datetime = strawberry.field(description="When it was made.")
    approved_at: datetime | None = strawberry.field(description="When it was last approved.")
    approved_by: str | None = strawberry.field(description="Who last approved it.")
    paid_at: datetime | None = strawberry.field(description="When its last line item was paid.")
    row: strawberry.Private[models.ProPay]

    @classmethod
    def from_row(cls, row: models.ProPay) -> ProPay:
        return cls(
            id=row.id,
            title=row.title,
            status=row.status,
            version=row.version,
            distribution=row.distribution,
            budget=_budget(row),
            created_at=row.created_at,
            approved_at=row.approved_at,
            approved_by=row.approved_by,
            paid_at=row.paid_at,
            row=row,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ProPay | None]:
        rows = await info.context.loaders.pro_pay.load_many([int(i) for i in node_ids])
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(
        description="The transitions the caller may fire now (role, status, guards).",
        graphql_type=list[ProPayAction],
    )
    def available_actions(self, info: Info) -> list[ProPayAction] | Awaitable[list[ProPayAction]]:
        """Sync when the page fetched what the guards read (``prefetch``); else loaded."""
        loaders = info.context.loaders
        if not branch_bound(info.context.actor):
            items = _ready(loaders.line_items_of_pro_pay, self.id)
            answers = _ready(loaders.disqualifiers_of, self.id)
            tasks = _ready(loaders.editing.task_budgets, self.id)
            if items is not None and answers is not None and tasks is not None:
                budget_error = calc.budget_error(to_budget(self.row, tasks.result()))
                return _available(info, self.row, items.result(), answers.result(), budget_error)
        return self._load_available_actions(info)

    async def _load_available_actions(self, info: Info) -> list[ProPayAction]:
        if not await in_my_branches(info, [self.row]):
            return []
        loaders = info.context.loaders
        # all three asked for before any is awaited: their batches go out together
        items = loaders.line_items_of_pro_pay.load(self.id)
        answers = loaders.disqualifiers_of.load(self.id)
        tasks = loaders.editing.task_budgets.load(self.id)
        line_items, disqualifiers = await items, await answers
        budget_error = calc.budget_error(to_budget(self.row, await tasks))
        return _available(info, self.row, line_items, disqualifiers, budget_error)

    @strawberry.field(
        description="In the approval queue since (its job or milestone completed at the "
        "source); null when not queued."
    )
    def ready_for_approval_at(self) -> datetime | None:
        return self.row.ready_for_approval_at

    @strawberry.field(description="The synced job this ProPay belongs to.", graphql_type=Job)
    def job(self, info: Info) -> Job | Awaitable[Job]:
        """Sync when the page fetched the jobs (``prefetch``); else loaded."""
        ready = _ready(info.context.loaders.job, self.row.job_id)
        return self._load_job(info) if ready is None else _job(ready.result())

    async def _load_job(self, info: Info) -> Job:
        return _job(await info.context.loaders.job.load(self.row.job_id))

    @strawberry.field(description="The group it is approved with, if any.")
    async def group(self, info: Info) -> ProPayGroup | None:
        if self.row.group_id is None:
            return None
        row = await info.context.loaders.group.load(self.row.group_id)
        return ProPayGroup.from_row(row) if row else None

    @strawberry.field(
        description="Line items made by its approvals (voided ones included).",
        graphql_type=list[LineItemRef],
    )
    def line_items(self, info: Info) -> list[LineItem] | Awaitable[list[LineItem]]:
        """With their workers' rows when the query reads them (one batch for the page); sync
        when the page fetched them (``prefetch``), else loaded."""
        loaders = info.context.loaders
        if selects(info, "worker"):
            pairs = _ready(loaders.line_items_with_workers, self.id)
            if pairs is None:
                return self._load_line_items(info, with_workers=True)
            return _line_items(pairs.result())
        rows = _ready(loaders.line_items_of_pro_pay, self.id)
        if rows is None:
            return self._load_line_items(info, with_workers=False)
        return _line_items((row, None) for row in rows.result())

    async def _load_line_items(self, info: Info, *, with_workers: bool) -> list[LineItem]:
        loaders = info.context.loaders
        if with_workers:
            return _line_items(await loaders.line_items_with_workers.load(self.id))
        return _line_items((row, None) for row in await loaders.line_items_of_pro_pay.load(self.id))

    @strawberry.field(description="Its history, oldest first.")
    async def events(self, info: Info) -> list[Event]:
        return await history(info, statuses.EntityKind.PRO_PAY, self.id)

    @strawberry.field(
        description="Budget vs actual and each share: live while ACTIVE, frozen from approval. "
        "Null when it cannot be calculated yet (see calculationProblem)."
    )
    async def calculation(self, info: Info) -> Calculation | None:
        result = await self._calculation(info)
        return visible_shares(info, result) if isinstance(result, Calculation) else None

    @strawberry.field(description="Why the calculation cannot be made yet (e.g. no budget).")
    async def calculation_problem(self, info: Info) -> str | None:
        result = await self._calculation(info)
        return result if isinstance(result, str) else None

    async def _calculation(self, info: Info) -> Calculation | str | None:
        if self.row.status is not statuses.ProPayStatus.ACTIVE and self.row.calculation:
            return Calculation.from_plain(thaw(self.row.calculation), frozen=True)
        preview = await info.context.loaders.preview.load(self.id)
        if preview is None or isinstance(preview, str):
            return preview
        return Calculation.from_plain(preview, frozen=False)

    @strawberry.field(description="Disqualifiers to answer before approval.")
    async def disqualifiers(self, info: Info) -> list[Disqualifier]:
        rows = await info.context.loaders.disqualifiers_of.load(self.id)
        return [Disqualifier.from_row(r) for r in rows]

    @strawberry.field(description="Penalties taken off the worker pool.")
    async def penalties(self, info: Info) -> list[Penalty]:
        rows = await info.context.loaders.penalties_of.load(self.id)
        return [Penalty.from_row(r) for r in rows]


async def prefetch(info: Info, rows: Sequence[models.ProPay]) -> None:
    """Fetch, for a page of ProPays, the relations its nodes' fields will read, through the
    same loaders and batches those fields would use (so the same statements, no more): the
    fields then answer synchronously, without a coroutine and a future per ProPay. Only what
    the query asks for under ``nodes`` or ``edges { node }`` is fetched; anything else (or a
    branch-bound manager's availableActions, which may read nothing) loads as it always did."""
    nodes = below(info, own(info), "nodes") + below(info, below(info, own(info), "edges"), "node")
    wanted = field_names(info, nodes)
    loaders = info.context.loaders
    ids = [row.id for row in rows]
    loads: list[Awaitable[object]] = []
    if "job" in wanted:
        loads.append(loaders.job.load_many([row.job_id for row in rows]))
    if "lineItems" in wanted:
        items = below(info, nodes, "lineItems")
        if "worker" in field_names(info, items):
            loads.append(loaders.line_items_with_workers.load_many(ids))
        else:
            loads.append(loaders.line_items_of_pro_pay.load_many(ids))
    if "availableActions" in wanted and not branch_bound(info.context.actor):
        loads.append(loaders.line_items_of_pro_pay.load_many(ids))
        loads.append(loaders.disqualifiers_of.load_many(ids))
        loads.append(loaders.editing.task_budgets.load_many(ids))
    if loads:
        await asyncio.gather(*loads)


def _ready(loader: DataLoader[K, V], key: K) -> Future[V] | None:
    """The loader's answer for ``key`` when it has already arrived (fetched ahead)."""
    future = loader.cache_map.get(key) if loader.cache else None
    if future is None or not future.done() or future.cancelled() or future.exception():
        return None
    return future


def _job(row: models.Job | None) -> Job:
    assert row is not None
    return Job.from_row(row)


def _line_items(pairs: Iterable[tuple[models.LineItem, models.Worker | None]]) -> list[LineItem]:
    from schema.nodes.ledger import LineItem

    return [LineItem.from_row(row, worker) for row, worker in pairs]


@dataclass(frozen=True, slots=True)
class _ItemStatus:
    """A line item as the ProPay machine's guards may read it: its status only."""

    status: statuses.LineItemStatus


@dataclass(frozen=True, slots=True)
class _Answer:
    """A disqualifier as the guards may read it: its result only."""

    result: bonus.DisqualifierResult


def _available(
    info: Info,
    row: models.ProPay,
    line_items: Sequence[models.LineItem],
    disqualifiers: Sequence[models.Disqualifier],
    budget_error: str | None,
) -> list[ProPayAction]:
    """What ``PRO_PAY_MACHINE.available`` answers, worked out once per request for each shape
    of ProPay (a page of 100 usually has one or two). The guards are pure and read only the
    status, the group, the line items' statuses, the disqualifiers' results and the budget
    error (actor and clock are fixed for the request), so those are the key, and the guards
    see stand-ins that carry nothing else: a guard that starts reading more fails loudly
    here instead of answering from a stale key."""
    item_statuses = tuple(item.status for item in line_items)
    results = tuple(each.result for each in disqualifiers)
    key = (row.status, row.group_id, item_statuses, results, budget_error)
    memo = info.context.loaders.pro_pay_actions
    found = memo.get(key)
    if found is None:
        view = View(
            status=row.status,
            group_id=row.group_id,
            line_items=[_ItemStatus(s) for s in item_statuses],
            disqualifiers=[_Answer(r) for r in results],
        )
        found = memo[key] = PRO_PAY_MACHINE.available(
            view,
            actor=info.context.actor,
            now=info.context.services.clock(),
            budget_error=budget_error,
        )
    return list(found)


def _budget(row: models.ProPay) -> Budget:
    return Budget(
        type=row.budget_type,
        hours=row.budget_hours,
        amount=row.budget_amount,
        contract_price=row.contract_price,
        labor_pct=row.labor_pct,
        rate=row.rate,
        quantity=row.quantity,
        adjustment_type=row.adjustment_type,
        adjustment_value=row.adjustment_value,
        pro_pay_id=row.id,
    )


@strawberry.type(description="ProPays approved as one unit; its triggers drive every member.")
class ProPayGroup(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The group's name, e.g. its route and week.")
    status: ProPayStatus = strawberry.field(
        description="ACTIVE, APPROVED, PAID, CANCELED or DELETED, for every member."
    )
    version: int = strawberry.field(
        description="Bumped by every change; pass it as expectedVersion."
    )
    distribution: Distribution = strawberry.field(
        description="How the pooled crew bucket is split between workers."
    )
    approved_at: datetime | None = strawberry.field(description="When it was last approved.")
    approved_by: str | None = strawberry.field(description="Who last approved it.")
    paid_at: datetime | None = strawberry.field(description="When its last line item was paid.")
    row: strawberry.Private[models.ProPayGroup]

    @classmethod
    def from_row(cls, row: models.ProPayGroup) -> ProPayGroup:
        return cls(
            id=row.id,
            name=row.name,
            status=row.status,
            version=row.version,
            distribution=row.distribution,
            approved_at=row.approved_at,
            approved_by=row.approved_by,
            paid_at=row.paid_at,
            row=row,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ProPayGroup | None]:
        rows = await info.context.loaders.group.load_many([int(i) for i in node_ids])
        return [cls.from_row(r) if r else None for r in rows]

    @strawberry.field(description="The member ProPays.")
    async def members(self, info: Info) -> list[ProPay]:
        rows = await info.context.loaders.members_of_group.load(self.id)
        return [ProPay.from_row(r) for r in rows]

    @strawberry.field(description="The transitions the caller may fire now.")
    async def available_actions(self, info: Info) -> list[ProPayAction]:
        loaders = info.context.loaders
        rows = await loaders.members_of_group.load(self.id)
        if not await in_my_branches(info, rows):
            return []
        members = [
            View(
                status=r.status,
                group_id=r.group_id,
                line_items=await loaders.line_items_of_pro_pay.load(r.id),
                disqualifiers=await loaders.disqualifiers_of.load(r.id),
            )
            for r in rows
        ]
        view = View(status=self.row.status, members=members)
        return GROUP_MACHINE.available(
            view, actor=info.context.actor, now=info.context.services.clock()
        )

    @strawberry.field(description="The pooled calculation frozen at approval.")
    def calculation(self) -> Calculation | None:
        if not self.row.calculation:
            return None
        return Calculation.from_plain(thaw(self.row.calculation), frozen=True)

    @strawberry.field(description="Its history, oldest first.")
    async def events(self, info: Info) -> list[Event]:
        return await history(info, statuses.EntityKind.PRO_PAY_GROUP, self.id)
