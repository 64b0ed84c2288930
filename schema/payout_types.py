"""GraphQL enums and value types of payouts: line item sources, manual categories, payroll
cycles, a statement's figures and wage metrics (computed in protiv.services.figures)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry

from protiv.domain import bonus, payouts, periods
from protiv.services import figures

LineItemSource = Annotated[
    bonus.LineItemSource,
    strawberry.enum(name="LineItemSource", description="What made a line item."),
]
ManualCategory = Annotated[
    payouts.ManualCategory,
    strawberry.enum(
        name="ManualCategory",
        description="What a manual line item is for. SIGNING and REFERRAL are bonuses "
        "(positive), DAMAGE and ADVANCE_REPAYMENT deductions (negative); CORRECTION and "
        "CUSTOM (named by customCategory) either.",
    ),
]
PeriodKind = Annotated[
    periods.PeriodKind,
    strawberry.enum(
        name="PeriodKind",
        description="A payroll cycle. WEEKLY and BIWEEKLY start on the anchor's weekday; "
        "SEMI_MONTHLY runs 1st-15th and 16th-last; MONTHLY is the calendar month.",
    ),
]


@strawberry.type(description="A statement's figures; held items are not yet owed.")
class StatementTotals:
    bonuses: Decimal = strawberry.field(description="Live positive items (held ones too).")
    deductions: Decimal = strawberry.field(description="Live negative items.")
    rollover: Decimal = strawberry.field(
        description="A negative balance carried in from the worker's previous statement."
    )
    net: Decimal = strawberry.field(description="Bonuses + deductions + rollover.")
    carried_forward: Decimal = strawberry.field(
        description="A negative net carried to the next statement when this one was paid."
    )
    written_off: Decimal = strawberry.field(
        description="A negative net written off when this one was paid (no rollover)."
    )
    payout: Decimal = strawberry.field(
        description="What payroll pays: net - carriedForward - writtenOff."
    )
    held: Decimal = strawberry.field(description="The sum of its HELD items.")
    payable: Decimal = strawberry.field(description="The sum of its PAYABLE items.")
    paid: Decimal = strawberry.field(description="The sum of its PAID items.")

    @classmethod
    def of(cls, t: figures.Totals) -> StatementTotals:
        return cls(
            bonuses=t.bonuses,
            deductions=t.deductions,
            rollover=t.rollover,
            net=t.net,
            carried_forward=t.carried_forward,
            written_off=t.written_off,
            payout=t.payout,
            held=t.held,
            payable=t.payable,
            paid=t.paid,
        )


@strawberry.type(description="What the bonus adds to the worker's pay in the period.")
class StatementWages:
    hours: Decimal = strawberry.field(description="Hours the worker logged in the period.")
    base_wage: Decimal | None = strawberry.field(
        description="Hours-weighted average wage of that time (null without time)."
    )
    bonus_per_hour: Decimal | None = strawberry.field(description="(Bonuses + deductions) / hours.")
    effective_wage: Decimal | None = strawberry.field(description="Base wage + bonus per hour.")

    @classmethod
    def of(cls, w: figures.Wages) -> StatementWages:
        return cls(
            hours=w.hours,
            base_wage=w.base_wage,
            bonus_per_hour=w.bonus_per_hour,
            effective_wage=w.effective_wage,
        )


@strawberry.type(description="A payroll cycle: its kind and the anchor that fixes its start day.")
class PayCycle:
    kind: PeriodKind = strawberry.field(description="How long a period is.")
    anchor: date = strawberry.field(
        description="A first day of a period: WEEKLY and BIWEEKLY periods count from it."
    )

    @classmethod
    def of(cls, cycle: periods.PayCycle) -> PayCycle:
        return cls(kind=cycle.kind, anchor=cycle.anchor)
