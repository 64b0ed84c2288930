"""Query fields of payouts (merged into Query through schema/extra_queries.py): pay periods,
the payroll cycles in force, and the payroll export of a period."""

# No ``from __future__ import annotations``: strawberry reads these annotations at import.
import strawberry

from protiv.persistence import models
from protiv.services import pay_schedule, payroll_export, queries
from schema.context import Info
from schema.ids import from_global, to_global
from schema.nodes.ledger import PayPeriod
from schema.pagination import Connection, connection, page_args
from schema.payout_types import PayCycle


@strawberry.type(description="A branch and the payroll cycle it pays on.")
class BranchPayCycle:
    branch_id: strawberry.ID = strawberry.field(description="The branch's global id.")
    name: str = strawberry.field(description="The branch's name.")
    cycle: PayCycle | None = strawberry.field(description="Null: the company's cycle.")


@strawberry.type(description="When bonuses are paid: the payroll cycles and the waiting period.")
class PaySchedule:
    cycle: PayCycle = strawberry.field(description="The company's payroll cycle.")
    waiting_days: int = strawberry.field(
        description="Days an approval's line items stay HELD (at least; retention may be longer)."
    )
    timezone: str = strawberry.field(description="Pay periods are days in this time zone.")
    branches: list[BranchPayCycle] = strawberry.field(
        description="Every branch, with its own cycle if it has one."
    )

    @classmethod
    def of(cls, schedule: pay_schedule.Schedule) -> "PaySchedule":
        return cls(
            cycle=PayCycle.of(schedule.cycle),
            waiting_days=schedule.waiting_days,
            timezone=schedule.timezone,
            branches=[
                BranchPayCycle(
                    branch_id=strawberry.ID(to_global("Branch", b.branch_id)),
                    name=b.name,
                    cycle=PayCycle.of(b.cycle) if b.cycle else None,
                )
                for b in schedule.branches
            ],
        )


@strawberry.type(description="The paid statements of a pay period as CSV, for payroll.")
class PayrollExport:
    filename: str = strawberry.field(
        description="A file name to save the CSV under (payroll-<period start>.csv)."
    )
    csv: str = strawberry.field(
        description="One row per paid statement: worker, payroll id, period, pay date, amounts "
        "by category, rollover, carried forward, written off, net pay."
    )
    rows: int = strawberry.field(description="How many paid statements (CSV rows, header aside).")
    total: str = strawberry.field(description="The sum of net pay, in dollars.")


@strawberry.type
class PayoutQueries:
    @strawberry.field(description="Pay periods, oldest first (made when a first item lands).")
    async def pay_periods(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[PayPeriod]:
        size, cursor = page_args(first, after)
        page = await queries.page(
            info.context.services,
            models.PayPeriod,
            info.context.actor.company_id,
            first=size,
            after=cursor,
        )
        return connection(page, PayPeriod.from_row)

    @strawberry.field(description="The payroll cycles and the waiting period.")
    async def pay_schedule(self, info: Info) -> PaySchedule:
        actor = info.context.actor
        return PaySchedule.of(await pay_schedule.read(info.context.services, actor.company_id))

    @strawberry.field(
        description="The paid statements of a pay period as CSV (admin, payroll). Null, with "
        "the reason in errors (NOT_FOUND, FORBIDDEN), for a period you may not export."
    )
    async def payroll_export(self, info: Info, period_id: strawberry.ID) -> PayrollExport | None:
        actor = info.context.actor
        pk = from_global(period_id, "PayPeriod", "periodId")
        done = await payroll_export.export_period(info.context.services, actor, pk)
        return PayrollExport(
            filename=done.filename, csv=done.csv, rows=done.rows, total=f"{done.total:.2f}"
        )
